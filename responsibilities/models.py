"""Duties and who is Responsible, Accountable, Consulted or Informed for them."""

from __future__ import annotations

import datetime
import uuid

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Role

from . import raci


class Duty(models.Model):
    class Frequency(models.TextChoices):
        AS_NEEDED = "as_needed", _("as needed")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")

    title = models.CharField(_("title"), max_length=500)
    # raci.duty_identity(title): a title is unique in its department or project.
    title_key = models.CharField(max_length=500, db_index=True, editable=False)
    # raci.normalise_title(title): the same work written twice, across departments too.
    match_key = models.CharField(max_length=500, db_index=True, editable=False, default="")
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="duties",
    )
    project = models.ForeignKey(
        "collaboration.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duties",
    )
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, blank=True
    )
    kpis = models.TextField(_("measures (KPIs)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Periodic review, as for roles (Role.review_cadence_months / last_reviewed_on).
    review_cadence_months = models.PositiveSmallIntegerField(
        _("review cadence"),
        choices=Role.ReviewCadence.choices,
        null=True,
        blank=True,
        default=Role.ReviewCadence.YEARLY,
        help_text=_("How often the duty should be reviewed."),
    )
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        constraints = [
            models.UniqueConstraint(
                "department",
                "title_key",
                condition=Q(project__isnull=True),
                name="duty_title_unique_in_department",
                violation_error_message=_("This department already has a duty with this title."),
            ),
            models.UniqueConstraint(
                "project",
                "title_key",
                condition=Q(project__isnull=False),
                name="duty_title_unique_in_project",
                violation_error_message=_("This project already has a duty with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.title_key = raci.duty_identity(self.title)
        self.match_key = raci.normalise_title(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_key", "match_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("duty-detail", args=[self.pk])

    @property
    def next_review_due(self) -> datetime.date | None:
        if not self.review_cadence_months or not self.last_reviewed_on:
            return None
        return self.last_reviewed_on + relativedelta(months=self.review_cadence_months)

    def clean(self) -> None:
        # Model validation of the unique constraints reads title_key.
        self.title_key = raci.duty_identity(self.title or "")


class Assignment(models.Model):
    """One cell of the matrix. Written only through services.assignment_set, which
    checks the version (optimistic locking) and records the change in history."""

    class Letter(models.TextChoices):
        R = raci.R, _("Responsible")
        A = raci.A, _("Accountable")
        C = raci.C, _("Consulted")
        I = raci.I, _("Informed")  # noqa: E741
        AR = raci.AR, _("Accountable and responsible (A/R)")

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    letter = models.CharField(max_length=2, choices=Letter.choices)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint("duty", "role", name="one_assignment_per_duty_and_role"),
            models.CheckConstraint(
                condition=Q(letter__in=raci.LETTERS), name="assignment_letter_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duty} / {self.role}: {self.label}"

    @property
    def label(self) -> str:
        return raci.LETTER_LABELS[self.letter]


class AssignmentChange(models.Model):
    """History: one row per change of a cell, written in the same transaction."""

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="changes")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignment_changes")
    before = models.CharField(max_length=2, blank=True)
    after = models.CharField(max_length=2, blank=True)
    version = models.PositiveIntegerField(
        help_text=_("Version of the cell after the change (0: cleared).")
    )
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, default="matrix")

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")
        indexes = [models.Index(fields=["duty", "role", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.duty_id}/{self.role_id}: {self.before or '–'} → {self.after or '–'}"


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


class Finding(models.Model):
    """A finding of raci.py, stored and kept current by findings_store.

    raci.py stays the one definition of what a finding is: this row is its output,
    refreshed in the same transaction as every write that can change it, so pages read
    findings with indexed queries instead of recomputing a department to show 50 rows.
    Messages are stored in every language of the site (`texts`), because they are
    rendered from titles and codes when the finding is computed.
    """

    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    # Where the finding is reported: the duty's department, or the role's.
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        "collaboration.Project", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The duty a duty finding is about; empty for role findings.
    duty = models.ForeignKey(Duty, null=True, on_delete=models.CASCADE, related_name="+")
    # The role a role finding is about; empty for duty findings.
    role = models.ForeignKey(Role, null=True, on_delete=models.CASCADE, related_name="+")
    department_code = models.CharField(max_length=30)
    project_code = models.CharField(max_length=30, blank=True)  # "" outside projects
    duty_title = models.CharField(max_length=500, blank=True)  # "" for role findings
    # [[id, title, department id, department code, active, vacant], ...] in raci's order.
    roles = models.JSONField(default=list)
    # [duty id, role id, letter or null], or null when no single cell fixes it.
    fix = models.JSONField(null=True)
    # {language code: [message, suggestion]}
    texts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("stored finding")
        verbose_name_plural = _("stored findings")
        indexes = [
            # The summary of a department (GROUP BY rule) reads the index only.
            models.Index(fields=["department", "rule"], name="finding_department_rule"),
            models.Index(fields=["rule"], name="finding_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.department_code} {self.duty_title or ''}".strip()
