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
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgmap import permissions
from orgmap.models import Department, Project

from .. import selectors
from ..models import ImportJob
from ..spreadsheets import exports, imports
from ..spreadsheets.forms import PeopleImportForm, RaciImportForm
from ..spreadsheets.import_jobs import (
    PREVIEW_LIMIT,
    checked_inline,
    file_problem,
    import_job_confirm,
    import_job_create,
    raci_done_url,
    raci_may_import,
)
from ..spreadsheets.sheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    SpreadsheetError,
    Table,
    estimate_size,
    read_table,
    upload_data,
)

PENDING_SECONDS = 60 * 60

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


def _read_or_queue(
    request: HttpRequest, kind: str, upload, **where
) -> tuple[Table, bytes] | HttpResponse:
    """A small upload's table, read in the request; a larger one becomes an import job
    checked by a worker, and the answer is the job's page. Raises SpreadsheetError."""
    data = upload_data(upload)
    rows, columns = estimate_size(data)  # cheap: counts lines, or rows in the sheet's XML
    if not checked_inline(rows, columns):
        job = import_job_create(
            by=request.user, kind=kind, data=data, filename=upload.name or "", rows=rows, **where
        )
        return redirect("import-job", pk=job.pk)
    return read_table(data, upload.name or ""), data


def _raci_done_message(filename: str, summary: dict) -> str:
    return _(
        "Imported %(filename)s. Duties created: %(duties)s. Cells set: %(created)s, changed: %(updated)s, already so: %(unchanged)s."
    ) % {
        "filename": filename,
        "duties": summary["duties_created"],
        "created": summary["assignments_created"],
        "updated": summary["assignments_updated"],
        "unchanged": summary["assignments_unchanged"],
    }


def _people_done_message(filename: str, summary: dict) -> str:
    return _(
        "Imported %(filename)s. Created: departments %(departments)s, roles %(roles)s, people %(people)s. Role holdings added: %(holdings)s."
    ) % {
        "filename": filename,
        "departments": summary["departments_created"],
        "roles": summary["roles_created"],
        "people": summary["people_created"],
        "holdings": summary["holdings_created"],
    }


# ------------------------------------------------------------------ RACI import


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
        read = _read_or_queue(
            request, ImportJob.Kind.RACI, upload, department=department, project=project
        )
    except SpreadsheetError as error:
        return _render_raci(request, {"form": form, "file_problems": [file_problem(error)]})
    if isinstance(read, HttpResponse):
        return read
    table, data = read
    plan = imports.plan_raci(
        table, department=department, project=project, may_import=raci_may_import(user)
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
        return _render_raci(request, {"form": form, "file_problems": [file_problem(error)]})
    plan = imports.raci_import(
        table,
        department=department,
        project=project,
        by=user,
        may_import=raci_may_import(user),
    )
    if not plan.applied:
        # The database changed since the preview in a way that makes the file invalid.
        return _render_raci(request, {"form": form, "plan": plan, "filename": pending["filename"]})
    cache.delete(_pending_key(request, "raci", token))
    messages.success(request, _raci_done_message(pending["filename"], plan.summary()))
    return redirect(raci_done_url(plan))


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
        read = _read_or_queue(request, ImportJob.Kind.PEOPLE, upload)
    except SpreadsheetError as error:
        return _render_people(request, {"form": form, "file_problems": [file_problem(error)]})
    if isinstance(read, HttpResponse):
        return read
    table, data = read
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
        return _render_people(request, {"form": form, "file_problems": [file_problem(error)]})
    plan = imports.people_import(table)
    if not plan.applied:
        return _render_people(
            request, {"form": form, "plan": plan, "filename": pending["filename"]}
        )
    cache.delete(_pending_key(request, "people", token))
    messages.success(request, _people_done_message(pending["filename"], plan.summary()))
    return redirect("org-overview")


# ------------------------------------------------------------------ import jobs


def _get_import_job_for_user(user, pk) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("department", "project"), pk=pk)
    # An upload can hold a whole staff list: only its uploader sees it.
    if job.requested_by_id != user.pk:
        raise PermissionDenied(_("This import belongs to someone else."))
    return job


def _import_job_context(job: ImportJob) -> dict:
    done_message = ""
    if job.status == ImportJob.Status.APPLIED:
        done = _raci_done_message if job.kind == ImportJob.Kind.RACI else _people_done_message
        done_message = done(job.filename, job.summary)
    return {
        "job": job,
        # Rendered by the job's task from the import page's own template (escaped there).
        "report": mark_safe(job.report),
        "done_message": done_message,
        "expired": job.expires_at <= timezone.now(),
        "import_url": reverse(
            "import-raci" if job.kind == ImportJob.Kind.RACI else "import-people"
        ),
    }


@require_GET
def import_job(request: HttpRequest, pk) -> HttpResponse:
    job = _get_import_job_for_user(request.user, pk)
    context = _import_job_context(job)
    if request.htmx:
        return render(request, "responsibilities/import_job.html#state", context)
    return render(request, "responsibilities/import_job.html", context)


@require_POST
def import_job_apply(request: HttpRequest, pk) -> HttpResponse:
    job = _get_import_job_for_user(request.user, pk)
    user = request.user
    if job.kind == ImportJob.Kind.RACI:
        allowed = permissions.can_import_matrix_into(
            user, department=job.department, project=job.project
        )
    else:
        allowed = permissions.is_org_admin(user) or permissions.is_hr(user)
    if not allowed:
        raise PermissionDenied(_("You may no longer import into this department or project."))
    if not import_job_confirm(job=job):
        messages.error(
            request,
            _(
                "This import cannot be applied (any more): it has expired, was applied, or has problems."
            ),
        )
    return redirect("import-job", pk=job.pk)
