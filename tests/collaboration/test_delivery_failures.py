"""When the mail server refuses or is down: retried with backoff, sent once, or in
the end marked failed and shown to the admins; never silently dropped."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from collaboration.reminders import dispatcher as reminders
from collaboration.reminders.models import ReminderDelivery
from orgmap.models import Role

from .smtp import free_port, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def meeting_soon(make_meeting, member):
    Role.objects.update(last_reviewed_on=None)  # only the meeting is due
    start = timezone.now() + datetime.timedelta(minutes=12)
    return make_meeting(starts_at=start, people=[member], title="Weekly sync")


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """The dispatcher at now0 + offset, then the send task of each batch it
    enqueued, on the same clock (as a worker would run them a moment later)."""
    now0 = timezone.now()

    def run(offset: datetime.timedelta = datetime.timedelta(0)):
        now = now0 + offset
        with django_capture_on_commit_callbacks() as enqueued:
            result = reminders.reminders_dispatch(now=now)
        assert len(enqueued) == len(result.enqueued)
        in_batches = [pk for batch in result.enqueued for pk in batch]
        assert sorted(in_batches) == sorted(result.created + result.requeued)
        for batch in result.enqueued:
            reminders.deliveries_send(delivery_ids=batch, now=now)
        return result

    return run


def test_refused_then_accepted_is_retried_and_sent_once(meeting_soon, dispatch, settings):
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mailbox.refusals = 2
        dispatch()
        delivery = ReminderDelivery.objects.get()
        assert delivery.status == "pending" and delivery.attempts == 1
        assert "451" in delivery.detail
        # Backoff: not again within the first minute…
        assert dispatch(MINUTE / 2).requeued == []
        # …then after one minute, then after two more.
        assert dispatch(2 * MINUTE).requeued == [delivery.pk]
        assert ReminderDelivery.objects.get().attempts == 2
        assert dispatch(3 * MINUTE).requeued == []
        assert dispatch(5 * MINUTE).requeued == [delivery.pk]
        dispatch(6 * MINUTE)
        dispatch(7 * MINUTE)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3 and delivery.detail == ""
    assert mailbox.refused == 2
    assert len(mailbox.messages) == 1 and mailbox.recipients == ["member@example.com"]


def test_server_down_then_up_is_retried_and_sent_once(meeting_soon, dispatch, settings):
    port = free_port()
    settings.MAILERS = smtp_mailers(port)
    dispatch()  # nothing listens on the port
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "pending" and "Connection" in delivery.detail
    with smtp_server(port) as (mailbox, _port):
        dispatch(2 * MINUTE)
        dispatch(3 * MINUTE)
    assert ReminderDelivery.objects.get().status == "sent"
    assert len(mailbox.messages) == 1


def test_permanently_refused_is_marked_failed_and_shown_to_admins(
    meeting_soon, dispatch, settings, client_for, admin_user, member
):
    settings.REMINDER_MAX_ATTEMPTS = 3
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mailbox.refusals = -1
        for minutes in (0, 2, 5, 10, 20):
            dispatch(minutes * MINUTE)
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 3
    assert "451" in delivery.detail
    assert mailbox.messages == []

    admin_list = client_for(admin_user).get(
        "/admin/reminders/reminderdelivery/?status__exact=failed"
    )
    assert admin_list.status_code == 200
    assert "member" in admin_list.text and "451" in admin_list.text
    banner = client_for(admin_user).get("/notifications/")
    assert "1 reminder could not be emailed" in banner.text
    # The member cannot see the admin list; their banner counts their own reminder.
    assert client_for(member).get("/admin/reminders/reminderdelivery/").status_code == 302
    own = client_for(member).get("/notifications/").text
    assert "1 of your reminders could not be emailed" in own
    assert "See them in the admin" not in own


def test_admin_can_send_a_failed_reminder_again(
    meeting_soon, dispatch, settings, client_for, admin_user
):
    settings.REMINDER_MAX_ATTEMPTS = 1
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mailbox.refusals = -1
        dispatch()
        delivery = ReminderDelivery.objects.get()
        assert delivery.status == "failed"
        response = client_for(admin_user).post(
            "/admin/reminders/reminderdelivery/",
            {"action": "retry_deliveries", "_selected_action": [delivery.pk]},
        )
        assert response.status_code == 302
        mailbox.refusals = 0
        dispatch(MINUTE)
    assert ReminderDelivery.objects.get().status == "sent"
    assert len(mailbox.messages) == 1


def test_a_delivery_stuck_in_sending_is_sent_again_after_the_timeout(
    meeting_soon, dispatch, settings
):
    settings.REMINDER_STUCK_SECONDS = 600
    reminders.reminders_dispatch(now=timezone.now())  # created; its task never runs
    delivery = ReminderDelivery.objects.get()
    # A worker claimed it and died before recording the outcome.
    claimed = timezone.now() - datetime.timedelta(minutes=5)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=claimed, enqueued_at=None, attempts=1
    )
    # Within the timeout nobody touches it, not even a duplicate task.
    assert reminders.delivery_send(delivery_id=delivery.pk, now=timezone.now()) == ""
    assert dispatch(MINUTE).requeued == []
    # After it, the dispatcher enqueues it again and it is sent.
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert dispatch(2 * MINUTE).requeued == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_a_lost_task_is_enqueued_again(meeting_soon, dispatch, settings):
    """A pending delivery whose task vanished (broker restarted) is enqueued again
    once REMINDER_STUCK_SECONDS have passed since it was enqueued."""
    settings.REMINDER_STUCK_SECONDS = 600
    reminders.reminders_dispatch(now=timezone.now())  # its task is lost
    assert dispatch(5 * MINUTE).requeued == []
    assert len(dispatch(11 * MINUTE).requeued) == 1
    assert ReminderDelivery.objects.get().status == "sent"


def test_an_outage_longer_than_the_useful_window_expires_the_reminder_visibly(
    meeting_soon, dispatch, settings, client_for, admin_user, member
):
    """451 from first try to the meeting's start: retried only before the start, then
    "expired" (never "skipped"), counted with failures for the admin and the person;
    the in-app notification is there all along."""
    settings.REMINDER_MAX_ATTEMPTS = 50  # the window, not the count, must end it
    start = meeting_soon.starts_at
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mailbox.refusals = -1
        seen = []
        for minute in range(16):
            dispatch(minute * MINUTE)
            delivery = ReminderDelivery.objects.get()
            seen.append(delivery.status)
            if delivery.next_attempt_at is not None:
                assert delivery.next_attempt_at < start, "a retry planned after the start"
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "expired", seen
    assert "skipped" not in seen
    assert delivery.attempts >= 3 and mailbox.refused == delivery.attempts
    assert "451" in delivery.detail
    assert mailbox.messages == []
    assert delivery.notification.recipient == member  # in-app unaffected

    admin_list = client_for(admin_user).get("/admin/reminders/reminderdelivery/?undelivered=yes")
    assert admin_list.status_code == 200 and "451" in admin_list.text
    assert "1 reminder could not be emailed" in client_for(admin_user).get("/notifications/").text
    assert (
        "1 of your reminders could not be emailed" in client_for(member).get("/notifications/").text
    )


def test_a_reminder_whose_retry_would_be_too_late_is_retried_before_the_start(
    make_meeting, member, dispatch, settings
):
    Role.objects.update(last_reviewed_on=None)
    meeting = make_meeting(starts_at=timezone.now() + 4 * MINUTE, people=[member], title="Stand-up")
    settings.REMINDER_RETRY_SECONDS = 120  # backoff 2, 4 minutes: past the start
    with smtp_server() as (mailbox, port):
        settings.MAILERS = smtp_mailers(port)
        mailbox.refusals = 1
        dispatch()
        delivery = ReminderDelivery.objects.get()
        assert delivery.status == "pending"
        assert delivery.next_attempt_at < meeting.starts_at
        dispatch(delivery.next_attempt_at - timezone.now() + datetime.timedelta(seconds=1))
    assert ReminderDelivery.objects.get().status == "sent"
    assert len(mailbox.messages) == 1


def test_a_send_interrupted_until_the_meeting_began_is_recorded_unknown(
    meeting_soon, settings, client_for, admin_user
):
    settings.REMINDER_STUCK_SECONDS = 600
    reminders.reminders_dispatch(now=timezone.now())
    delivery = ReminderDelivery.objects.get()
    # A worker claimed it, perhaps handed it to the mail server, and was killed.
    ReminderDelivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=timezone.now() - 11 * MINUTE, enqueued_at=None, attempts=1
    )
    after_start = meeting_soon.starts_at + MINUTE
    assert reminders.delivery_send(delivery_id=delivery.pk, now=after_start) == "unknown"
    delivery.refresh_from_db()
    assert delivery.status == "unknown" and "may or may not" in delivery.detail
    assert len(mail.outbox) == 0
    assert "1 reminder could not be emailed" in client_for(admin_user).get("/notifications/").text


def test_a_cancelled_meeting_is_still_skipped_not_expired(meeting_soon, settings):
    reminders.reminders_dispatch(now=timezone.now())
    delivery = ReminderDelivery.objects.get()
    type(meeting_soon).objects.filter(pk=meeting_soon.pk).update(cancelled=True)
    after_start = meeting_soon.starts_at + MINUTE
    assert reminders.delivery_send(delivery_id=delivery.pk, now=after_start) == "skipped"
