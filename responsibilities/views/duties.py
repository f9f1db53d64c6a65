"""Duty pages: add a duty to a department or a project, edit it, and its detail page
(cells, history, findings)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.http import bound_data, saved_redirect

from .. import raci, selectors, services
from ..forms import DutyForm, ProjectDutyForm
from ..models import Assignment, AssignmentChange, Duty


def can_edit_duty(user, duty: Duty) -> bool:
    """The duty's row of the matrix and its page: the same decision (orgmap.permissions)."""
    return permissions.can_edit_duty(
        user,
        department_id=duty.department_id,
        project_id=duty.project_id,
    )


@require_http_methods(["GET", "POST"])
def project_duty_create(request: HttpRequest, code: str) -> HttpResponse:
    project = permissions.get_project_for_manage(request.user, code)
    form = ProjectDutyForm(bound_data(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            duty = services.duty_create(
                title=form.cleaned_data["title"],
                department=form.cleaned_data["department"],
                project=project,
            )
        except ValidationError as error:
            form.add_error("title", error.messages[0])
        else:
            messages.success(request, _("Duty “%(title)s” added.") % {"title": duty.title})
            url = (
                reverse("project-matrix", args=[project.code]) + f"?focus={duty.pk}#duty-{duty.pk}"
            )
            return saved_redirect(request, url)
    context = {"form": form, "project": project, "department": None}
    if request.htmx:
        return render(
            request, "responsibilities/duty_form.html#form", {**context, "inline_form": True}
        )
    return render(request, "responsibilities/project_duty_form.html", context)


@require_http_methods(["GET", "POST"])
def duty_create(request: HttpRequest, code: str) -> HttpResponse:
    department = permissions.get_department_for_manage(request.user, code)
    form = DutyForm(bound_data(request), department=department)
    if request.method == "POST" and form.is_valid():
        duty = services.duty_create(department=department, **form.cleaned_data)
        messages.success(request, _("Duty “%(title)s” added.") % {"title": duty.title})
        url = (
            reverse("department-matrix", args=[department.code])
            + f"?focus={duty.pk}#duty-{duty.pk}"
        )
        return saved_redirect(request, url)
    if request.htmx:
        return render(
            request,
            "responsibilities/duty_form.html#form",
            {"form": form, "department": department},
        )
    return render(
        request, "responsibilities/duty_form.html", {"form": form, "department": department}
    )


@require_http_methods(["GET", "POST"])
def duty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(Duty.objects.select_related("department", "project"), pk=pk)
    if not can_edit_duty(request.user, duty):
        raise PermissionDenied(_("You may not edit “%(duty)s”.") % {"duty": duty.title})
    form = DutyForm(bound_data(request), instance=duty, department=duty.department)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Duty “%(title)s” saved.") % {"title": duty.title})
        return redirect(duty.get_absolute_url())
    return render(
        request,
        "responsibilities/duty_form.html",
        {"form": form, "department": duty.department, "duty": duty},
    )


@require_GET
def duty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(Duty.objects.select_related("department", "project"), pk=pk)
    assignments = list(
        Assignment.objects.filter(duty=duty)
        .select_related("role__department")
        .prefetch_related(
            # Current holders of each role, with their contact details.
            "role__holders__person__profile"
        )
        .order_by("letter", "role__title")
    )
    order = {raci.A: 0, raci.AR: 1, raci.R: 2, raci.C: 3, raci.I: 4}
    assignments.sort(key=lambda a: (order[a.letter], a.role.title))
    history = list(
        AssignmentChange.objects.filter(duty=duty).select_related("role", "changed_by__profile")[
            :200
        ]
    )
    found = selectors.stored_findings(duty_ids=[duty.pk])
    return render(
        request,
        "responsibilities/duty_detail.html",
        {
            "duty": duty,
            "assignments": assignments,
            "history": history,
            "findings": found,
            "can_edit": can_edit_duty(request.user, duty),
        },
    )
