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


@require_http_methods(["GET", "POST"])
def access_page(request: HttpRequest) -> HttpResponse:
    _require_access_manager(request.user)
    manager_form = GrantManagerForm(prefix="manager")
    coordinator_form = GrantCoordinatorForm(prefix="coordinator")
    if request.method == "POST":
        if "manager-person" in request.POST:
            manager_form = GrantManagerForm(request.POST, prefix="manager")
            if manager_form.is_valid():
                services.manager_grant(**manager_form.cleaned_data)
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
            if coordinator_form.is_valid():
                services.coordinator_grant(**coordinator_form.cleaned_data)
                messages.success(
                    request,
                    _("%(name)s now coordinates %(project)s.")
                    % {
                        "name": coordinator_form.cleaned_data["person"].profile.name,
                        "project": coordinator_form.cleaned_data["project"].name,
                    },
                )
                return redirect("access")
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
    return render(
        request,
        "orgmap/access.html",
        {
            "manager_form": manager_form,
            "coordinator_form": coordinator_form,
            "managers": managers,
            "coordinators": coordinators,
            "admins": permissions.org_admins(),
        },
    )


@require_POST
def manager_revoke_view(request: HttpRequest, code: str, username: str) -> HttpResponse:
    _require_access_manager(request.user)
    department = get_object_or_404(Department, code__iexact=code)
    person = get_object_or_404(get_user_model(), username=username)
    services.manager_revoke(person=person, department=department)
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
    services.coordinator_revoke(person=person, project=project)
    messages.success(
        request,
        _("%(name)s no longer coordinates %(project)s.")
        % {"name": person.profile.name, "project": project.name},
    )
    return redirect("access")
