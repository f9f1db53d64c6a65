"""What responsibilities adds to the organisation's pages (see orgmap/panels.py): the
matrix and findings buttons with their counts, a project's duty count, and a role's
duties (its role description) with the PDF and Word downloads."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from orgmap import panels, permissions
from orgmap.models import Department, Project, Role

from . import selectors
from .role_documents import role_description

TEMPLATE = "responsibilities/panels.html"


def department_actions(request: HttpRequest, department: Department) -> str:
    # Stored findings: one aggregate query (findings_store keeps them current).
    count = sum(selectors.stored_summary(selectors.Scope(department=department)).values())
    return render_to_string(
        f"{TEMPLATE}#department-actions",
        {
            "department": department,
            "finding_count": count,
            "can_export": permissions.can_bulk_export(request.user),
        },
        request,
    )


def project_actions(request: HttpRequest, project: Project) -> str:
    count = sum(selectors.stored_summary(selectors.Scope(project=project)).values())
    return render_to_string(
        f"{TEMPLATE}#project-actions", {"project": project, "finding_count": count}, request
    )


def project_duties(request: HttpRequest, project: Project) -> str:
    return render_to_string(
        f"{TEMPLATE}#project-duties", {"duty_count": project.duties.count()}, request
    )


def role_actions(request: HttpRequest, role: Role) -> str:
    return render_to_string(f"{TEMPLATE}#role-actions", {"role": role}, request)


def role_duties(request: HttpRequest, role: Role) -> str:
    return render_to_string(
        f"{TEMPLATE}#role-duties", {"role": role, "description": role_description(role)}, request
    )


def register() -> None:
    panels.register("department-actions", department_actions, order=10)
    panels.register("project-actions", project_actions, order=10)
    panels.register("project-facts", project_duties, order=10)
    panels.register("role-actions", role_actions, order=10)
    panels.register("role", role_duties, order=10)
