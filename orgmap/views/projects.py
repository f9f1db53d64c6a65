"""Projects: cross-department efforts with their own duties and matrix (the matrix
page itself is in responsibilities/views/matrix.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import panels, permissions
from ..forms import ProjectForm
from ..http import bound_data
from ..models import Project


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.select_related("coordinator__profile").prefetch_related(
        "departments"
    )
    return render(
        request,
        "orgmap/project_list.html",
        {"projects": projects, "can_create": permissions.is_org_admin(request.user)},
    )


@require_GET
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.select_related("coordinator__profile").prefetch_related("departments"),
        code__iexact=code,
    )
    return render(
        request,
        "orgmap/project_detail.html",
        {
            "project": project,
            "can_manage": permissions.can_manage_project(request.user, project),
            "editors": permissions.project_editors(project),
            "can_manage_access": permissions.can_manage_access(request.user),
            "panels": panels.page_panels("project", request, project),
        },
    )


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not permissions.is_org_admin(request.user):
        raise PermissionDenied(_("Only organisation administrators create projects."))
    form = ProjectForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        project = form.save()
        messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
        return redirect(project.get_absolute_url())
    return render(request, "orgmap/project_form.html", {"form": form, "project": None})


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, code: str) -> HttpResponse:
    project = permissions.get_project_for_manage(request.user, code)
    form = ProjectForm(bound_data(request), instance=project)
    if not permissions.is_org_admin(request.user):
        # A coordinator runs the project but does not hand it to somebody else.
        form.fields["coordinator"].disabled = True
    if request.method == "POST" and form.is_valid():
        project = form.save()
        messages.success(request, _("Project “%(name)s” saved.") % {"name": project.name})
        return redirect(project.get_absolute_url())
    return render(request, "orgmap/project_form.html", {"form": form, "project": project})
