"""The /access/ page: org admins and HR grant and revoke department managers and
project coordinators."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import permissions, services
from ..forms import GrantCoordinatorForm, GrantManagerForm
from ..models import (
    AccessChange,
    Department,
    DepartmentUserObjectPermission,
    Project,
    ProjectUserObjectPermission,
)


def _require_access_manager(user) -> None:
    if not permissions.can_manage_access(user):
        raise PermissionDenied(
            _("Only organisation administrators and HR manage who may edit what.")
        )


# The latest grants and revokes shown on the page (the admin has them all).
AUDIT_SHOWN = 50


def _granted(form, grant, *, by) -> bool:
    """Apply a grant; a refused one (e.g. to oneself) becomes an error on the form."""
    try:
        grant(**form.cleaned_data, by=by)
    except services.AccessRefused as refused:
        form.add_error("person", _refusal(refused))
        return False
    return True


def _refusal(refused: services.AccessRefused) -> str:
    if refused.code == services.AccessRefused.SELF:
        return _("Nobody grants or revokes rights for themselves; ask another administrator.")
    return _("This change of rights is not allowed.")


def _grants():
    """(department manager grants, project coordinator grants), for the page's tables."""
    managers = (
        DepartmentUserObjectPermission.objects.filter(
            permission__codename=permissions.MANAGE_DEPARTMENT
        )
        .select_related("user__profile", "content_object")
        .order_by("content_object__name", "user__username")
    )
    coordinators = (
        ProjectUserObjectPermission.objects.filter(
            permission__codename=permissions.COORDINATE_PROJECT
        )
        .select_related("user__profile", "content_object")
        .order_by("content_object__name", "user__username")
    )
    return managers, coordinators


@require_http_methods(["GET", "POST"])
def access_page(request: HttpRequest) -> HttpResponse:
    _require_access_manager(request.user)
    manager_form = GrantManagerForm(prefix="manager")
    coordinator_form = GrantCoordinatorForm(prefix="coordinator")
    if request.method == "POST":
        if "manager-person" in request.POST:
            manager_form = GrantManagerForm(request.POST, prefix="manager")
            if manager_form.is_valid() and _granted(
                manager_form, services.manager_grant, by=request.user
            ):
                messages.success(
                    request,
                    _("%(name)s now manages %(department)s.")
                    % {
                        "name": manager_form.cleaned_data["person"].profile.name,
                        "department": manager_form.cleaned_data["department"].name,
                    },
                )
                return redirect("access")
        else:
            coordinator_form = GrantCoordinatorForm(request.POST, prefix="coordinator")
            if coordinator_form.is_valid() and _granted(
                coordinator_form, services.coordinator_grant, by=request.user
            ):
                messages.success(
                    request,
                    _("%(name)s now coordinates %(project)s.")
                    % {
                        "name": coordinator_form.cleaned_data["person"].profile.name,
                        "project": coordinator_form.cleaned_data["project"].name,
                    },
                )
                return redirect("access")
    managers, coordinators = _grants()
    return render(
        request,
        "orgmap/access.html",
        {
            "manager_form": manager_form,
            "coordinator_form": coordinator_form,
            "managers": managers,
            "coordinators": coordinators,
            "admins": permissions.org_admins(),
            "changes": AccessChange.objects.select_related(
                "by__profile", "person__profile", "department", "project"
            )[:AUDIT_SHOWN],
        },
    )


@require_POST
def manager_revoke_view(request: HttpRequest, code: str, username: str) -> HttpResponse:
    _require_access_manager(request.user)
    department = get_object_or_404(Department, code__iexact=code)
    person = get_object_or_404(get_user_model(), username=username)
    try:
        services.manager_revoke(person=person, department=department, by=request.user)
    except services.AccessRefused as refused:
        raise PermissionDenied(_refusal(refused)) from None
    messages.success(
        request,
        _("%(name)s no longer manages %(department)s.")
        % {"name": person.profile.name, "department": department.name},
    )
    return redirect("access")


@require_POST
def coordinator_revoke_view(request: HttpRequest, code: str, username: str) -> HttpResponse:
    _require_access_manager(request.user)
    project = get_object_or_404(Project, code__iexact=code)
    person = get_object_or_404(get_user_model(), username=username)
    try:
        services.coordinator_revoke(person=person, project=project, by=request.user)
    except services.AccessRefused as refused:
        raise PermissionDenied(_refusal(refused)) from None
    messages.success(
        request,
        _("%(name)s no longer coordinates %(project)s.")
        % {"name": person.profile.name, "project": project.name},
    )
    return redirect("access")
