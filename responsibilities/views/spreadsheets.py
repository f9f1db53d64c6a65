"""Matrix exports (XLSX, CSV) and the import pages for a RACI matrix and for people.

An import page works in two requests: the upload is read and checked, and the page
shows what would change and every problem (nothing written); the confirmation then
plans again against the database as it is by then and applies, in one transaction.
Between the two, the file waits in the cache (Redis in production, so any web
process can take the confirmation) under a random token bound to the user.
"""

from __future__ import annotations

import secrets
import tempfile
import zlib

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.models import Department, Project

from .. import selectors
from ..spreadsheets import exports, imports
from ..spreadsheets.forms import PeopleImportForm, RaciImportForm
from ..spreadsheets.sheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    SpreadsheetError,
    read_table,
    read_upload,
)

PENDING_SECONDS = 60 * 60
# A preview lists this many changes and problems; the counts above it are complete.
PREVIEW_LIMIT = 500

# ------------------------------------------------------------------ exports


def _export(scope: selectors.Scope, fmt: str, request: HttpRequest) -> HttpResponse:
    shape = request.GET.get("shape", "")
    if shape not in exports.SHAPES:
        shape = exports.default_shape(scope)
    filename = exports.filename(scope, fmt, shape)
    if fmt == "csv":
        return StreamingHttpResponse(
            exports.csv_stream(scope, shape),
            content_type=CSV_CONTENT_TYPE,
            headers={"Content-Disposition": content_disposition_header(True, filename)},
        )
    # Written to a temporary file, not memory: FileResponse streams it and closes it.
    workbook = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        exports.write_xlsx(scope, shape, workbook)
    except BaseException:
        workbook.close()
        raise
    workbook.seek(0)
    return FileResponse(
        workbook, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@require_GET
def department_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("head"), code__iexact=code)
    return _export(selectors.Scope(department=department), fmt, request)


@require_GET
def project_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    project = get_object_or_404(Project, code__iexact=code)
    return _export(selectors.Scope(project=project), fmt, request)


@require_GET
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return _export(selectors.Scope(), fmt, request)


# ------------------------------------------------------------------ pending uploads


def _pending_key(request: HttpRequest, kind: str, token: str) -> str:
    return f"orgmap:import:{kind}:{request.user.pk}:{token}"


def _stash(request: HttpRequest, kind: str, data: bytes, filename: str, **options) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(
        _pending_key(request, kind, token),
        {"data": zlib.compress(data), "filename": filename, **options},
        PENDING_SECONDS,
    )
    return token


def _unstash(request: HttpRequest, kind: str) -> tuple[str, dict | None]:
    token = request.POST.get("token", "")
    if not token:
        return token, None
    pending = cache.get(_pending_key(request, kind, token))
    if pending is not None:
        pending = {**pending, "data": zlib.decompress(pending["data"])}
    return token, pending


def _file_problem(error: SpreadsheetError) -> imports.Problem:
    return imports.Problem(error.row, "", "", error.message)


# ------------------------------------------------------------------ RACI import


def _raci_may_import(user) -> imports.MayImport | None:
    """None: everything (org admins); otherwise exactly the cells the user may edit by
    hand (permissions.can_edit_duty), so that the import and the matrix agree."""
    if permissions.is_org_admin(user):
        return None
    return lambda department_id, project_id: permissions.can_edit_duty(
        user, department_id=department_id, project_id=project_id
    )


def _raci_done_url(plan: imports.RaciPlan) -> str:
    if plan.project is not None:
        return reverse("project-matrix", args=[plan.project.code])
    if plan.department is not None:
        return reverse("department-matrix", args=[plan.department.code])
    codes = {change.department_code for change in plan.creates + plan.updates}
    codes |= {new.department.code for new in plan.new_duties}
    if len(codes) == 1:
        return reverse("department-matrix", args=[codes.pop()])
    return reverse("findings")


def _raci_initial(request: HttpRequest) -> dict:
    initial = {}
    if code := request.GET.get("department"):
        department = Department.objects.filter(code__iexact=code).first()
        if department is not None:
            initial["department"] = department.code
    if code := request.GET.get("project"):
        project = Project.objects.filter(code__iexact=code).first()
        if project is not None:
            initial["project"] = project.code
    return initial


def _render_raci(request: HttpRequest, context: dict) -> HttpResponse:
    context.setdefault("limit", PREVIEW_LIMIT)
    context.setdefault("limit_slice", f":{PREVIEW_LIMIT}")
    context["can_import_people"] = permissions.is_org_admin(request.user) or permissions.is_hr(
        request.user
    )
    return render(request, "responsibilities/import_raci.html", context)


@require_http_methods(["GET", "POST"])
def raci_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_import_matrix(user):
        raise PermissionDenied(
            _(
                "You may not import a RACI matrix: org admins, HR, department managers and project coordinators may."
            )
        )
    if request.method == "POST" and "token" in request.POST:
        return _raci_confirm(request)
    if request.method == "GET":
        form = RaciImportForm(user=user, initial=_raci_initial(request))
        return _render_raci(request, {"form": form})
    form = RaciImportForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return _render_raci(request, {"form": form})
    department, project = form.cleaned_data["department"], form.cleaned_data["project"]
    upload = form.cleaned_data["file"]
    try:
        table, data = read_upload(upload)
    except SpreadsheetError as error:
        return _render_raci(request, {"form": form, "file_problems": [_file_problem(error)]})
    plan = imports.plan_raci(
        table, department=department, project=project, may_import=_raci_may_import(user)
    )
    context = {"form": form, "plan": plan, "filename": upload.name}
    if plan.valid:
        context["token"] = _stash(
            request,
            "raci",
            data,
            upload.name or "",
            department_id=department.pk if department else None,
            project_id=project.pk if project else None,
        )
    return _render_raci(request, context)


def _raci_confirm(request: HttpRequest) -> HttpResponse:
    user = request.user
    token, pending = _unstash(request, "raci")
    if pending is None:
        messages.error(
            request, _("This upload has expired or was already imported; upload the file again.")
        )
        return redirect("import-raci")
    department = Department.objects.filter(pk=pending["department_id"]).first()
    project = Project.objects.filter(pk=pending["project_id"]).first()
    if not permissions.can_import_matrix_into(user, department=department, project=project):
        raise PermissionDenied(_("You may no longer import into this department or project."))
    form = RaciImportForm(
        user=user,
        initial={
            "department": department.code if department else None,
            "project": project.code if project else None,
        },
    )
    try:
        table = read_table(pending["data"], pending["filename"])
    except SpreadsheetError as error:  # cannot happen for a file read once, but be exact
        return _render_raci(request, {"form": form, "file_problems": [_file_problem(error)]})
    plan = imports.raci_import(
        table,
        department=department,
        project=project,
        by=user,
        may_import=_raci_may_import(user),
    )
    if not plan.applied:
        # The database changed since the preview in a way that makes the file invalid.
        return _render_raci(request, {"form": form, "plan": plan, "filename": pending["filename"]})
    cache.delete(_pending_key(request, "raci", token))
    summary = plan.summary()
    messages.success(
        request,
        _(
            "Imported %(filename)s. Duties created: %(duties)s. Cells set: %(created)s, changed: %(updated)s, already so: %(unchanged)s."
        )
        % {
            "filename": pending["filename"],
            "duties": summary["duties_created"],
            "created": summary["assignments_created"],
            "updated": summary["assignments_updated"],
            "unchanged": summary["assignments_unchanged"],
        },
    )
    return redirect(_raci_done_url(plan))


# ------------------------------------------------------------------ people import


def _render_people(request: HttpRequest, context: dict) -> HttpResponse:
    context.setdefault("limit", PREVIEW_LIMIT)
    context.setdefault("limit_slice", f":{PREVIEW_LIMIT}")
    context.setdefault("can_import_matrix", permissions.can_import_matrix(request.user))
    return render(request, "responsibilities/import_people.html", context)


@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    if not (permissions.is_org_admin(request.user) or permissions.is_hr(request.user)):
        raise PermissionDenied(_("Only org admins and HR may import people."))
    if request.method == "POST" and "token" in request.POST:
        return _people_confirm(request)
    if request.method == "GET":
        return _render_people(request, {"form": PeopleImportForm()})
    form = PeopleImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_people(request, {"form": form})
    upload = form.cleaned_data["file"]
    try:
        table, data = read_upload(upload)
    except SpreadsheetError as error:
        return _render_people(request, {"form": form, "file_problems": [_file_problem(error)]})
    plan = imports.plan_people(table)
    context = {"form": form, "plan": plan, "filename": upload.name}
    if plan.valid:
        context["token"] = _stash(request, "people", data, upload.name or "")
    return _render_people(request, context)


def _people_confirm(request: HttpRequest) -> HttpResponse:
    token, pending = _unstash(request, "people")
    if pending is None:
        messages.error(
            request, _("This upload has expired or was already imported; upload the file again.")
        )
        return redirect("import-people")
    form = PeopleImportForm()
    try:
        table = read_table(pending["data"], pending["filename"])
    except SpreadsheetError as error:
        return _render_people(request, {"form": form, "file_problems": [_file_problem(error)]})
    plan = imports.people_import(table)
    if not plan.applied:
        return _render_people(
            request, {"form": form, "plan": plan, "filename": pending["filename"]}
        )
    cache.delete(_pending_key(request, "people", token))
    summary = plan.summary()
    messages.success(
        request,
        _(
            "Imported %(filename)s. Created: departments %(departments)s, roles %(roles)s, people %(people)s. Role holdings added: %(holdings)s."
        )
        % {
            "filename": pending["filename"],
            "departments": summary["departments_created"],
            "roles": summary["roles_created"],
            "people": summary["people_created"],
            "holdings": summary["holdings_created"],
        },
    )
    return redirect("org-overview")
