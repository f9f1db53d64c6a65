"""Background jobs that users start and follow on a page: bulk exports of role
descriptions (responsibilities/exports_bulk.py) and large imports
(responsibilities/spreadsheets/import_jobs.py). Imported by models.py, so Django
registers them with the app."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department


class ExportJob(models.Model):
    """A bulk export of role descriptions, built by a Celery task into a zip file
    that its requester can download for a day."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word (DOCX)")
        BOTH = "both", _("PDF and Word")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Empty: the whole organisation."),
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.PDF
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.get_format_display()} export {self.id} ({self.status})"

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done / self.total)
            if self.total
            else (100 if self.status == self.Status.DONE else 0)
        )


class ImportJob(models.Model):
    """A large spreadsheet import, checked and then applied by Celery tasks.

    The upload waits in the default storage (`file_name`) until the job is applied or
    expires; `report` is the check's report as the import page shows it, rendered in
    the requester's language by the task that made it."""

    class Kind(models.TextChoices):
        RACI = "raci", _("RACI matrix")
        PEOPLE = "people", _("people")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        CHECKED = "checked", _("checked")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    class Step(models.TextChoices):
        CHECK = "check", _("check")
        APPLY = "apply", _("apply")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "orgmap.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    file_name = models.CharField(max_length=200, blank=True)  # the upload in the storage
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.CHECK)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)  # rows, estimated before reading
    done = models.PositiveIntegerField(default=0)  # rows read so far
    valid = models.BooleanField(default=False)
    has_changes = models.BooleanField(default=False)
    report = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # of the step running
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.kind} import {self.id} ({self.step}, {self.status})"

    @property
    def lost(self) -> bool:
        """Running past its hard time limit: its worker died (a killed step's
        transaction was rolled back, so nothing of it was written)."""
        if self.status != self.Status.RUNNING or self.started_at is None:
            return False
        limit = datetime.timedelta(seconds=settings.IMPORT_TIME_LIMIT_SECONDS + 120)
        return self.started_at < timezone.now() - limit

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.lost

    @property
    def percent(self) -> int:
        if not self.in_progress:
            return 100
        return min(99, int(100 * self.done / self.total)) if self.total else 0
