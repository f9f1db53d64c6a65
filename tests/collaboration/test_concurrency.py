"""Two dispatchers at the same moment (two beats, or a run that overlaps the next)
against PostgreSQL: every reminder is created, enqueued and sent once."""

from __future__ import annotations

import datetime
import threading
from collections import Counter

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from collaboration.reminders import dispatcher as reminders
from collaboration.reminders.models import Notification, ReminderDelivery
from orgmap.models import Role

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("demo_org")]

DISPATCHERS = 4


@pytest.fixture
def due_work(make_meeting, member, hr, admin_user, sales_manager, production_manager):
    """Meeting reminders for five people in three meetings, review reminders (the
    demo's overdue roles), and two failed sends whose retry is due."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite lets one writer in at a time")
    Role.objects.filter(title__in=["Production Planner", "Quality Inspector"]).update(
        review_cadence_months=12, last_reviewed_on=timezone.localdate().replace(year=2020)
    )
    start = timezone.now() + datetime.timedelta(minutes=10)
    everyone = [member, hr, admin_user, sales_manager, production_manager]
    for index in range(3):
        make_meeting(starts_at=start + datetime.timedelta(minutes=index), people=everyone)
    return start


def _run_concurrently(now: datetime.datetime) -> list[BaseException]:
    barrier = threading.Barrier(DISPATCHERS)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait(timeout=10)
            reminders.reminders_dispatch(now=now)
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatcher) for _ in range(DISPATCHERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_dispatchers_send_every_reminder_once(due_work, settings):
    settings.REMINDER_REVIEW_HOUR = 0
    now = timezone.now()
    expected = {r.key for r in reminders.due_meeting_reminders(now=now)} | {
        r.key for r in reminders.due_review_reminders(now=now)
    }
    assert len(expected) >= 15 + 2

    assert _run_concurrently(now) == []

    deliveries = ReminderDelivery.objects.all()
    assert {delivery.key for delivery in deliveries} == expected
    assert Counter(deliveries.values_list("status", flat=True)) == {"sent": len(expected)}
    assert Notification.objects.count() == len(expected)
    sent = Counter((message.to[0], message.subject) for message in mail.outbox)
    assert len(mail.outbox) == len(expected)
    assert max(sent.values()) <= 3  # the three meetings share a subject line per person


def test_concurrent_dispatchers_retry_a_failed_send_once(due_work, settings):
    settings.REMINDER_REVIEW_HOUR = 0
    now = timezone.now()
    # First run: everything is created and sent; then two sends "failed" earlier.
    reminders.reminders_dispatch(now=now)
    retried = list(ReminderDelivery.objects.order_by("pk")[:2])
    ReminderDelivery.objects.filter(pk__in=[d.pk for d in retried]).update(
        status="pending", next_attempt_at=now, enqueued_at=None, attempts=1
    )
    mail.outbox.clear()

    assert _run_concurrently(now + datetime.timedelta(minutes=1)) == []

    assert len(mail.outbox) == 2
    assert set(
        ReminderDelivery.objects.filter(pk__in=[d.pk for d in retried]).values_list(
            "status", "attempts"
        )
    ) == {("sent", 2)}
