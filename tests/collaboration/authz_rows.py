"""Rows of the authorization table (tests/test_authorization_table.py) for the
meeting, calendar, review and notification URLs. Same format as build_table()."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse

from collaboration.meetings.models import CalendarFeed, Meeting
from collaboration.reminders.models import Notification, ReminderDelivery
from orgmap.models import Department, Role
from responsibilities.models import Duty


def _fixtures() -> tuple[Meeting, CalendarFeed, Notification]:
    """A Sales meeting organised by the admin, member's calendar feed and one of
    member's notifications (get_or_create: the table is built once per persona)."""
    users = get_user_model().objects
    admin, member = users.get(username="admin"), users.get(username="member")
    meeting, created = Meeting.objects.get_or_create(
        title="Authorization table sync",
        defaults={
            "starts_at": datetime.datetime(2030, 1, 7, 9, 0, tzinfo=datetime.UTC),
            "organiser": admin,
            "recurrence": Meeting.Recurrence.WEEKLY,
            "time_zone": "UTC",
        },
    )
    if created:
        meeting.departments.set([Department.objects.get(code="SALES")])
        meeting.attendee_people.set([member])
    feed, _ = CalendarFeed.objects.get_or_create(
        user=member, defaults={"token": "authorization-table-token"}
    )
    delivery, _ = ReminderDelivery.objects.get_or_create(
        key=f"meeting:{meeting.pk}|authz|to:{member.pk}|meeting-15m",
        defaults={
            "kind": ReminderDelivery.Kind.MEETING,
            "recipient": member,
            "meeting": meeting,
            "occurrence": meeting.starts_at,
            "lead_minutes": 15,
            "status": ReminderDelivery.Status.SENT,
        },
    )
    notification, _ = Notification.objects.get_or_create(recipient=member, delivery=delivery)
    return meeting, feed, notification


def meeting_rows(helpers) -> dict:
    meeting, feed, notification = _fixtures()
    role = Role.objects.get(title="Sales Operations Analyst")
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    managers_of_sales = {"manager", "admin"}
    schedulers = {"manager", "other_manager", "coordinator", "admin"}
    post_only = {p: (405, 302) for p in helpers.LOGGED_IN}
    anonymous = {"anonymous": (helpers.LOGIN, helpers.LOGIN)}
    return {
        "meeting-list": (reverse("meeting-list"), helpers.read()),
        # An empty POST (no fields at all) shows the form again, saving nothing.
        "meeting-create": (reverse("meeting-create"), helpers.edit(schedulers)),
        "meeting-detail": (reverse("meeting-detail", args=[meeting.pk]), helpers.read()),
        "meeting-edit": (
            reverse("meeting-edit", args=[meeting.pk]),
            helpers.edit(managers_of_sales),
        ),
        "meeting-minutes": (
            reverse("meeting-minutes", args=[meeting.pk]),
            # Minutes may be empty: an empty form saves them (and redirects).
            helpers.edit(managers_of_sales, post=302),
        ),
        "meeting-ics": (reverse("meeting-ics", args=[meeting.pk]), helpers.read()),
        "calendar": (reverse("calendar"), helpers.read()),
        "calendar-reset": (reverse("calendar-reset"), {**post_only, **anonymous}),
        # Public for calendar apps, but only with the secret token (tested elsewhere).
        "calendar-feed": (
            reverse("calendar-feed", args=[feed.pk, feed.token]),
            helpers.public(),
        ),
        "notification-list": (reverse("notification-list"), helpers.read()),
        # Polled by htmx: a logged-out page gets 204 (nothing to swap), not the login page.
        "notification-bell": (
            reverse("notification-bell"),
            {**helpers.read(), "anonymous": (204, 405)},
        ),
        "notification-read": (
            reverse("notification-read", args=[notification.pk]),
            {
                **{p: (405, 403) for p in helpers.LOGGED_IN},
                "member": (405, 302),
                **anonymous,
            },
        ),
        "notifications-read-all": (
            reverse("notifications-read-all"),
            {**post_only, **anonymous},
        ),
        "department-reviews": (reverse("department-reviews", args=["SALES"]), helpers.read()),
        # An empty POST lacks the review date: the form comes back with the error.
        "role-review": (reverse("role-review", args=[role.pk]), helpers.edit(managers_of_sales)),
        "duty-review": (reverse("duty-review", args=[duty.pk]), helpers.edit(managers_of_sales)),
    }
