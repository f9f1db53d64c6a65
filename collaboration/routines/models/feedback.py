"""Feedback about a duty, role, department, project, flow or meeting, and the
improvement actions planned from it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Role
from responsibilities.models import Duty, InformationFlow

from .constraints import exactly_one

# ------------------------------------------------------------ feedback and improvement

FEEDBACK_TARGETS = ("duty", "role", "department", "project", "flow", "meeting")


class Feedback(models.Model):
    """A suggestion or complaint about one thing in the map.

    Anonymous feedback stores no author at all: `author` stays NULL (enforced by a
    check constraint), the day is kept but not the time, and nothing else about the
    request (session, address, agent) is written anywhere. docs/collaboration.md
    states the guarantee."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        DUPLICATE = "duplicate", _("duplicate")

    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    duty = models.ForeignKey(
        Duty, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    project = models.ForeignKey(
        "orgmap.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    flow = models.ForeignKey(
        InformationFlow, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The day only: an exact time could be matched against access logs to find out who
    # sent an anonymous entry.
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the feedback was rejected.")
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one(*FEEDBACK_TARGETS),
                name="feedback_on_exactly_one_thing",
                violation_error_message=_("Feedback is about exactly one thing."),
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(author__isnull=True),
                name="anonymous_feedback_has_no_author",
                violation_error_message=_("Anonymous feedback cannot name its author."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="rejected_feedback_has_a_reason",
                violation_error_message=_("Give a reason for rejecting the feedback."),
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="duplicate_feedback_names_the_original",
                violation_error_message=_("Say which feedback this one duplicates."),
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")),
                name="feedback_not_duplicate_of_itself",
                violation_error_message=_("Feedback cannot duplicate itself."),
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse("feedback-detail", args=[self.pk])

    @property
    def target(self):
        for name in FEEDBACK_TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def target_kind(self) -> str:
        for name in FEEDBACK_TARGETS:
            if getattr(self, f"{name}_id"):
                return name
        return ""

    def clean(self) -> None:
        if sum(bool(getattr(self, f"{name}_id")) for name in FEEDBACK_TARGETS) != 1:
            raise ValidationError(_("Feedback is about exactly one thing."))
        if self.anonymous:
            self.author = None
        self.reason = (self.reason or "").strip()
        if self.status == self.Status.REJECTED and not self.reason:
            raise ValidationError({"reason": _("Give a reason for rejecting the feedback.")})
        if self.status == self.Status.DUPLICATE:
            if not self.duplicate_of_id:
                raise ValidationError(
                    {"duplicate_of": _("Say which feedback this one duplicates.")}
                )
            if self.duplicate_of_id == self.pk:
                raise ValidationError({"duplicate_of": _("Feedback cannot duplicate itself.")})


class ImprovementAction(models.Model):
    """What accepted feedback turns into: an owner, a due date, a status."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=200)
    # PROTECT: people leave by being deactivated, and an action must always have
    # somebody the reminder dispatcher can write to.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_at__isnull=False))
                | (~Q(status="done") & Q(done_at__isnull=True)),
                name="improvement_action_done_when_done",
                violation_error_message=_("Only a finished action has a completion time."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status != self.Status.DONE and self.due_on < today
