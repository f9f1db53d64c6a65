"""Meetings (one-off or recurring), calendar feeds and periodic reviews.

The tables keep the names they had in the collaboration app (moved without copying
data: see migrations/0001_initial.py)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Project


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
        db_table = "collaboration_meeting"
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
        db_table = "collaboration_calendarfeed"
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
        db_table = "collaboration_review"
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
