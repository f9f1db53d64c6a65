"""Which matrix a page in a draft shows: a department's or a project's, both under
/drafts/<pk>/matrix/<code>/. Codes are unique among departments and among projects;
a department and a project sharing one (the organisation's choice, allowed) give the
department's matrix at that address (docs/decisions.md)."""

from __future__ import annotations

from django.urls import reverse

from orgmap.models import Department, Project
from responsibilities import selectors
from responsibilities.models import Duty


def scope_for_code(code: str, *, kind: str = "") -> selectors.Scope | None:
    """The department (or, failing that or asked for, the project) with this code."""
    if kind != "project":
        department = Department.objects.select_related("head").filter(code__iexact=code).first()
        if department is not None:
            return selectors.Scope(department=department)
    project = Project.objects.select_related("coordinator").filter(code__iexact=code).first()
    return selectors.Scope(project=project) if project is not None else None


def scope_code(scope: selectors.Scope) -> str:
    return scope.project.code if scope.project is not None else scope.department.code


def scope_token(scope: selectors.Scope) -> str:
    if scope.project is not None:
        return f"project:{scope.project.code}"
    return f"department:{scope.department.code}"


def scope_from_token(token: str, duty: Duty) -> selectors.Scope:
    """The matrix a cell edit came from ("department:CODE" or "project:CODE"), for the
    summary its answer refreshes; the duty's department when the token names nothing."""
    kind, _sep, code = token.partition(":")
    if kind == "department" and code and code.upper() == duty.department.code.upper():
        return selectors.Scope(department=duty.department)
    if kind in ("department", "project") and code:
        scope = scope_for_code(code, kind=kind)
        if scope is not None and (kind == "project") == (scope.project is not None):
            return scope
    return selectors.Scope(department=duty.department)


def matrix_url(draft_pk: int, scope: selectors.Scope) -> str:
    return reverse("draft-matrix", args=[draft_pk, scope_code(scope)])


def live_matrix_url(scope: selectors.Scope) -> str:
    if scope.project is not None:
        return reverse("project-matrix", args=[scope.project.code])
    return reverse("department-matrix", args=[scope.department.code])


def findings_url(draft_pk: int, scope: selectors.Scope) -> str:
    """The findings page in the draft, filtered to this matrix."""
    kind = "project" if scope.project is not None else "department"
    return reverse("draft-findings", args=[draft_pk]) + f"?{kind}={scope_code(scope)}"
