"""Cross-department collaboration: projects (and, later, meetings, goals, flows…)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from orgmap.models import Department, code_validator


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        ON_HOLD = "on_hold", _("on hold")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, validators=[code_validator])
    goal = models.TextField(_("goal"), blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments involved"), related_name="projects", blank=True
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_projects",
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="project_code_unique_ci",
                violation_error_message=_("A project with this code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_it_starts",
                violation_error_message=_("The project cannot end before it starts."),
            ),
        ]
        permissions = [
            ("coordinate_project", _("Can coordinate the project: its duties, matrix and meetings"))
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("project-detail", args=[self.code])


# Coordinators beyond the named one are granted with django-guardian, through direct
# foreign keys like the department managers.
class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


# Meetings, reviews and reminders (issue 6). The recurrence maths is in meetings.py,
# the reminder machinery in reminders.py; docs/reminders.md explains both.


def _default_time_zone() -> str:
    return settings.TIME_ZONE


class Meeting(models.Model):
    class Kind(models.TextChoices):
        SYNC = "sync", _("coordination / sync")
        REVIEW = "review", _("review")
        TRAINING = "training", _("training / exchange")
        RETROSPECTIVE = "retrospective", _("retrospective / sharing")
        OTHER = "other", _("other")

    class Recurrence(models.TextChoices):
        NONE = "none", _("does not repeat")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        BIWEEKLY = "biweekly", _("every two weeks")
        MONTHLY = "monthly", _("monthly, on the same day of the month")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SYNC)
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments"), related_name="meetings", blank=True
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_meetings",
    )
    attendee_roles = models.ManyToManyField(
        "orgmap.Role",
        verbose_name=_("invited roles"),
        related_name="meetings",
        blank=True,
        help_text=_("Whoever holds these roles at the time of the meeting is invited."),
    )
    attendee_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited people"),
        related_name="meetings",
        blank=True,
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    location = models.CharField(_("location or link"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    # Recurrences are expanded in this zone, so a weekly 09:00 stays at 09:00 local
    # time across daylight-saving changes.
    time_zone = models.CharField(_("time zone"), max_length=64, default=_default_time_zone)
    recurrence = models.CharField(
        _("repeats"), max_length=20, choices=Recurrence.choices, default=Recurrence.NONE
    )
    recurrence_until = models.DateField(_("repeats until"), null=True, blank=True)
    recurrence_count = models.PositiveIntegerField(_("number of meetings"), null=True, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)
    # iCalendar SEQUENCE: calendar apps replace an event only when it grows.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0),
                name="meeting_has_a_duration",
                violation_error_message=_("The meeting must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(recurrence_until__isnull=True) | Q(recurrence_count__isnull=True),
                name="meeting_series_ends_by_date_or_count",
                violation_error_message=_(
                    "Give either an end date or a number of meetings, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting-detail", args=[self.pk])

    @property
    def is_recurring(self) -> bool:
        return self.recurrence != self.Recurrence.NONE

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class CalendarFeed(models.Model):
    """The secret address of a person's calendar subscription."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"


class Review(models.Model):
    """A periodic review of a role or a duty: who, when, and what they noted."""

    role = models.ForeignKey(
        "orgmap.Role",
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    duty = models.ForeignKey(
        "responsibilities.Duty",
        verbose_name=_("duty"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__isnull=False, duty__isnull=True)
                | Q(role__isnull=True, duty__isnull=False),
                name="review_of_a_role_or_a_duty",
            )
        ]

    def __str__(self) -> str:
        return f"review of {self.role or self.duty} on {self.reviewed_on}"

    @property
    def subject(self):
        return self.role or self.duty


class ReminderDelivery(models.Model):
    """One reminder to one person: (thing, occurrence, recipient, kind), unique by `key`.

    The row is created once by the dispatcher and claimed with a conditional UPDATE
    before the email goes out, which is what makes each reminder go out once; see
    reminders.py and docs/reminders.md."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting reminder")
        REVIEW = "review", _("review reminder")
        ESCALATION = "escalation", _("overdue review escalation")
        ACTION = "action", _("overdue improvement action reminder")
        ACTION_ESCALATION = "action_escalation", _("overdue improvement action escalation")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("in-app only")
        # Something needed sending and did not go out while it could still be useful.
        EXPIRED = "expired", _("expired unsent")
        # The worker stopped mid-send: the mail server may or may not have it.
        UNKNOWN = "unknown", _("outcome unknown")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    role = models.ForeignKey(
        "orgmap.Role", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    duty = models.ForeignKey(
        "responsibilities.Duty",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    action = models.ForeignKey(
        "routines.ImprovementAction",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Meetings: the start of the occurrence. Reviews and improvement actions: the day
    # this reminder is for.
    occurrence = models.DateTimeField(_("occurrence"))
    lead_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Reviews: when the review fell due. Improvement actions: the action's due date.
    due_on = models.DateField(_("review due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The last error, or why no email was sent (email reminders off, meeting cancelled…).
    detail = models.TextField(_("detail"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.key

    @property
    def subject(self):
        return self.meeting or self.role or self.duty or self.action


class Notification(models.Model):
    """The in-app side of a reminder: the bell in the header and the notifications page."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    delivery = models.OneToOneField(
        ReminderDelivery, on_delete=models.CASCADE, related_name="notification"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification {self.pk} for {self.recipient}"
