"""Webhook endpoints, the events published to them, and their deliveries.

An Event is recorded in the transaction of the write it describes; a Delivery (one
event to one endpoint) is created for every active endpoint that subscribed to the
event's type, by the worker, after the commit (delivery.py). Each attempt to deliver
is logged (DeliveryAttempt), so the page of an endpoint shows what its receiver
answered."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Event types, with what they mean for a person choosing them on the endpoint form.
ASSIGNMENT_CHANGED = "assignment.changed"
DUTY_CREATED = "duty.created"
DUTY_CHANGED = "duty.changed"
DUTY_RETIRED = "duty.retired"
FINDING_OPENED = "finding.opened"
FINDING_CLOSED = "finding.closed"
ROLE_HOLDER_CHANGED = "role_holder.changed"
DRAFT_PUBLISHED = "draft.published"
ROLE_CONFIRMATION_ANSWERED = "role_confirmation.answered"
# Sent by "Send a test event" to one endpoint only; nobody subscribes to it.
PING = "webhook.test"

EVENT_TYPES = [
    (ASSIGNMENT_CHANGED, _("A matrix cell was set, changed or cleared")),
    (DUTY_CREATED, _("A duty was created")),
    (DUTY_CHANGED, _("A duty was changed")),
    (DUTY_RETIRED, _("A duty was retired (made inactive)")),
    (FINDING_OPENED, _("A finding appeared")),
    (FINDING_CLOSED, _("A finding was resolved")),
    (ROLE_HOLDER_CHANGED, _("Somebody started or stopped holding a role")),
    (DRAFT_PUBLISHED, _("A draft was published to the live map")),
    (ROLE_CONFIRMATION_ANSWERED, _("A role holder accepted or declined their role description")),
]
EVENT_TYPE_NAMES = [name for name, _label in EVENT_TYPES]


class Endpoint(models.Model):
    """A receiver registered by an org admin: where to POST, which events, the secret
    that signs every request. The secret is kept (a signature needs it) but shown only
    when it is made."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    secret = models.CharField(max_length=100, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Failed attempts since the last success, over all its deliveries.
    failure_count = models.PositiveIntegerField(_("consecutive failures"), default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)

    class Meta:
        ordering = ["url", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def auto_disabled(self) -> bool:
        return not self.active and self.disabled_at is not None


class Event(models.Model):
    """Something that happened, as receivers see it. `id` is the deduplication key: the
    same on every attempt and every endpoint."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=50)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    payload = models.JSONField(default=dict)
    # Set when its deliveries have been created; the sweep fans out what was missed.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(fanned_out_at__isnull=True),
                name="webhook_event_unfanned",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event to one endpoint, delivered at least once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One POST (or one refusal to POST) of a delivery: the delivery log's lines."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
