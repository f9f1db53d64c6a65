"""Reminders in batches: dispatching a batch costs the same number of queries
whatever its size, each batch is emailed over one SMTP connection, one refused
message fails alone, and concurrent dispatchers still create and send every
reminder once (PostgreSQL)."""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collaboration.meetings.models import Meeting
from collaboration.reminders import dispatcher as reminders
from collaboration.reminders.models import Notification, ReminderDelivery
from tests.factories import MeetingFactory, UserFactory

from .smtp import free_port, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db

START = datetime.timedelta(minutes=12)


def _meeting(attendees: int, *, prefix: str = "attendee", **fields):
    people = [UserFactory(username=f"{prefix}{index}") for index in range(attendees)]
    return MeetingFactory(
        starts_at=timezone.now() + START, attendee_people=people, title="Weekly sync", **fields
    )


def _dispatch_queries(attendees: int, *, prefix: str) -> int:
    _meeting(attendees, prefix=prefix)
    with CaptureQueriesContext(connection) as captured:
        result = reminders.reminders_dispatch(now=timezone.now())
    assert len(result.created) == attendees and len(result.enqueued) == 1
    return len(captured)


def test_dispatching_a_batch_costs_the_same_queries_whatever_its_size(settings):
    settings.REMINDER_BATCH_SIZE = 100
    small = _dispatch_queries(3, prefix="small")
    # A second meeting, four times the attendees, alone due (the first one is cancelled).
    Meeting.objects.update(cancelled=True)
    large = _dispatch_queries(12, prefix="large")
    assert small == large


def test_sending_a_batch_costs_the_same_queries_whatever_its_size(settings):
    settings.REMINDER_BATCH_SIZE = 100
    counts = []
    for size in (2, 8):
        _meeting(size, prefix=f"size{size}-")
        batch = reminders.reminders_dispatch(now=timezone.now()).enqueued[0]
        with CaptureQueriesContext(connection) as captured:
            sent = reminders.deliveries_send(delivery_ids=batch, now=timezone.now())
        assert Counter(sent.values()) == {"sent": size}
        counts.append(len(captured))
        Meeting.objects.update(cancelled=True)  # the next meeting alone is due
    assert counts[0] == counts[1]


def test_each_batch_goes_over_one_smtp_connection(settings, django_capture_on_commit_callbacks):
    settings.REMINDER_BATCH_SIZE = 2
    _meeting(5)
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        with django_capture_on_commit_callbacks(execute=True):
            result = reminders.reminders_dispatch(now=timezone.now())
    assert [len(batch) for batch in result.enqueued] == [2, 2, 1]
    assert len(mailbox.messages) == 5
    assert mailbox.connections == 3
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_refused_message_fails_alone_and_is_retried_later(
    settings, django_capture_on_commit_callbacks
):
    settings.REMINDER_BATCH_SIZE = 10
    _meeting(3)
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mailbox.refusals = 1
        with django_capture_on_commit_callbacks(execute=True):
            reminders.reminders_dispatch(now=timezone.now())
        assert mailbox.connections == 1 and len(mailbox.messages) == 2
        statuses = Counter(ReminderDelivery.objects.values_list("status", flat=True))
        assert statuses == {"sent": 2, "pending": 1}
        refused = ReminderDelivery.objects.get(status="pending")
        assert "451" in refused.detail and refused.attempts == 1
        later = timezone.now() + datetime.timedelta(minutes=2)
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders.reminders_dispatch(now=later).requeued == [refused.pk]
    assert len(mailbox.messages) == 3
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_batch_whose_mail_server_is_down_is_retried_whole(settings):
    settings.REMINDER_BATCH_SIZE = 10
    settings.MAILERS = smtp_mailers(free_port())
    _meeting(3)
    batch = reminders.reminders_dispatch(now=timezone.now()).enqueued[0]
    sent = reminders.deliveries_send(delivery_ids=batch, now=timezone.now())
    assert set(sent.values()) == {"pending"}
    assert all(
        "Connection" in detail
        for detail in ReminderDelivery.objects.values_list("detail", flat=True)
    )
    # In-app notifications exist whatever happens to the emails.
    assert Notification.objects.count() == 3


def test_a_batch_sent_twice_sends_each_email_once(settings):
    settings.REMINDER_BATCH_SIZE = 10
    _meeting(3)
    batch = reminders.reminders_dispatch(now=timezone.now()).enqueued[0]
    reminders.deliveries_send(delivery_ids=batch, now=timezone.now())
    assert reminders.deliveries_send(delivery_ids=batch, now=timezone.now()) == {}
    assert len(mail.outbox) == 3


# --- two dispatchers at once, on PostgreSQL ----------------------------------------


def _concurrently(*calls) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_in_batches_create_and_send_every_reminder_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite lets one writer in at a time")
    settings.REMINDER_BATCH_SIZE = 4
    for index in range(3):
        _meeting(10, prefix=f"m{index}-")
    now = timezone.now()
    expected = {reminder.key for reminder in reminders.due_meeting_reminders(now=now)}
    assert len(expected) == 30

    dispatch = lambda: reminders.reminders_dispatch(now=now)  # noqa: E731
    assert _concurrently(dispatch, dispatch) == []

    assert {delivery.key for delivery in ReminderDelivery.objects.all()} == expected
    assert Counter(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent": 30}
    assert Notification.objects.count() == 30
    assert len(mail.outbox) == 30
    assert len({message.to[0] for message in mail.outbox}) == 30

    # Retries due for 30 deliveries at once: re-enqueued and sent once, by batches.
    ReminderDelivery.objects.update(
        status="pending", next_attempt_at=now, enqueued_at=None, attempts=1
    )
    mail.outbox.clear()
    later = lambda: reminders.reminders_dispatch(now=now + datetime.timedelta(minutes=1))  # noqa: E731
    assert _concurrently(later, later) == []
    assert len(mail.outbox) == 30
    assert set(ReminderDelivery.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_a_batch_never_outlives_its_claim(settings, django_capture_on_commit_callbacks):
    """Past half of REMINDER_STUCK_SECONDS (a very slow mail server), the messages not
    tried yet go back to pending, not counted as attempts, for the next run: no other
    worker can take over a claim this one is still sending."""
    settings.REMINDER_BATCH_SIZE = 10
    settings.REMINDER_STUCK_SECONDS = 0  # the batch is out of time at once
    _meeting(3)
    now = timezone.now()
    batch = reminders.reminders_dispatch(now=now).enqueued[0]
    assert set(reminders.deliveries_send(delivery_ids=batch, now=now).values()) == {"pending"}
    assert mail.outbox == []
    assert set(ReminderDelivery.objects.values_list("status", "attempts", "enqueued_at")) == {
        ("pending", 0, None)
    }
    settings.REMINDER_STUCK_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        assert len(reminders.reminders_dispatch(now=now).requeued) == 3
    assert len(mail.outbox) == 3


def test_a_single_delivery_task_queued_by_an_older_release_still_sends(settings):
    from collaboration.reminders.tasks import send_reminder

    settings.REMINDER_BATCH_SIZE = 10
    _meeting(2)
    first, second = reminders.reminders_dispatch(now=timezone.now()).enqueued[0]
    send_reminder.delay(first)
    send_reminder.delay(first)  # delivered twice: sent once
    assert [message.to for message in mail.outbox] == [
        [ReminderDelivery.objects.get(pk=first).recipient.email]
    ]
    assert ReminderDelivery.objects.get(pk=second).status == "pending"
