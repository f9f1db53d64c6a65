"""Information flows: the list, the picture, a department's interfaces, and the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.http import bound_data, form_response, saved_redirect
from orgmap.models import Department
from responsibilities.models import InformationFlow

from .. import lookups, selectors, services, svg
from ..forms import FlowForm


@require_GET
def flow_list(request: HttpRequest) -> HttpResponse:
    department = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
    show_inactive = request.GET.get("inactive") == "1"
    return render(
        request,
        "routines/flow_list.html",
        {
            "flows": selectors.flows(department=department, include_inactive=show_inactive),
            "department": department,
            "departments": Department.objects.order_by("name"),
            "show_inactive": show_inactive,
            "can_create": permissions.can_create_flows(request.user),
            "managed_ids": permissions.managed_department_ids(request.user),
            "is_admin": permissions.is_org_admin(request.user),
        },
    )


@require_GET
def flow_map(request: HttpRequest) -> HttpResponse:
    departments, edges = selectors.flow_edges()
    ordered = svg.spread_order(departments, edges)
    return render(
        request,
        "routines/flow_map.html",
        {"map": svg.layout(ordered, edges), "edges": edges},
    )


@require_GET
def department_interfaces(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code__iexact=code)
    return render(
        request,
        "routines/department_interfaces.html",
        {
            "department": department,
            "interfaces": selectors.department_interfaces(department),
            "can_manage": permissions.can_manage_department(request.user, department),
        },
    )


def _flow_form_page(request: HttpRequest, form: FlowForm, flow: InformationFlow | None):
    if request.method == "POST" and form.is_valid():
        try:
            flow = services.flow_save(flow=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Information flow “%(name)s” saved.") % {"name": flow.information}
            )
            return saved_redirect(
                request, reverse("department-interfaces", args=[flow.from_department.code])
            )
    return form_response(request, "routines/flow_form.html", {"form": form, "flow": flow})


@require_http_methods(["GET", "POST"])
def flow_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_flows(request.user):
        raise PermissionDenied(
            _("Only department managers and administrators record information flows.")
        )
    initial = {}
    if code := request.GET.get("from"):
        initial["from_department"] = Department.objects.filter(code__iexact=code).first()
    form = FlowForm(bound_data(request), user=request.user, initial=initial)
    return _flow_form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def flow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    flow = lookups.get_flow_for_edit(request.user, pk)
    form = FlowForm(bound_data(request), instance=flow, user=request.user)
    return _flow_form_page(request, form, flow)
