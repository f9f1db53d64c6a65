"""Reminder deliveries (one reminder to one person, sent once) and in-app notifications.

The tables keep the names they had in the collaboration app (moved without copying
data: see migrations/0001_initial.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from collaboration.meetings.models import Meeting


class ReminderDelivery(models.Model):
    """One reminder to one person: (thing, occurrence, recipient, kind), unique by `key`.

    The row is created once by the dispatcher and claimed with a conditional UPDATE
    before the email goes out, which is what makes each reminder go out once; see
    dispatcher.py and docs/reminders.md."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("meeting reminder")
        REVIEW = "review", _("review reminder")
        ESCALATION = "escalation", _("overdue review escalation")
        ACTION = "action", _("overdue improvement action reminder")
        ACTION_ESCALATION = "action_escalation", _("overdue improvement action escalation")
        # Role confirmations (responsibilities/attestation): the holder, then the managers.
        CONFIRMATION = "confirmation", _("role confirmation reminder")
        CONFIRMATION_ESCALATION = "confirm_escalation", _("overdue role confirmation escalation")
        # Written by a higher app (drafts): its summary in every language and its page.
        MESSAGE = "message", _("notice from another part of orgmap")

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
    # A message (Kind.MESSAGE) carries its own words and address, written by the app
    # that sends it: {language: [summary, email subject]} and a path in the site.
    texts = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        db_table = "collaboration_reminderdelivery"
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
        db_table = "collaboration_notification"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"notification {self.pk} for {self.recipient}"
