"""The bell, the notifications page, marking as read; the email switch in the profile."""

from __future__ import annotations

import datetime
import json

import pytest
from django.urls import reverse

from collaboration.reminders.models import Notification, ReminderDelivery

from .conftest import UTC

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def notify(make_meeting):
    meeting = make_meeting(
        starts_at=datetime.datetime(2030, 3, 4, 9, 0, tzinfo=UTC), title="Weekly sync"
    )

    def make(user, minutes: int = 0) -> Notification:
        occurrence = meeting.starts_at + datetime.timedelta(days=minutes)
        delivery = ReminderDelivery.objects.create(
            key=f"test|{user.pk}|{minutes}",
            kind="meeting",
            recipient=user,
            meeting=meeting,
            occurrence=occurrence,
            lead_minutes=15,
            status="sent",
        )
        return Notification.objects.create(recipient=user, delivery=delivery)

    return make


def test_bell_counts_my_unread_notifications(member, hr, client_for, notify):
    notify(member)
    notify(member, 7)
    notify(hr)
    bell = client_for(member).get(reverse("notification-bell"))
    assert bell.status_code == 200
    assert 'id="unread-count"' in bell.text and ">2<" in bell.text
    # Polls on, but does not reload itself on load (which would loop).
    assert "every 60s" in bell.text and "load," not in bell.text


def test_bell_of_a_logged_out_page_swaps_nothing(client):
    response = client.get(reverse("notification-bell"), headers=HTMX)
    assert response.status_code == 204 and response.content == b""


def test_every_page_has_the_bell_with_its_count_and_no_extra_request(member, client_for, notify):
    notify(member)
    notify(member, minutes=1)
    page = client_for(member).get(reverse("org-overview"))
    assert 'id="notification-bell"' in page.text
    assert '<span class="badge badge-error" id="unread-count">2' in page.text
    # Polls later, but no request on load: the count came with the page.
    assert f'hx-get="{reverse("notification-bell")}"' in page.text
    assert 'hx-trigger="every 60s' in page.text
    assert 'hx-trigger="load' not in page.text


def test_page_lists_my_notifications_only(member, hr, client_for, notify):
    notify(member)
    notify(hr)
    page = client_for(member).get(reverse("notification-list"))
    assert page.status_code == 200
    assert len(page.context["items"]) == 1
    assert "“Weekly sync” starts on" in page.text


def test_mark_as_read_without_htmx(member, client_for, notify):
    notification = notify(member)
    response = client_for(member).post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 302 and response.url == reverse("notification-list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_as_read_with_htmx_swaps_the_item_and_refreshes_the_bell(member, client_for, notify):
    notification = notify(member)
    response = client_for(member).post(
        reverse("notification-read", args=[notification.pk]), headers=HTMX
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"notifications-changed": {}}
    assert f'id="notification-{notification.pk}"' in response.text
    assert "Mark as read" not in response.text


def test_nobody_marks_somebody_elses_notification(member, admin_user, client_for, notify):
    notification = notify(member)
    response = client_for(admin_user).post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 403
    assert "belongs to somebody else" in response.text
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_as_read(member, hr, client_for, notify):
    notify(member)
    notify(member, 7)
    theirs = notify(hr)
    client_for(member).post(reverse("notifications-read-all"))
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_as_read_needs_post(member, client_for, notify):
    notification = notify(member)
    assert (
        client_for(member).get(reverse("notification-read", args=[notification.pk])).status_code
        == 405
    )


def test_notifications_page_cost_is_constant(
    member, client_for, notify, django_assert_max_num_queries
):
    client = client_for(member)
    notify(member)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("notification-list"))
    for day in range(1, 20):
        notify(member, day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notification-list"))


def test_email_reminders_can_be_turned_off_in_the_profile(member, client_for):
    client = client_for(member)
    assert "email_reminders" in client.get(reverse("profile")).text
    response = client.post(
        reverse("profile"), {"display_name": "Max Member", "language": "en", "phone": ""}
    )
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.email_reminders is False
