"""The collaboration dashboards: the organisation's and one department's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from orgmap import permissions
from orgmap.models import Department
from responsibilities.attestation import selectors as confirmations

from .. import selectors


def declined_questions(request: HttpRequest, department: Department | None):
    """The holders' questions on declined role descriptions, for those who answer them
    (the department's managers, HR, org admins); None for everyone else."""
    if not permissions.can_view_confirmation_coverage(request.user):
        return None
    allowed = permissions.confirmation_coverage_department_ids(request.user)
    if department is None:
        return confirmations.declined_questions(allowed)
    if allowed is not None and department.pk not in allowed:
        return None
    return confirmations.declined_questions({department.pk})


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if code := request.GET.get("department"):
        # The scope picker is a plain GET form; each department has its own address.
        department = get_object_or_404(Department, code__iexact=code)
        return redirect("department-collaboration", department.code)
    return render(
        request,
        "routines/dashboard.html",
        {
            "board": selectors.dashboard(department=None, now=timezone.now()),
            "questions": declined_questions(request, None),
            "departments": Department.objects.order_by("name"),
            "today": timezone.localdate(),
        },
    )


@require_GET
def department_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code__iexact=code)
    return render(
        request,
        "routines/dashboard.html",
        {
            "board": selectors.dashboard(department=department, now=timezone.now()),
            "questions": declined_questions(request, department),
            "departments": Department.objects.order_by("name"),
            "today": timezone.localdate(),
        },
    )
