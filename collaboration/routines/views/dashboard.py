"""The collaboration dashboards: the organisation's and one department's."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from orgmap.models import Department

from .. import selectors


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
            "departments": Department.objects.order_by("name"),
            "today": timezone.localdate(),
        },
    )
