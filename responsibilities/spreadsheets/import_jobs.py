"""Large imports as Celery jobs: the upload is stored, a task checks it (the same read,
the same plan and the same report as an import inside the request), the requester
confirms, and a second task applies it in one transaction.

The upload waits in Django's default storage (MEDIA_ROOT on the volume the web and
worker containers share, like the bulk exports of exports_bulk.py) until the job is
applied or expires. The report is rendered by the task, in the requester's language,
from the same template partial as the import page's: a plan holds model instances that
do not outlive the task, and the page must show exactly what the check found."""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Callable

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgmap import permissions
from orgmap.models import Department, Project

from ..models import ImportJob
from . import imports
from .sheets import SpreadsheetError, read_table

logger = logging.getLogger(__name__)

IMPORT_FOLDER = "imports"
# The tasks by their registered names: tasks.py imports this module, not the reverse.
CHECK_TASK = "responsibilities.import_check"
APPLY_TASK = "responsibilities.import_apply"
# A report lists this many changes and problems; the counts above it are complete.
PREVIEW_LIMIT = 500
TEMPLATES = {
    ImportJob.Kind.RACI: "responsibilities/import_raci.html#report",
    ImportJob.Kind.PEOPLE: "responsibilities/import_people.html#report",
}


def checked_inline(rows: int, columns: int) -> bool:
    """Whether a file of about this size is read and checked inside the web request:
    its rows and its cells (rows × columns: a wide matrix of 2,000 duties × 400 roles
    costs what 100 times as many rows of a long file do) are both small."""
    return (
        rows <= settings.IMPORT_INLINE_MAX_ROWS
        and rows * columns <= settings.IMPORT_INLINE_MAX_CELLS
    )


# ------------------------------------------------------------------ shared with the views


def raci_may_import(user) -> imports.MayImport | None:
    """None: everything (org admins); otherwise exactly the cells the user may edit by
    hand (permissions.can_edit_duty), so that the import and the matrix agree."""
    if permissions.is_org_admin(user):
        return None
    return lambda department_id, project_id: permissions.can_edit_duty(
        user, department_id=department_id, project_id=project_id
    )


def raci_done_url(plan: imports.RaciPlan) -> str:
    """Where an applied RACI import leads: the matrix it wrote, if it wrote one."""
    if plan.project is not None:
        return reverse("project-matrix", args=[plan.project.code])
    if plan.department is not None:
        return reverse("department-matrix", args=[plan.department.code])
    codes = {change.department_code for change in plan.creates + plan.updates}
    codes |= {new.department.code for new in plan.new_duties}
    if len(codes) == 1:
        return reverse("department-matrix", args=[codes.pop()])
    return reverse("findings")


def render_report(kind: str, **context) -> str:
    """The report section of an import page: a plan's, or a file's problems."""
    context.setdefault("limit", PREVIEW_LIMIT)
    context.setdefault("limit_slice", f":{PREVIEW_LIMIT}")
    return render_to_string(TEMPLATES[kind], context)


def file_problem(error: SpreadsheetError) -> imports.Problem:
    return imports.Problem(error.row, "", "", error.message)


# ------------------------------------------------------------------ creating and confirming


def import_job_create(
    *,
    by: AbstractBaseUser,
    kind: str,
    data: bytes,
    filename: str,
    rows: int,
    department: Department | None = None,
    project: Project | None = None,
) -> ImportJob:
    job = ImportJob(
        kind=kind,
        requested_by=by,
        department=department,
        project=project,
        filename=os.path.basename(filename)[:255],
        total=rows,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.IMPORT_RETENTION_HOURS),
    )
    extension = os.path.splitext(filename)[1].lower()[:10]
    job.file_name = default_storage.save(f"{IMPORT_FOLDER}/{job.pk}{extension}", ContentFile(data))
    job.save()
    # The worker must find the job row: enqueue only once it is committed.
    transaction.on_commit(lambda: current_app.tasks[CHECK_TASK].delay(str(job.pk)))
    return job


def import_job_confirm(*, job: ImportJob) -> bool:
    """Queue the apply step of a checked, valid job; False if it is not (any more) one."""
    queued = ImportJob.objects.filter(
        pk=job.pk,
        step=ImportJob.Step.CHECK,
        status=ImportJob.Status.CHECKED,
        valid=True,
        has_changes=True,
        expires_at__gt=timezone.now(),
    ).update(step=ImportJob.Step.APPLY, status=ImportJob.Status.QUEUED, done=0)
    if queued:
        transaction.on_commit(lambda: current_app.tasks[APPLY_TASK].delay(str(job.pk)))
    return bool(queued)


# ------------------------------------------------------------------ the tasks' work


def _claim(job_id: str, step: str) -> ImportJob | None:
    # A redelivered task (acks_late) finds the job no longer queued.
    claimed = ImportJob.objects.filter(pk=job_id, step=step, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    return ImportJob.objects.select_related("requested_by__profile", "department", "project").get(
        pk=job_id
    )


def _finish(job: ImportJob, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)


def _progress(job: ImportJob) -> Callable[[int], None]:
    def report(rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(done=rows)

    return report


def _read(job: ImportJob):
    with default_storage.open(job.file_name, "rb") as handle:
        data = handle.read()
    return read_table(data, job.filename, progress=_progress(job))


def _language(job: ImportJob) -> str:
    profile = getattr(job.requested_by, "profile", None)
    return getattr(profile, "preferred_language", "") or settings.LANGUAGE_CODE


def _run(job: ImportJob, work: Callable[[ImportJob], dict]) -> None:
    """Run one step of a job in its requester's language; a failure is recorded."""
    with translation.override(_language(job)):
        try:
            fields = work(job)
        except SoftTimeLimitExceeded:
            logger.error("Import %s stopped at the task's time limit", job.pk)
            fields = {
                "status": ImportJob.Status.FAILED,
                "error": _("The import took too long and was stopped. Split the file."),
            }
        except Exception as error:
            logger.exception("Import %s failed", job.pk)
            fields = {"status": ImportJob.Status.FAILED, "error": str(error)[:2000]}
    _finish(job, **fields)


def _plan(job: ImportJob, table, *, apply: bool):
    user = job.requested_by
    if job.kind == ImportJob.Kind.PEOPLE:
        return imports.people_import(table, dry_run=not apply)
    return imports.raci_import(
        table,
        department=job.department,
        project=job.project,
        by=user,
        may_import=raci_may_import(user),
        dry_run=not apply,
    )


def _check(job: ImportJob) -> dict:
    try:
        table = _read(job)
    except SpreadsheetError as error:
        report = render_report(job.kind, file_problems=[file_problem(error)], filename=job.filename)
        return {"status": ImportJob.Status.CHECKED, "valid": False, "report": report}
    plan = _plan(job, table, apply=False)
    return {
        "status": ImportJob.Status.CHECKED,
        "valid": plan.valid,
        "has_changes": plan.has_changes,
        "report": render_report(job.kind, plan=plan, filename=job.filename),
        "summary": plan.summary(),
        "done": len(table.rows),
    }


def _apply(job: ImportJob) -> dict:
    try:
        table = _read(job)
    except SpreadsheetError as error:  # the file was read once: only if it vanished
        report = render_report(job.kind, file_problems=[file_problem(error)], filename=job.filename)
        return {"status": ImportJob.Status.CHECKED, "valid": False, "report": report}
    plan = _plan(job, table, apply=True)
    if not plan.applied:
        # The database changed since the check in a way that makes the file invalid.
        return {
            "status": ImportJob.Status.CHECKED,
            "valid": False,
            "report": render_report(job.kind, plan=plan, filename=job.filename),
        }
    summary = plan.summary()
    summary["done_url"] = (
        raci_done_url(plan) if job.kind == ImportJob.Kind.RACI else reverse("org-overview")
    )
    default_storage.delete(job.file_name)
    return {"status": ImportJob.Status.APPLIED, "summary": summary, "file_name": ""}


def import_job_check(*, job_id: str) -> None:
    job = _claim(job_id, ImportJob.Step.CHECK)
    if job is not None:
        _run(job, _check)


def import_job_apply(*, job_id: str) -> None:
    job = _claim(job_id, ImportJob.Step.APPLY)
    if job is not None:
        _run(job, _apply)


def import_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploads and rows of import jobs past their expiry."""
    now = now or timezone.now()
    expired = list(ImportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        if job.file_name:
            default_storage.delete(job.file_name)
    ImportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
