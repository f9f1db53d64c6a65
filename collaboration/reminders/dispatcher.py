"""Reminders: what is due, and sending each one exactly once.

Beat runs `dispatch_reminders` every minute (orgmap/celery.py). The dispatcher reads
the database with the clock it is given (`now`) and, for every (thing, occurrence,
recipient, kind) that is due, inserts one ReminderDelivery whose `key` is unique, with
its in-app Notification, in one transaction; the email task is enqueued on commit.
A second dispatcher run, or two at once, finds the key taken and does nothing.

The send task claims the delivery with a conditional UPDATE (pending -> sending)
before it talks to the mail server, so a task delivered twice sends once. A failed
send goes back to pending with a backoff (next_attempt_at) and the dispatcher
re-enqueues it when that time comes; after REMINDER_MAX_ATTEMPTS it is marked failed
and stays visible in the admin. A delivery left in `sending` by a worker that died is
picked up again after REMINDER_STUCK_SECONDS: we prefer a rare duplicate (the worker
had in fact sent it) to a lost reminder. docs/reminders.md has the details.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from collaboration.meetings import recurrence
from collaboration.routines.models import ImprovementAction

from .due import (
    PlannedReminder,
    due_action_reminders,
    due_meeting_reminders,
    due_review_reminders,
)
from .emails import reminder_email
from .models import Notification, ReminderDelivery

logger = logging.getLogger(__name__)

Kind = ReminderDelivery.Kind
Status = ReminderDelivery.Status


# --- dispatching -------------------------------------------------------------------


@dataclass
class DispatchResult:
    created: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


# The send task, by its registered name: tasks.py imports this module, so this module
# does not import tasks.py (no import cycle). Looked up in the app's registry, the task
# still runs inline where tests make Celery eager.
SEND_REMINDER_TASK = "collaboration.tasks.send_reminder"


def _enqueue(delivery_id: int) -> None:
    current_app.tasks[SEND_REMINDER_TASK].delay(delivery_id)


def _email_wanted(user) -> tuple[bool, str]:
    if not user.email:
        return False, "No email address."
    if not user.profile.email_reminders:
        return False, "Email reminders are turned off in the profile."
    return True, ""


def _delivery_create(planned: PlannedReminder, *, recipient, now: datetime.datetime) -> int | None:
    """Insert the delivery and its notification; None if the key already exists."""
    wanted, reason = _email_wanted(recipient)
    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                key=planned.key,
                kind=planned.kind,
                recipient=recipient,
                meeting_id=planned.meeting_id,
                role_id=planned.role_id,
                duty_id=planned.duty_id,
                action_id=planned.action_id,
                occurrence=planned.occurrence,
                lead_minutes=planned.lead_minutes,
                due_on=planned.due_on,
                status=Status.PENDING if wanted else Status.SKIPPED,
                detail=reason,
                next_attempt_at=now if wanted else None,
                enqueued_at=now if wanted else None,
            )
            Notification.objects.create(recipient=recipient, delivery=delivery)
            if wanted:
                transaction.on_commit(partial(_enqueue, delivery.pk))
    except IntegrityError:
        # Another dispatcher inserted the same key first: that one sends it.
        return None
    return delivery.pk


def _deliveries_create(planned: Iterable[PlannedReminder], *, now: datetime.datetime) -> list[int]:
    by_key = {reminder.key: reminder for reminder in planned}
    existing: set[str] = set()
    keys = list(by_key)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing |= set(
            ReminderDelivery.objects.filter(key__in=chunk).values_list("key", flat=True)
        )
    missing = [reminder for key, reminder in by_key.items() if key not in existing]
    if not missing:
        return []
    recipients = (
        get_user_model()
        .objects.select_related("profile")
        .in_bulk({reminder.recipient_id for reminder in missing})
    )
    created = []
    for reminder in missing:
        recipient = recipients.get(reminder.recipient_id)
        if recipient is None or not recipient.is_active:
            continue
        delivery_id = _delivery_create(reminder, recipient=recipient, now=now)
        if delivery_id is not None:
            created.append(delivery_id)
    return created


def _requeue_condition(now: datetime.datetime) -> Q:
    """Deliveries whose send task is due but not (any more) on its way: a retry whose
    backoff has passed, a task lost with the broker, or a worker that died mid-send."""
    stale = now - datetime.timedelta(seconds=settings.REMINDER_STUCK_SECONDS)
    not_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale)
    retry_due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    stuck = Q(status=Status.SENDING, claimed_at__lt=stale)
    return (retry_due | stuck) & not_queued


def _deliveries_requeue(*, now: datetime.datetime) -> list[int]:
    condition = _requeue_condition(now)
    requeued = []
    for delivery_id in ReminderDelivery.objects.filter(condition).values_list("pk", flat=True)[
        :500
    ]:
        # Conditional: of two dispatchers at once, one enqueues it.
        with transaction.atomic():
            if ReminderDelivery.objects.filter(condition, pk=delivery_id).update(enqueued_at=now):
                transaction.on_commit(partial(_enqueue, delivery_id))
                requeued.append(delivery_id)
    return requeued


def reminders_dispatch(*, now: datetime.datetime) -> DispatchResult:
    """Create what is due and enqueue what needs sending. Safe to run twice, or
    twice at once."""
    result = DispatchResult()
    result.requeued = _deliveries_requeue(now=now)
    planned = (
        due_meeting_reminders(now=now)
        + due_review_reminders(now=now)
        + due_action_reminders(now=now)
    )
    result.created = _deliveries_create(planned, now=now)
    if result.created or result.requeued:
        logger.info("reminders: %d new, %d re-enqueued", len(result.created), len(result.requeued))
    return result


# --- sending -----------------------------------------------------------------------


def _obsolete_reason(delivery: ReminderDelivery, now: datetime.datetime) -> str:
    """Why this reminder should not go out any more, or "" if it should."""
    if delivery.meeting_id:
        meeting = delivery.meeting
        if meeting.cancelled:
            return "The meeting was cancelled."
        if not recurrence.is_occurrence(meeting, delivery.occurrence):
            return "The meeting was moved; this occurrence no longer exists."
        if delivery.occurrence <= now:
            return "The meeting had started before the reminder could be sent."
        return ""
    if delivery.action_id:
        action = delivery.action
        if action.status == ImprovementAction.Status.DONE:
            return "The improvement action was done in the meantime."
        if action.due_on != delivery.due_on:
            return "The improvement action's due date was moved in the meantime."
        if (
            delivery.kind == Kind.ACTION
            and action.owner.is_active
            and delivery.recipient_id != action.owner_id
        ):
            return "The improvement action was given to somebody else in the meantime."
        return ""
    subject = delivery.role or delivery.duty
    if not subject.active or subject.next_review_due != delivery.due_on:
        return "The review was recorded (or the role or duty retired) in the meantime."
    return ""


def _backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.REMINDER_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, 3600))


# Statuses that mean an email reminder did not (surely) reach its recipient: counted
# together on the notifications page and found together in the admin.
UNDELIVERED = (Status.FAILED, Status.EXPIRED, Status.UNKNOWN)


def _too_late(delivery: ReminderDelivery, now: datetime.datetime) -> bool:
    """A meeting reminder whose meeting has begun: it can no longer be useful."""
    if not delivery.meeting_id or delivery.occurrence > now:
        return False
    meeting = delivery.meeting
    # A cancelled or moved occurrence needed nothing: that is "skipped", not a loss.
    return not meeting.cancelled and recurrence.is_occurrence(meeting, delivery.occurrence)


def delivery_send(*, delivery_id: int, now: datetime.datetime) -> str:
    """Claim the delivery, send its email, record the outcome. Returns the status
    it was left in, or "" if it was not ours to send (already sent, being sent by
    another worker, failed, in-app only).

    Never silent about a loss: a reminder that something needed but that could not go
    out before its meeting began is EXPIRED (not SKIPPED, which means nothing needed
    sending), and a retry is never planned after that moment. A delivery reclaimed
    from a worker that stopped mid-send is sent again while still useful; once it is
    too late, its outcome is UNKNOWN (the first attempt may have arrived)."""
    stale = now - datetime.timedelta(seconds=settings.REMINDER_STUCK_SECONDS)
    claim = {
        "status": Status.SENDING,
        "claimed_at": now,
        "enqueued_at": None,
        "attempts": F("attempts") + 1,
    }
    # Two updates, so that we know whether this is a send interrupted earlier.
    interrupted = bool(
        ReminderDelivery.objects.filter(
            pk=delivery_id, status=Status.SENDING, claimed_at__lt=stale
        ).update(**claim)
    )
    claimed = interrupted or ReminderDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING
    ).update(**claim)
    if not claimed:
        return ""
    delivery = ReminderDelivery.objects.select_related(
        "recipient__profile",
        "meeting__organiser__profile",
        "role__department",
        "duty__department",
        "action__owner__profile",
        "action__feedback",
    ).get(pk=delivery_id)
    ours = ReminderDelivery.objects.filter(pk=delivery_id, status=Status.SENDING, claimed_at=now)
    reason = _obsolete_reason(delivery, now)
    if reason and _too_late(delivery, now):
        if interrupted:
            ours.update(
                status=Status.UNKNOWN,
                detail="A worker stopped while sending this reminder and the meeting has "
                "begun since: the mail server may or may not have received it.",
                next_attempt_at=None,
            )
            return Status.UNKNOWN
        earlier = f" Last error: {delivery.detail}" if delivery.detail else ""
        ours.update(status=Status.EXPIRED, detail=reason + earlier, next_attempt_at=None)
        return Status.EXPIRED
    if not reason:
        _wanted, reason = _email_wanted(delivery.recipient)
    if reason:
        ours.update(status=Status.SKIPPED, detail=reason)
        return Status.SKIPPED
    try:
        reminder_email(delivery).send()
    except Exception as error:  # SMTP refusals, connection errors, timeouts, bugs
        detail = f"{type(error).__name__}: {error}"
        if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            logger.error("reminder %s failed for good: %s", delivery.key, detail)
            ours.update(status=Status.FAILED, detail=detail, next_attempt_at=None)
            return Status.FAILED
        retry_at = now + _backoff(delivery.attempts)
        if delivery.meeting_id and retry_at >= delivery.occurrence:
            # Within the useful window: halfway to the start, or give up if no time is left.
            left = delivery.occurrence - now
            if left < datetime.timedelta(seconds=settings.REMINDER_RETRY_SECONDS):
                logger.error("reminder %s expired unsent: %s", delivery.key, detail)
                ours.update(
                    status=Status.EXPIRED,
                    detail=f"No time left to retry before the meeting. Last error: {detail}",
                    next_attempt_at=None,
                )
                return Status.EXPIRED
            retry_at = now + left / 2
        logger.warning("reminder %s failed, retrying at %s: %s", delivery.key, retry_at, detail)
        ours.update(status=Status.PENDING, detail=detail, next_attempt_at=retry_at)
        return Status.PENDING
    ours.update(status=Status.SENT, sent_at=now, detail="", next_attempt_at=None)
    return Status.SENT


def delivery_retry(*, delivery: ReminderDelivery, now: datetime.datetime) -> bool:
    """An admin's "try again" on a failed delivery: back to pending, fresh attempts."""
    return bool(
        ReminderDelivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=now, enqueued_at=None
        )
    )
