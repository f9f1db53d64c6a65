"""A real Celery worker (prefork, as in production) on Redis and a real SMTP server:
a due meeting produces exactly one email per attendee, with the .ics attached, and
each batch of reminders goes over one SMTP connection.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI sets both); the worker
is a separate process reading the test database (tests/celery_worker.py)."""

from __future__ import annotations

import datetime
import email

import pytest
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from collaboration.reminders.models import ReminderDelivery
from collaboration.reminders.tasks import dispatch_reminders
from tests.celery_worker import celery_worker, finished, is_idle, needs_worker, wait_for
from tests.factories import MeetingFactory, UserFactory

from .smtp import smtp_server

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]


def test_worker_sends_one_email_per_attendee_one_connection_per_batch(tmp_path):
    assert connection.vendor == "postgresql"
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=10)
    people = [UserFactory(username=f"attendee{index}") for index in range(5)]
    meeting = MeetingFactory(starts_at=start, attendee_people=people, title="Weekly sync")

    with (
        smtp_server() as (mailbox, port),
        # Batches of two: three send tasks for five reminders.
        celery_worker(
            tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{port}", REMINDER_BATCH_SIZE="2"
        ) as log,
    ):
        # Twice, as two beats would: still one email per attendee.
        dispatch_reminders.delay()
        dispatch_reminders.delay()
        assert wait_for(lambda: len(mailbox.messages) >= 5), log.read_text()[-3000:]
        assert wait_for(lambda: not ReminderDelivery.objects.exclude(status="sent").exists())
        # A duplicate, if there were one, would have been sent by the time the worker
        # has finished every task it received, both dispatches included.
        assert wait_for(
            lambda: finished(log, "collaboration.tasks.dispatch_reminders") == 2 and is_idle(log)
        ), log.read_text()[-3000:]

    assert finished(log, "collaboration.tasks.send_reminders") == 3
    assert mailbox.connections == 3
    assert sorted(mailbox.recipients) == sorted(person.email for person in people)
    assert len(mailbox.messages) == 5
    for raw in mailbox.messages:
        message = email.message_from_bytes(raw)
        assert "Weekly sync" in message["Subject"]
        [ics] = [
            part.get_payload(decode=True)
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        ]
        [event] = Calendar.from_ical(ics).events
        assert str(event["UID"]) == f"meeting-{meeting.pk}@orgmap"
        assert event.start == start
    assert ReminderDelivery.objects.filter(status="sent").count() == 5
