"""Who may edit what: granting and revoking department managers and project
coordinators (org admins and HR), and the "who can edit this" panels."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from guardian.shortcuts import assign_perm, remove_perm

from collaboration.models import Project, ProjectUserObjectPermission

from . import permissions
from .models import Department, DepartmentUserObjectPermission
from .selectors import department_ancestor_ids, department_parent_map


def _people():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


class GrantManagerForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"), queryset=get_user_model().objects.none()
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.none()
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()
        self.fields["person"].label_from_instance = lambda user: user.profile.name
        self.fields["department"].queryset = Department.objects.order_by("name")


class GrantCoordinatorForm(forms.Form):
    person = forms.ModelChoiceField(
        label=gettext_lazy("Person"), queryset=get_user_model().objects.none()
    )
    project = forms.ModelChoiceField(label=gettext_lazy("Project"), queryset=Project.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()
        self.fields["person"].label_from_instance = lambda user: user.profile.name
        self.fields["project"].queryset = Project.objects.order_by("name")


# ---------------------------------------------------------------- services


@transaction.atomic
def manager_grant(*, person: AbstractBaseUser, department: Department) -> None:
    assign_perm(f"orgmap.{permissions.MANAGE_DEPARTMENT}", person, department)


@transaction.atomic
def manager_revoke(*, person: AbstractBaseUser, department: Department) -> None:
    remove_perm(f"orgmap.{permissions.MANAGE_DEPARTMENT}", person, department)


@transaction.atomic
def coordinator_grant(*, person: AbstractBaseUser, project: Project) -> None:
    assign_perm(f"collaboration.{permissions.COORDINATE_PROJECT}", person, project)


@transaction.atomic
def coordinator_revoke(*, person: AbstractBaseUser, project: Project) -> None:
    remove_perm(f"collaboration.{permissions.COORDINATE_PROJECT}", person, project)


# ---------------------------------------------------------------- selectors


@dataclass
class Editors:
    direct: list  # users granted on this object
    inherited: list[tuple]  # (user, department it comes from)
    named: list  # e.g. the project's named coordinator
    admins: list


def _org_admins() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=permissions.ORG_ADMINS_GROUP))
        .select_related("profile")
        .distinct()
        .order_by("username")
    )


def department_editors(department: Department) -> Editors:
    ancestors = department_ancestor_ids(department.pk, department_parent_map())
    grants = (
        DepartmentUserObjectPermission.objects.filter(
            content_object_id__in=[department.pk, *ancestors],
            permission__codename=permissions.MANAGE_DEPARTMENT,
            user__is_active=True,
        )
        .select_related("user__profile", "content_object")
        .order_by("user__username")
    )
    direct, inherited = [], []
    for grant in grants:
        if grant.content_object_id == department.pk:
            direct.append(grant.user)
        else:
            inherited.append((grant.user, grant.content_object))
    return Editors(direct=direct, inherited=inherited, named=[], admins=_org_admins())


def project_editors(project: Project) -> Editors:
    grants = (
        ProjectUserObjectPermission.objects.filter(
            content_object=project,
            permission__codename=permissions.COORDINATE_PROJECT,
            user__is_active=True,
        )
        .select_related("user__profile")
        .order_by("user__username")
    )
    named = (
        [project.coordinator] if project.coordinator_id and project.coordinator.is_active else []
    )
    return Editors(direct=[g.user for g in grants], inherited=[], named=named, admins=_org_admins())


# ---------------------------------------------------------------- views


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
                manager_grant(**manager_form.cleaned_data)
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
                coordinator_grant(**coordinator_form.cleaned_data)
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
            "admins": _org_admins(),
        },
    )


@require_POST
def manager_revoke_view(request: HttpRequest, code: str, username: str) -> HttpResponse:
    _require_access_manager(request.user)
    department = get_object_or_404(Department, code__iexact=code)
    person = get_object_or_404(get_user_model(), username=username)
    manager_revoke(person=person, department=department)
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
    coordinator_revoke(person=person, project=project)
    messages.success(
        request,
        _("%(name)s no longer coordinates %(project)s.")
        % {"name": person.profile.name, "project": project.name},
    )
    return redirect("access")
