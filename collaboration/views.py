from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import access, permissions
from orgmap.http import bound_data, saved_redirect
from responsibilities import selectors as responsibility_selectors
from responsibilities import services as responsibility_services
from responsibilities.views import render_matrix

from .forms import ProjectDutyForm, ProjectForm
from .models import Project


def _get_project_for_manage(user, code: str) -> Project:
    project = get_object_or_404(Project, code__iexact=code)
    if not permissions.can_manage_project(user, project):
        raise PermissionDenied(
            _("You may not edit the project “%(name)s”.") % {"name": project.name}
        )
    return project


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.select_related("coordinator__profile").prefetch_related(
        "departments"
    )
    return render(
        request,
        "collaboration/project_list.html",
        {"projects": projects, "can_create": permissions.is_org_admin(request.user)},
    )


@require_GET
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(
        Project.objects.select_related("coordinator__profile").prefetch_related("departments"),
        code__iexact=code,
    )
    found = responsibility_selectors.findings(responsibility_selectors.Scope(project=project))
    return render(
        request,
        "collaboration/project_detail.html",
        {
            "project": project,
            "duty_count": project.duties.count(),
            "finding_count": len(found),
            "can_manage": permissions.can_manage_project(request.user, project),
            "editors": access.project_editors(project),
            "can_manage_access": permissions.can_manage_access(request.user),
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
    return render(request, "collaboration/project_form.html", {"form": form, "project": None})


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, code: str) -> HttpResponse:
    project = _get_project_for_manage(request.user, code)
    form = ProjectForm(bound_data(request), instance=project)
    if not permissions.is_org_admin(request.user):
        # A coordinator runs the project but does not hand it to somebody else.
        form.fields["coordinator"].disabled = True
    if request.method == "POST" and form.is_valid():
        project = form.save()
        messages.success(request, _("Project “%(name)s” saved.") % {"name": project.name})
        return redirect(project.get_absolute_url())
    return render(request, "collaboration/project_form.html", {"form": form, "project": project})


@require_GET
def project_matrix(request: HttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("coordinator"), code__iexact=code)
    return render_matrix(
        request,
        responsibility_selectors.Scope(project=project),
        title=project.name,
        base_url=reverse("project-matrix", args=[project.code]),
    )


@require_http_methods(["GET", "POST"])
def project_duty_create(request: HttpRequest, code: str) -> HttpResponse:
    project = _get_project_for_manage(request.user, code)
    form = ProjectDutyForm(bound_data(request), project=project)
    if request.method == "POST" and form.is_valid():
        try:
            duty = responsibility_services.duty_create(
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
    return render(request, "collaboration/project_duty_form.html", context)
