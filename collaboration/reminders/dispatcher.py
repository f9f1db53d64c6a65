"""Reminders: what is due, and sending each one exactly once, a batch at a time.

Beat runs `dispatch_reminders` every minute (orgmap/celery.py). The dispatcher reads
the database with the clock it is given (`now`) and turns every (thing, occurrence,
recipient, kind) that is due into a ReminderDelivery whose `key` is unique, with its
in-app Notification. It works in batches of REMINDER_BATCH_SIZE: one INSERT … ON
CONFLICT (key) DO NOTHING RETURNING per batch creates the rows nobody created before
(a second dispatcher, or two at once, finds the keys taken), one INSERT adds their
notifications, in one transaction; on commit, one send task is enqueued for the
batch's emails.

The send task (sending.py) claims its batch with a conditional UPDATE … RETURNING
(pending -> sending) before it talks to the mail server, so a task delivered twice
sends nothing twice, and sends the batch over one SMTP connection. A failed send goes
back to pending with a backoff (next_attempt_at) and the dispatcher re-enqueues it
when that time comes, again by batches; after REMINDER_MAX_ATTEMPTS it is marked
failed and stays visible in the admin. A delivery left in `sending` by a worker that
died is picked up again after REMINDER_STUCK_SECONDS: we prefer a rare duplicate (the
worker had in fact sent it) to a lost reminder. docs/reminders.md has the details.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import claims
from .due import (
    PlannedReminder,
    due_action_reminders,
    due_confirmation_reminders,
    due_meeting_reminders,
    due_review_reminders,
)
from .models import ReminderDelivery
from .sending import UNDELIVERED, deliveries_send, delivery_retry, delivery_send, email_wanted

__all__ = [
    "UNDELIVERED",
    "DispatchResult",
    "deliveries_send",
    "delivery_retry",
    "delivery_send",
    "due_action_reminders",
    "due_confirmation_reminders",
    "due_meeting_reminders",
    "due_review_reminders",
    "reminders_dispatch",
]

logger = logging.getLogger(__name__)

Status = ReminderDelivery.Status

# Requeued batches per run at most: a backlog beyond that waits for the next minute.
MAX_REQUEUE_BATCHES = 50


@dataclass
class DispatchResult:
    created: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    # The batches handed to send tasks, one task (and one SMTP connection) each.
    enqueued: list[list[int]] = field(default_factory=list)


# The send task, by its registered name: tasks.py imports this module, so this module
# does not import tasks.py (no import cycle). Looked up in the app's registry, the task
# still runs inline where tests make Celery eager.
SEND_REMINDERS_TASK = "collaboration.tasks.send_reminders"
# One delivery per message: what releases before batching enqueued (tasks.py keeps it).
SEND_REMINDER_TASK = "collaboration.tasks.send_reminder"


def _enqueue(delivery_ids: list[int]) -> None:
    current_app.tasks[SEND_REMINDERS_TASK].delay(delivery_ids)


def _in_batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _delivery_row(
    planned: PlannedReminder,
    *,
    wanted: bool,
    reason: str,
    now: datetime.datetime,
    created_at: datetime.datetime,
) -> dict:
    return {
        "key": planned.key,
        "kind": planned.kind,
        "recipient_id": planned.recipient_id,
        "meeting_id": planned.meeting_id,
        "role_id": planned.role_id,
        "duty_id": planned.duty_id,
        "action_id": planned.action_id,
        "occurrence": planned.occurrence,
        "lead_minutes": planned.lead_minutes,
        "due_on": planned.due_on,
        "status": Status.PENDING if wanted else Status.SKIPPED,
        "attempts": 0,
        "detail": reason,
        "next_attempt_at": now if wanted else None,
        "enqueued_at": now if wanted else None,
        "created_at": created_at,
        "texts": planned.texts or {},
        "link": planned.link,
    }


def _batch_create(
    batch: Sequence[PlannedReminder], *, now: datetime.datetime, result: DispatchResult
) -> None:
    """Create one batch: a constant number of queries, whatever its size."""
    # Most keys exist already on most runs (reviews stay due all day): leave them out
    # before inserting, so that the insert does not spend an id on each.
    existing = set(
        ReminderDelivery.objects.filter(key__in=[r.key for r in batch]).values_list(
            "key", flat=True
        )
    )
    missing = [reminder for reminder in batch if reminder.key not in existing]
    # {id: (email, wants email reminders)} of the active recipients.
    recipients = {
        pk: (email, reminders_on)
        for pk, email, reminders_on in get_user_model()
        .objects.filter(pk__in={r.recipient_id for r in missing}, is_active=True)
        .values_list("pk", "email", "profile__email_reminders")
    }
    rows, wanted_keys, created_at = [], set(), timezone.now()
    for reminder in missing:
        if reminder.recipient_id not in recipients:
            continue
        email, reminders_on = recipients[reminder.recipient_id]
        wanted, reason = email_wanted(email=email, email_reminders=reminders_on)
        rows.append(
            _delivery_row(reminder, wanted=wanted, reason=reason, now=now, created_at=created_at)
        )
        if wanted:
            wanted_keys.add(reminder.key)
    if not rows:
        return
    with transaction.atomic():
        inserted = claims.deliveries_insert(rows)  # {key: id} of the rows that are ours
        ours = [inserted[row["key"]] for row in rows if row["key"] in inserted]
        claims.notifications_insert(ours, now=created_at)
        to_send = [pk for key, pk in inserted.items() if key in wanted_keys]
        if to_send:
            transaction.on_commit(partial(_enqueue, sorted(to_send)))
            result.enqueued.append(sorted(to_send))
    result.created += ours


def _deliveries_create(
    planned: Iterable[PlannedReminder], *, now: datetime.datetime, result: DispatchResult
) -> None:
    by_key = {reminder.key: reminder for reminder in planned}
    for batch in _in_batches(list(by_key.values()), settings.REMINDER_BATCH_SIZE):
        _batch_create(batch, now=now, result=result)


def messages_send(planned: Iterable[PlannedReminder], *, now: datetime.datetime) -> list[int]:
    """Deliver messages of a higher app (Kind.MESSAGE) like reminders: each once, by
    its key, in-app and (profile allowing) by email sent by the send task on commit.
    Returns the ids of the deliveries this call created."""
    result = DispatchResult()
    _deliveries_create(planned, now=now, result=result)
    return result.created


def _requeue_condition(now: datetime.datetime) -> Q:
    """Deliveries whose send task is due but not (any more) on its way: a retry whose
    backoff has passed, a task lost with the broker, or a worker that died mid-send."""
    stale = now - datetime.timedelta(seconds=settings.REMINDER_STUCK_SECONDS)
    not_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale)
    retry_due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    stuck = Q(status=Status.SENDING, claimed_at__lt=stale)
    return (retry_due | stuck) & not_queued


def _deliveries_requeue(*, now: datetime.datetime, result: DispatchResult) -> None:
    condition = _requeue_condition(now)
    size = settings.REMINDER_BATCH_SIZE
    for _batch in range(MAX_REQUEUE_BATCHES):
        with transaction.atomic():
            # Rows another dispatcher has locked are its own: skip them, do not wait.
            batch = list(
                ReminderDelivery.objects.filter(condition)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:size]
            )
            if not batch:
                return
            ReminderDelivery.objects.filter(condition, pk__in=batch).update(enqueued_at=now)
            transaction.on_commit(partial(_enqueue, batch))
        result.requeued += batch
        result.enqueued.append(batch)
        if len(batch) < size:
            return


def reminders_dispatch(*, now: datetime.datetime) -> DispatchResult:
    """Create what is due and enqueue what needs sending. Safe to run twice, or
    twice at once."""
    result = DispatchResult()
    _deliveries_requeue(now=now, result=result)
    planned = (
        due_meeting_reminders(now=now)
        + due_review_reminders(now=now)
        + due_action_reminders(now=now)
        + due_confirmation_reminders(now=now)
    )
    _deliveries_create(planned, now=now, result=result)
    if result.created or result.requeued:
        logger.info(
            "reminders: %d new, %d re-enqueued, in %d send batches",
            len(result.created),
            len(result.requeued),
            len(result.enqueued),
        )
    return result
