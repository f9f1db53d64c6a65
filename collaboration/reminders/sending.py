"""Sending a batch of reminder emails: claim, check, send over one connection, record.

A send task gets the ids of one batch. It claims them with two conditional UPDATE …
RETURNING statements (claims.py): the rows it gets are its own, whoever else holds
the same ids. Before sending it checks each reminder still makes sense (meeting not
cancelled or moved or begun, review not recorded, action not done, email wanted);
then it opens one SMTP connection for the batch and sends the messages one by one
over it, so that one refused message fails alone. The outcomes are written in one
UPDATE, each only if the row is still in our claim (`sending`, claimed at `now`).
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mailers
from django.db.models import F
from django.utils import timezone

from collaboration.meetings import calendar, recurrence
from collaboration.meetings import selectors as meetings
from collaboration.routines.models import ImprovementAction
from responsibilities.attestation.selectors import still_overdue

from . import claims
from .emails import reminder_email
from .models import ReminderDelivery

logger = logging.getLogger(__name__)

Kind = ReminderDelivery.Kind
Status = ReminderDelivery.Status

# Statuses that mean an email reminder did not (surely) reach its recipient: counted
# together on the notifications page and found together in the admin.
UNDELIVERED = (Status.FAILED, Status.EXPIRED, Status.UNKNOWN)


class OutOfTime(Exception):
    """The batch's time ran out before this message's turn (see _send_over_one_connection)."""


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str = ""
    next_attempt_at: datetime.datetime | None = None
    untried: bool = False


def email_wanted(*, email: str, email_reminders: bool) -> tuple[bool, str]:
    if not email:
        return False, "No email address."
    if not email_reminders:
        return False, "Email reminders are turned off in the profile."
    return True, ""


def _obsolete_reason(delivery: ReminderDelivery, now: datetime.datetime) -> str:
    """Why this reminder should not go out any more, or "" if it should."""
    if delivery.kind == Kind.MESSAGE:
        return ""  # its sender decided it was worth sending
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
    if delivery.kind in (Kind.CONFIRMATION, Kind.CONFIRMATION_ESCALATION):
        # The holder's own request for the reminder; any holder's for the escalation.
        person_id = delivery.recipient_id if delivery.kind == Kind.CONFIRMATION else None
        if not still_overdue(role_id=delivery.role_id, due_on=delivery.due_on, person_id=person_id):
            return "The role description was confirmed (or replaced) in the meantime."
        return ""
    subject = delivery.role or delivery.duty
    if not subject.active or subject.next_review_due != delivery.due_on:
        return "The review was recorded (or the role or duty retired) in the meantime."
    return ""


def _too_late(delivery: ReminderDelivery, now: datetime.datetime) -> bool:
    """A meeting reminder whose meeting has begun: it can no longer be useful."""
    if not delivery.meeting_id or delivery.occurrence > now:
        return False
    meeting = delivery.meeting
    # A cancelled or moved occurrence needed nothing: that is "skipped", not a loss.
    return not meeting.cancelled and recurrence.is_occurrence(meeting, delivery.occurrence)


def _outcome_unsent(
    delivery: ReminderDelivery, now: datetime.datetime, *, interrupted: bool
) -> Outcome | None:
    """The outcome of a reminder that must not be sent, or None if it must.

    Never silent about a loss: a reminder that something needed but that could not go
    out before its meeting began is EXPIRED (not SKIPPED, which means nothing needed
    sending). A delivery reclaimed from a worker that stopped mid-send is sent again
    while still useful; once it is too late, its outcome is UNKNOWN (the first attempt
    may have arrived)."""
    reason = _obsolete_reason(delivery, now)
    if reason and _too_late(delivery, now):
        if interrupted:
            return Outcome(
                Status.UNKNOWN,
                "A worker stopped while sending this reminder and the meeting has "
                "begun since: the mail server may or may not have received it.",
            )
        earlier = f" Last error: {delivery.detail}" if delivery.detail else ""
        return Outcome(Status.EXPIRED, reason + earlier)
    if not reason:
        recipient = delivery.recipient
        _wanted, reason = email_wanted(
            email=recipient.email, email_reminders=recipient.profile.email_reminders
        )
    return Outcome(Status.SKIPPED, reason) if reason else None


def _backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.REMINDER_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, 3600))


def _outcome_of_failure(
    delivery: ReminderDelivery, now: datetime.datetime, error: BaseException
) -> Outcome:
    """Retry with a backoff, within the meeting's useful window; or give up."""
    if isinstance(error, OutOfTime):
        return Outcome(Status.PENDING, delivery.detail, now, untried=True)
    detail = f"{type(error).__name__}: {error}"
    if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        logger.error("reminder %s failed for good: %s", delivery.key, detail)
        return Outcome(Status.FAILED, detail)
    retry_at = now + _backoff(delivery.attempts)
    if delivery.meeting_id and retry_at >= delivery.occurrence:
        # Within the useful window: halfway to the start, or give up if no time is left.
        left = delivery.occurrence - now
        if left < datetime.timedelta(seconds=settings.REMINDER_RETRY_SECONDS):
            logger.error("reminder %s expired unsent: %s", delivery.key, detail)
            return Outcome(
                Status.EXPIRED, f"No time left to retry before the meeting. Last error: {detail}"
            )
        retry_at = now + left / 2
    logger.warning("reminder %s failed, retrying at %s: %s", delivery.key, retry_at, detail)
    return Outcome(Status.PENDING, detail, retry_at)


def _calendar_files(deliveries: Sequence[ReminderDelivery]) -> dict[int, bytes]:
    """{meeting id: its .ics} for the meetings of a batch, their attendees read at
    once: a constant number of queries however many reminders share a meeting."""
    by_id = {d.meeting_id: d.meeting for d in deliveries if d.meeting_id}
    attendees = meetings.attendee_map(by_id.values(), on=timezone.localdate())
    return {pk: calendar.meeting_ics(m, attendees=attendees[pk]) for pk, m in by_id.items()}


def _send_over_one_connection(
    deliveries: Sequence[ReminderDelivery],
) -> dict[int, BaseException | None]:
    """Send each delivery's email over one connection to the mail server; returns
    {delivery id: the error, or None if the server accepted it}.

    A batch never outlives its claim: after half of REMINDER_STUCK_SECONDS (a slow
    mail server), the messages not tried yet are left for the next run (OutOfTime),
    so that no other worker takes over a claim this one is still sending."""
    deadline = time.monotonic() + settings.REMINDER_STUCK_SECONDS / 2
    connection = mailers.default
    try:
        ics = _calendar_files(deliveries)
        connection.open()
    except Exception as error:  # connection refused, timeout, TLS, authentication
        return dict.fromkeys((delivery.pk for delivery in deliveries), error)
    errors: dict[int, BaseException | None] = {}
    try:
        for delivery in deliveries:
            if time.monotonic() > deadline:
                errors[delivery.pk] = OutOfTime()
                continue
            try:
                message = reminder_email(delivery, ics=ics.get(delivery.meeting_id))
                connection.send_messages([message])
                errors[delivery.pk] = None
            except Exception as error:  # SMTP refusals, timeouts, bugs in rendering
                errors[delivery.pk] = error
                if isinstance(error, smtplib.SMTPServerDisconnected):
                    connection.close()  # the next message opens a new one
    finally:
        try:
            connection.close()
        except Exception:  # what was accepted before a failed QUIT stays sent
            logger.warning("reminders: closing the mail connection failed", exc_info=True)
    return errors


def _claim(delivery_ids: Sequence[int], now: datetime.datetime) -> tuple[set[int], set[int]]:
    """(all ids claimed, those reclaimed from a worker that stopped mid-send)."""
    stale = now - datetime.timedelta(seconds=settings.REMINDER_STUCK_SECONDS)
    # Two statements, so that we know which sends were interrupted earlier.
    interrupted = claims.deliveries_claim(delivery_ids, status=Status.SENDING, now=now, stale=stale)
    fresh = claims.deliveries_claim(
        [pk for pk in delivery_ids if pk not in interrupted], status=Status.PENDING, now=now
    )
    return interrupted | fresh, interrupted


def deliveries_send(*, delivery_ids: Sequence[int], now: datetime.datetime) -> dict[int, str]:
    """Claim the deliveries, send their emails over one connection, record the
    outcomes. Returns {id: the status it was left in} for the deliveries that were
    ours to send; the others (already sent, being sent by another worker, failed,
    in-app only) are left alone. A constant number of queries per batch."""
    claimed, interrupted = _claim(delivery_ids, now)
    if not claimed:
        return {}
    deliveries = list(
        ReminderDelivery.objects.select_related(
            "recipient__profile",
            "meeting__organiser__profile",
            "role__department",
            "duty__department",
            "action__owner__profile",
            "action__feedback",
        )
        .filter(pk__in=claimed)
        .order_by("pk")
    )
    outcomes: dict[int, Outcome] = {}
    to_send = []
    for delivery in deliveries:
        outcome = _outcome_unsent(delivery, now, interrupted=delivery.pk in interrupted)
        if outcome:
            outcomes[delivery.pk] = outcome
        else:
            to_send.append(delivery)
    if to_send:
        errors = _send_over_one_connection(to_send)
        for delivery in to_send:
            error = errors[delivery.pk]
            outcomes[delivery.pk] = (
                Outcome(Status.SENT) if error is None else _outcome_of_failure(delivery, now, error)
            )
    _outcomes_record(outcomes, now=now)
    return {pk: outcome.status for pk, outcome in outcomes.items()}


def _outcomes_record(outcomes: dict[int, Outcome], *, now: datetime.datetime) -> None:
    """One UPDATE per distinct outcome (usually one: all sent), each only on rows
    still in our claim: a slow worker whose claim was taken over (after
    REMINDER_STUCK_SECONDS) cannot overwrite the newer outcome."""
    by_outcome: dict[Outcome, list[int]] = defaultdict(list)
    for delivery_id, outcome in outcomes.items():
        by_outcome[outcome].append(delivery_id)
    ours = ReminderDelivery.objects.filter(status=Status.SENDING, claimed_at=now)
    for outcome, delivery_ids in by_outcome.items():
        ours.filter(pk__in=delivery_ids).update(
            status=outcome.status,
            detail=outcome.detail,
            next_attempt_at=outcome.next_attempt_at,
            sent_at=now if outcome.status == Status.SENT else None,
            # A message the batch had no time for was not an attempt.
            attempts=F("attempts") - 1 if outcome.untried else F("attempts"),
        )


def delivery_send(*, delivery_id: int, now: datetime.datetime) -> str:
    """Send one delivery (a batch of one): the status it was left in, or "" if it
    was not ours to send."""
    return deliveries_send(delivery_ids=[delivery_id], now=now).get(delivery_id, "")


def delivery_retry(*, delivery: ReminderDelivery, now: datetime.datetime) -> bool:
    """An admin's "try again" on a failed delivery: back to pending, fresh attempts."""
    return bool(
        ReminderDelivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=now, enqueued_at=None
        )
    )
