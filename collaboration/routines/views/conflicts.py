"""Conflicts: raise one, keep it up to date, settle it; the coordinator's list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.http import bound_data, form_response, saved_redirect
from orgmap.models import Department
from orgmap.params import parse_numbers

from .. import lookups, selectors, services
from ..forms import ConflictEditForm, ConflictForm, SettleForm
from ..models import Conflict


@require_GET
def conflict_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Conflict.Status.values:
        status = ""
    department = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
    return render(
        request,
        "routines/conflict_list.html",
        {
            "conflicts": selectors.conflicts(status=status or None, department=department),
            "status": status,
            "statuses": Conflict.Status.choices,
            "department": department,
            "departments": Department.objects.order_by("name"),
        },
    )


@require_GET
def my_conflicts(request: HttpRequest) -> HttpResponse:
    mine, unassigned = selectors.conflicts_to_coordinate(request.user)
    return render(request, "routines/my_conflicts.html", {"mine": mine, "unassigned": unassigned})


def _suggestion(form: ConflictForm) -> selectors.CoordinatorSuggestion | None:
    """The coordinator suggested for the departments ticked so far (two or more)."""
    raw = form.data.getlist("departments") if form.is_bound else []
    ids = parse_numbers(raw)
    departments = list(Department.objects.filter(pk__in=ids))
    if len(departments) < 2:
        return None
    return selectors.suggest_coordinator(departments)


@require_http_methods(["GET", "POST"])
def conflict_create(request: HttpRequest) -> HttpResponse:
    # Any member may raise a conflict (DESIGN.md: members raise feedback and conflicts).
    if request.method == "GET" and request.htmx:
        # The form asks who would coordinate as departments are ticked.
        form = ConflictForm(request.GET)
        return render(
            request,
            "routines/conflict_form.html#suggestion",
            {"suggestion": _suggestion(form)},
        )
    initial = {}
    if code := request.GET.get("department"):
        initial["departments"] = Department.objects.filter(code__iexact=code)
    form = ConflictForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conflict = services.conflict_raise(
                title=data["title"],
                description=data["description"],
                departments=data["departments"],
                raised_by=request.user,
                coordinator=data["coordinator"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if conflict.coordinator_id is None:
                messages.info(
                    request,
                    _(
                        "Conflict recorded. These departments share no parent with a head in post: an organisation administrator will coordinate it."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Conflict recorded; %(name)s coordinates it.")
                    % {"name": conflict.coordinator.profile.name},
                )
            return saved_redirect(request, conflict.get_absolute_url())
    return form_response(
        request,
        "routines/conflict_form.html",
        {"form": form, "conflict": None, "suggestion": _suggestion(form)},
    )


@require_GET
def conflict_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(
        selectors.conflict_queryset().prefetch_related("changed_duties__department"), pk=pk
    )
    can_settle = conflict.is_open and permissions.can_settle_conflict(request.user, conflict)
    suggestion = (
        selectors.suggest_coordinator(conflict.departments.all())
        if conflict.coordinator_id is None
        else None
    )
    return render(
        request,
        "routines/conflict_detail.html",
        {
            "conflict": conflict,
            "can_edit": permissions.can_edit_conflict(request.user, conflict),
            "can_settle": can_settle,
            "settle_form": SettleForm(conflict=conflict) if can_settle else None,
            "suggestion": suggestion,
        },
    )


@require_http_methods(["GET", "POST"])
def conflict_edit(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = lookups.get_conflict_for_edit(request.user, pk)
    if not conflict.is_open:
        messages.info(request, _("A settled conflict stays as it was settled."))
        return saved_redirect(request, conflict.get_absolute_url())
    initial = {
        "title": conflict.title,
        "description": conflict.description,
        "departments": conflict.departments.all(),
        "coordinator": conflict.coordinator,
        "status": conflict.status,
    }
    form = ConflictEditForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.conflict_update(
                conflict=conflict,
                title=data["title"],
                description=data["description"],
                departments=data["departments"],
                coordinator=data["coordinator"],
                status=data["status"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Conflict “%(title)s” saved.") % {"title": conflict.title})
            return saved_redirect(request, conflict.get_absolute_url())
    return form_response(
        request,
        "routines/conflict_form.html",
        {"form": form, "conflict": conflict, "suggestion": _suggestion(form)},
    )


@require_http_methods(["GET", "POST"])
def conflict_settle(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = lookups.get_conflict_for_settle(request.user, pk)
    if not conflict.is_open:
        messages.info(request, _("This conflict has already been settled."))
        return saved_redirect(request, conflict.get_absolute_url())
    form = SettleForm(bound_data(request), conflict=conflict)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.conflict_settle(
                conflict=conflict,
                settlement=data["settlement"],
                decisions=data["decisions"],
                changed_duties=data["changed_duties"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Conflict “%(title)s” settled.") % {"title": conflict.title}
            )
            return saved_redirect(request, conflict.get_absolute_url())
    return form_response(
        request, "routines/conflict_settle.html", {"form": form, "conflict": conflict}
    )
