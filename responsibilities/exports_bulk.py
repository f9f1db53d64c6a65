"""Bulk exports of role descriptions: a zip built by a Celery task, kept for a day."""

from __future__ import annotations

import datetime
import logging
import zipfile
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from orgmap.models import Department, Role
from orgmap.selectors import department_descendant_ids

from .models import ExportJob
from .role_documents import render_document

logger = logging.getLogger(__name__)


def export_path(job: ExportJob) -> Path:
    return Path(settings.EXPORT_DIR) / f"{job.pk}.zip"


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
    target = export_path(job)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    language = job.requested_by.profile.preferred_language
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, role in enumerate(roles, start=1):
                for fmt in formats:
                    content, _content_type, name = render_document(role, fmt, language=language)
                    archive.writestr(f"{role.department.code}/{name}", content)
                ExportJob.objects.filter(pk=job.pk).update(done=done)
        partial.replace(target)
    except Exception as error:
        logger.exception("Export %s failed", job.pk)
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, file_name=target.name, finished_at=timezone.now()
    )


def export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files and rows of exports past their expiry."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now))
    for job in expired:
        export_path(job).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)
