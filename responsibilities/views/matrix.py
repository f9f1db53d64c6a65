"""The matrix pages (a department's, a project's, live or as it was on a day) and the
matrix cell: its editor, its own page without JavaScript, and the edit."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.models import Department, Project, Role
from orgmap.params import parse_number, parse_numbers

from .. import findings_facts, matrix_history, matrix_page, raci, selectors, services
from ..forms import DutyForm, ProjectDutyForm
from ..models import Assignment, Duty
from ..sql import table
from .duties import can_edit_duty

ROWS_PER_PAGE = 50


def _scope_from_token(token: str, duty: Duty) -> selectors.Scope:
    """The matrix a cell edit came from ("department:CODE" or "project:CODE"), so the
    response can refresh that page's summary; defaults to the duty's department."""
    kind, _sep, code = token.partition(":")
    # Usually the duty's own department or project, already loaded with it.
    if kind == "department" and code.upper() == duty.department.code.upper():
        return selectors.Scope(department=duty.department)
    if kind == "project" and duty.project_id and code.upper() == duty.project.code.upper():
        return selectors.Scope(project=duty.project)
    if kind == "project" and code:
        project = Project.objects.filter(code__iexact=code).first()
        if project is not None:
            return selectors.Scope(project=project)
    if kind == "department" and code:
        department = Department.objects.filter(code__iexact=code).first()
        if department is not None:
            return selectors.Scope(department=department)
    return selectors.Scope(department=duty.department)


def _scope_token(scope: selectors.Scope) -> str:
    if scope.project is not None:
        return f"project:{scope.project.code}"
    return f"department:{scope.department.code}"


def _findings_url(scope: selectors.Scope) -> str:
    if scope.project is not None:
        return reverse("findings") + f"?project={scope.project.code}"
    return reverse("findings") + f"?department={scope.department.code}"


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _editable_duty_ids(user, scope: selectors.Scope, rows) -> set[int]:
    """Which rows the user may edit: the same decision as a cell edit, from ids cached
    for the request (no query per row)."""
    return {
        row.duty["pk"]
        for row in rows
        if permissions.can_edit_duty(
            user, department_id=row.duty["department_id"], project_id=row.duty.get("project_id")
        )
    }


def _duty_form(scope: selectors.Scope, projects: list[Project]) -> DutyForm | ProjectDutyForm:
    if scope.project is not None:
        return ProjectDutyForm(project=scope.project)
    linked = [project for project in projects if project.linked]
    return DutyForm(department=scope.department, projects=linked)


def _as_of(value: str) -> tuple[datetime.date | None, str]:
    """(date, error message) from the "as it was on" field; today or later is now."""
    if not value:
        return None, ""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None, _("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": value}
    return (day if day < timezone.localdate() else None), ""


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def _page_of_rows(request: HttpRequest, scope: selectors.Scope, *, as_of, **filters):
    """(matrix, page, columns, hidden column count): live from stored findings, or the
    past rebuilt from the cell history."""
    focus = parse_number(request.GET.get("focus", ""))
    if as_of is None:
        # Live: the page's rows, columns and stored findings only (matrix_page.py).
        matrix = matrix_page.matrix_page(
            scope,
            page_number=request.GET.get("page") or 1,
            per_page=ROWS_PER_PAGE,
            focus=focus,
            **filters,
        )
        return matrix, matrix.page, matrix.columns, matrix.hidden_columns
    matrix = matrix_history.matrix(scope, as_of=as_of, **filters)
    page_number = request.GET.get("page") or 1
    if focus is not None:
        for index, row in enumerate(matrix.rows):
            if row.duty["pk"] == focus:
                page_number = index // ROWS_PER_PAGE + 1
                break
    page = Paginator(matrix.rows, ROWS_PER_PAGE).get_page(page_number)
    columns = matrix_history.page_columns(
        matrix, page.object_list, extra_role_ids=filters["extra_role_ids"]
    )
    return matrix, page, columns, len(matrix.columns) - len(columns)


def _cell_next_url(request: HttpRequest, scope: selectors.Scope) -> str:
    """Where a cell's own page (used without JavaScript) returns to: this page, written
    into every cell's link only when the cell page's way back (the department's matrix
    at that duty, which finds the duty's page itself) would lose the page's filters."""
    if scope.project is not None or any(key not in ("page", "focus") for key in request.GET):
        return request.get_full_path()
    return ""


def _can_add_duty(user, scope: selectors.Scope) -> bool:
    if scope.department is not None and permissions.can_manage_department(user, scope.department):
        return True
    return scope.project is not None and permissions.can_manage_project(user, scope.project)


def _picker_scopes(scope: selectors.Scope, project_filter: Project | None) -> dict:
    """What the on-demand role picker (role_picker.py) and the department switch need."""
    department_scope = {}
    if scope.department is not None:
        department_scope = {"department": scope.department.code}
        if project_filter:
            department_scope["project_filter"] = project_filter.code
    return {
        "department_scope": department_scope,
        "project_scope": {"project": scope.project.code} if scope.project is not None else {},
    }


def _filters(request: HttpRequest, scope: selectors.Scope) -> tuple[Project | None, bool, list]:
    """(a department matrix's project filter, only rows with findings, roles asked for)."""
    project_filter = None
    project_code = request.GET.get("project", "")
    if scope.department is not None and project_code:
        project_filter = Project.objects.filter(code__iexact=project_code).first()
    only_findings = request.GET.get("findings") == "1"
    return project_filter, only_findings, parse_numbers(request.GET.getlist("add_role"))


def _department_projects(scope: selectors.Scope) -> list[Project]:
    """A department matrix's projects, in one query: those with duties in the department
    (`has_duties`: the project filter) and those the department takes part in
    (`linked`: the "add a duty" form's choices). Plain SQL: the ORM's two EXISTS
    annotations cost 1.1 ms of Python to build, the two simpler queries they replace
    0.7 ms (docs/decisions.md)."""
    if scope.department is None:
        return []
    project, duty = table(Project), table(Duty)
    members = table(Project.departments.through)
    statement = f"""
        SELECT * FROM (
            SELECT p.*,
                   EXISTS (SELECT 1 FROM {duty} d
                           WHERE d.project_id = p.id AND d.department_id = %s) AS has_duties,
                   EXISTS (SELECT 1 FROM {members} m
                           WHERE m.project_id = p.id AND m.department_id = %s) AS linked
            FROM {project} p
        ) projects
        WHERE has_duties OR linked
        ORDER BY name, id
    """
    department_id = scope.department.pk
    return list(Project.objects.raw(statement, [department_id, department_id]))


def _department_choices(
    scope: selectors.Scope, departments: list[Department] | None, projects: list[Project]
) -> dict:
    """A department matrix's department switch and project filter choices."""
    if scope.department is None:
        return {"departments": [], "filter_projects": []}
    if departments is None:
        departments = list(Department.objects.order_by("name"))
    filter_projects = [project for project in projects if project.has_duties]
    return {"departments": departments, "filter_projects": filter_projects}


def render_matrix(
    request: HttpRequest,
    scope: selectors.Scope,
    *,
    title: str,
    base_url: str,
    departments: list[Department] | None = None,
    variant: matrix_page.Variant | None = None,
) -> HttpResponse:
    """The matrix page: live, as it was on a day, or a `variant` (a draft's letters)."""
    project_filter, only_findings, extra_role_ids = _filters(request, scope)
    as_of_date, as_of_error = _as_of(request.GET.get("as_of", "") if variant is None else "")
    if variant is not None:
        extra_role_ids = sorted(set(extra_role_ids) | variant.extra_role_ids)
    # The end of that day where the organisation is.
    as_of = _end_of(as_of_date) if as_of_date is not None else None
    matrix, page, columns, hidden_columns = _page_of_rows(
        request,
        scope,
        as_of=as_of,
        project_filter=project_filter,
        only_findings=only_findings,
        extra_role_ids=extra_role_ids,
    )
    # The past is read-only.
    editable = _editable_duty_ids(request.user, scope, page.object_list) if as_of is None else set()
    can_add_duty = as_of is None and _can_add_duty(request.user, scope)
    projects = _department_projects(scope)
    if variant is not None:
        variant.overlay(matrix)
        editable, can_add_duty = variant.editable(matrix.rows), False
    context = {
        "title": title,
        "scope": scope,
        "scope_token": _scope_token(scope),
        "matrix": matrix,
        "columns": columns,
        "hidden_columns": hidden_columns,
        "page": page,
        "editable": editable,
        "can_add_duty": can_add_duty,
        "duty_form": _duty_form(scope, projects) if can_add_duty else None,
        "can_add_column": bool(editable),
        **_picker_scopes(scope, project_filter),
        **_department_choices(scope, departments, projects),
        "project_filter": project_filter,
        "only_findings": only_findings,
        "extra_role_ids": extra_role_ids,
        "base_url": base_url,
        "next_url": _cell_next_url(request, scope),
        "letters": [(letter, raci.LETTER_LABELS[letter]) for letter in raci.LETTERS],
        "findings_url": _findings_url(scope),
        "as_of": as_of_date,
        "as_of_error": as_of_error,
        "today": timezone.localdate(),
    }
    return render(request, "responsibilities/matrix.html", context | _variant_context(variant))


def _variant_context(variant: matrix_page.Variant | None) -> dict:
    if variant is None:
        # Named even when empty: a variable the template misses costs it ten times
        # one it finds (Django looks for it in four ways), and a page asks ~300 times.
        return {"variant": None, "cell_prefix": "", "oob": False}
    return {
        **variant.context,
        "variant": variant,
        "cell_prefix": variant.cell_prefix,
        "findings_url": variant.findings_url,
    }


@require_GET
def department_matrix(request: HttpRequest, code: str) -> HttpResponse:
    # The department picker lists them all anyway: find this one among them.
    departments = list(Department.objects.order_by("name"))
    department = next((d for d in departments if d.code.upper() == code.upper()), None)
    if department is None:
        raise Http404("No such department")
    switch_to = request.GET.get("department", "")
    if switch_to and switch_to.upper() != department.code.upper():
        # Looked up, not echoed: a code with a slash cannot be reversed (500 before).
        other = get_object_or_404(Department, code__iexact=switch_to)
        return redirect("department-matrix", code=other.code)
    return render_matrix(
        request,
        selectors.Scope(department=department),
        title=department.name,
        base_url=reverse("department-matrix", args=[department.code]),
        departments=departments,
    )


def _cell_context(
    request, duty: Duty, role: Role, scope: selectors.Scope, next_url: str, *, read_cell=True
) -> dict:
    assignment = Assignment.objects.filter(duty=duty, role=role).first() if read_cell else None
    return {
        "duty": {"pk": duty.pk, "title": duty.title},
        "duty_obj": duty,
        "role": role,
        "column": {"role": role},
        "cell": {"letter": assignment.letter, "version": assignment.version}
        if assignment
        else None,
        "editable": {duty.pk},
        "scope_token": _scope_token(scope),
        "next_url": next_url,
        "letters": [(letter, raci.LETTER_LABELS[letter]) for letter in raci.LETTERS],
    }


def _cell_response(
    request,
    context: dict,
    scope: selectors.Scope,
    *,
    flash: str | None,
    status: int,
    row_findings: list[raci.Finding] | None = None,
):
    """The edited cell, plus its row's flags, the page's summary and a message, swapped
    out of band, read from the stored findings for the matrix the edit came from."""
    if row_findings is None:
        row_findings = selectors.stored_findings(duty_ids=[context["duty"]["pk"]])
    summary = selectors.stored_summary(scope)
    context |= {
        "row": {"findings": row_findings},
        "matrix": {"summary": summary, "findings_total": sum(summary.values())},
        "findings_url": _findings_url(scope),
        "flash": flash,
    }
    return render(request, "responsibilities/matrix.html#cell-response", context, status=status)


def _changed_by_message(result: services.CellResult) -> str:
    change = result.last_change
    current = (
        raci.LETTER_LABELS.get(result.assignment.letter, "") if result.assignment else _("empty")
    )
    if change is None:
        return _(
            "This cell was changed by someone else; it is now %(value)s. Your change was not applied."
        ) % {"value": current}
    when = formats.time_format(timezone.localtime(change.changed_at), "H:i")
    who = change.changed_by.profile.name if change.changed_by else _("an import")
    return _(
        "Changed by %(who)s at %(when)s: it is now %(value)s. Your change was not applied."
    ) % {
        "who": who,
        "when": when,
        "value": current,
    }


def _cell_error_message(error: Exception) -> str:
    code = getattr(error, "code", "")
    if code == raci.UnknownLetter.code:
        return _('"%(value)s" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.') % {
            "value": raci.quote(getattr(error, "value", ""), 20)
        }
    return _("The edit was malformed; reload the page.")


def _cell_of(request: HttpRequest, duty_id: int, role_id: int) -> tuple[Duty, Role]:
    duties = Duty.objects.select_related("department", "project")
    roles = Role.objects.select_related("department")
    if request.method == "POST":
        # With what the edit's findings read of the role and the department's head.
        duties, roles = findings_facts.with_head(duties), findings_facts.with_loads(roles)
    return get_object_or_404(duties, pk=duty_id), get_object_or_404(roles, pk=role_id)


@require_http_methods(["GET", "POST"])
def matrix_cell(request: HttpRequest, duty_id: int, role_id: int) -> HttpResponse:
    duty, role = _cell_of(request, duty_id, role_id)
    if not can_edit_duty(request.user, duty):
        raise PermissionDenied(
            _("You may not edit the assignments of “%(duty)s”.") % {"duty": duty.title}
        )
    scope = _scope_from_token(request.POST.get("scope") or request.GET.get("scope", ""), duty)
    fallback = reverse("department-matrix", args=[duty.department.code]) + f"?focus={duty.pk}"
    # A POST shows the cell as the service leaves it: no need to read it first.
    context = _cell_context(
        request, duty, role, scope, _safe_next(request, fallback), read_cell=request.method == "GET"
    )
    if request.method == "GET":
        if request.htmx:
            partial = "raci-cell" if request.GET.get("display") else "cell-editor"
            return render(request, f"responsibilities/matrix.html#{partial}", context)
        return render(request, "responsibilities/cell_edit.html", context)

    try:
        letter = raci.parse_letter(request.POST.get("letter", ""))
        expected_version = parse_number(request.POST.get("version", ""))
        if expected_version is None:
            raise services.BadVersion(request.POST.get("version", "")[:20])
        result = services.assignment_set(
            duty=duty,
            role=role,
            letter=letter,
            expected_version=expected_version,
            by=request.user,
        )
    except (raci.UnknownLetter, services.AssignmentError) as error:
        # Chosen by code: the exception's own text may be in another language.
        message = _cell_error_message(error)
        if request.htmx:
            cell = Assignment.objects.filter(duty=duty, role=role).first()
            context["cell"] = {"letter": cell.letter, "version": cell.version} if cell else None
            return _cell_response(request, context, scope, flash=message, status=422)
        return HttpResponseBadRequest(message)

    message = None if result.applied else _changed_by_message(result)
    if request.htmx:
        context["cell"] = (
            {"letter": result.assignment.letter, "version": result.assignment.version}
            if result.assignment
            else None
        )
        return _cell_response(
            request,
            context,
            scope,
            flash=message,
            status=200 if result.applied else 409,
            row_findings=result.findings,
        )
    if message:
        messages.warning(request, message)
    return redirect(_safe_next(request, fallback))


@require_GET
def project_matrix(request: HttpRequest, code: str) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("coordinator"), code__iexact=code)
    return render_matrix(
        request,
        selectors.Scope(project=project),
        title=project.name,
        base_url=reverse("project-matrix", args=[project.code]),
    )
