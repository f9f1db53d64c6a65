"""Bulk exports of role descriptions: a zip built by a Celery task, kept for a day.

The zip is kept in Django's default storage (MEDIA_ROOT on a volume that the web and
worker containers share; see docs/production.md), so that whichever web process answers
the download finds the file the worker wrote."""

from __future__ import annotations

import datetime
import logging
import tempfile
import zipfile

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgmap.models import Department, Role
from orgmap.selectors import department_descendant_ids

from .models import ExportJob
from .role_documents import PdfRenderTimeout, render_document

logger = logging.getLogger(__name__)

# The zips' folder in the default storage; a finished job's `file_name` is the zip's
# name there.
EXPORT_FOLDER = "exports"


def export_roles(job: ExportJob):
    roles = Role.objects.filter(active=True).select_related("department", "reports_to__department")
    if job.department_id:
        roles = roles.filter(department_id__in=department_descendant_ids([job.department_id]))
    return roles.order_by("department__name", "title")


# The task by its registered name: tasks.py imports this module, not the other way round.
EXPORT_TASK = "responsibilities.export_role_descriptions"


def export_job_create(
    *, by: AbstractBaseUser, department: Department | None, fmt: str
) -> ExportJob:
    job = ExportJob.objects.create(
        requested_by=by,
        department=department,
        format=fmt,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS),
    )
    # The worker must find the job row: enqueue only once it is committed.
    transaction.on_commit(lambda: current_app.tasks[EXPORT_TASK].delay(str(job.pk)))
    return job


def export_job_run(*, job_id: str) -> None:
    # Claim the job: a redelivered task (acks_late) finds it no longer queued.
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("requested_by__profile").get(pk=job_id)
    roles = list(export_roles(job))
    ExportJob.objects.filter(pk=job.pk).update(total=len(roles))
    formats = ["pdf", "docx"] if job.format == ExportJob.Format.BOTH else [job.format]
    language = job.requested_by.profile.preferred_language
    too_slow: list[str] = []
    try:
        # Built in a local scratch file, then handed to the storage in one piece: the
        # storage never holds half a zip.
        with tempfile.TemporaryFile(suffix=".zip") as scratch:
            with zipfile.ZipFile(scratch, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, role in enumerate(roles, start=1):
                    for fmt in formats:
                        try:
                            content, _content_type, name = render_document(
                                role, fmt, language=language
                            )
                        except PdfRenderTimeout:
                            # One slow document costs its own file, not the export.
                            logger.warning(
                                "Export %s: PDF of role %s took too long", job.pk, role.pk
                            )
                            too_slow.append(f"{role.department.code}: {role.title}")
                            continue
                        archive.writestr(f"{role.department.code}/{name}", content)
                    ExportJob.objects.filter(pk=job.pk).update(done=done)
                with translation.override(language):
                    note = _too_slow_note(too_slow)
                if note:
                    archive.writestr("PROBLEMS.txt", note + "\n")
            scratch.seek(0)
            stored = default_storage.save(f"{EXPORT_FOLDER}/{job.pk}.zip", File(scratch))
    except SoftTimeLimitExceeded:
        logger.error("Export %s stopped at the task's time limit", job.pk)
        with translation.override(language):
            message = _("The export took too long and was stopped. Export fewer roles at once.")
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
        )
        return
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file_name=stored,
        error=note,
        finished_at=timezone.now(),
    )


def _too_slow_note(roles: list[str]) -> str:
    if not roles:
        return ""
    return _(
        "These PDFs took longer than %(seconds)s seconds and are not in the zip "
        "(the DOCX files are, if asked for): %(roles)s"
    ) % {"seconds": settings.PDF_RENDER_TIMEOUT_SECONDS, "roles": "; ".join(roles)}


def export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files and rows of exports past their expiry."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        if job.file_name:
            default_storage.delete(job.file_name)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
