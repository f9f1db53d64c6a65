"""The reminder dispatcher with a fixed clock: what is due, to whom, and only once.

`now` is passed into the service functions; nothing patches time."""

from __future__ import annotations

import datetime
import email

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from guardian.shortcuts import assign_perm
from icalendar import Calendar

from collaboration.reminders import dispatcher as reminders
from collaboration.reminders.models import Notification, ReminderDelivery
from orgmap.models import Department, Role, RoleHolder
from responsibilities.models import Duty

from .conftest import BERLIN, UTC

pytestmark = pytest.mark.django_db

User = get_user_model()
MEETING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _user(username: str):
    return User.objects.get(username=username)


def _due(now: datetime.datetime) -> set[tuple[str, int | None]]:
    return {
        (User.objects.get(pk=r.recipient_id).username, r.lead_minutes)
        for r in reminders.due_meeting_reminders(now=now)
    }


# --- meetings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "lead"),
    [
        (datetime.timedelta(hours=24, minutes=1), None),  # not yet
        (datetime.timedelta(hours=24), 1440),  # exactly the lead time
        (datetime.timedelta(hours=2), 1440),  # scheduled late: the 24-hour one, now
        (datetime.timedelta(minutes=15), 15),
        (datetime.timedelta(minutes=3), 15),
        (datetime.timedelta(0), None),  # it has started
        (-datetime.timedelta(minutes=5), None),
    ],
)
def test_meeting_reminder_is_due_at_the_lead_times(make_meeting, member, before, lead):
    make_meeting(starts_at=MEETING, people=[member])
    expected = {("member", lead)} if lead else set()
    assert _due(MEETING - before) == expected


def test_lead_times_come_from_settings(make_meeting, member, settings):
    settings.REMINDER_LEAD_TIMES = [60]
    make_meeting(starts_at=MEETING, people=[member])
    assert _due(MEETING - datetime.timedelta(hours=2)) == set()
    assert _due(MEETING - datetime.timedelta(minutes=60)) == {("member", 60)}


def test_every_attendee_is_reminded_organiser_people_and_role_holders(make_meeting, member, hr):
    make_meeting(
        starts_at=MEETING,
        organiser=hr,
        people=[member],
        roles=["Production Planner", "Head of Sales"],
    )
    assert _due(MEETING - datetime.timedelta(minutes=10)) == {
        ("hr", 15),
        ("member", 15),
        ("ken.ito", 15),
        ("sales_manager", 15),
    }


def test_role_invitations_follow_who_holds_the_role_on_the_day(make_meeting, member):
    planner = Role.objects.get(title="Production Planner")
    RoleHolder.objects.filter(role=planner).update(until=datetime.date(2026, 3, 1))
    RoleHolder.objects.create(role=planner, person=member, since=datetime.date(2026, 3, 1))
    make_meeting(starts_at=MEETING, roles=["Production Planner"])
    assert _due(MEETING - datetime.timedelta(minutes=10)) == {("member", 15)}


def test_inactive_people_and_vacant_roles_get_nothing(make_meeting, member):
    member.is_active = False
    member.save()
    make_meeting(starts_at=MEETING, people=[member], roles=["Training Coordinator"])
    assert _due(MEETING - datetime.timedelta(minutes=10)) == set()


def test_nothing_for_a_cancelled_meeting(make_meeting, member):
    make_meeting(starts_at=MEETING, people=[member], cancelled=True)
    make_meeting(
        starts_at=MEETING - datetime.timedelta(days=7),
        people=[member],
        recurrence="weekly",
        cancelled=True,
    )
    assert _due(MEETING - datetime.timedelta(minutes=10)) == set()


def test_weekly_series_is_reminded_across_the_month_end(make_meeting, member):
    # Wednesdays at 09:00 in Berlin from 28 January: the second one is 4 February.
    make_meeting(
        starts_at=datetime.datetime(2026, 1, 28, 9, 0, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        recurrence="weekly",
        people=[member],
    )
    now = datetime.datetime(2026, 2, 4, 8, 50, tzinfo=BERLIN)
    [reminder] = reminders.due_meeting_reminders(now=now)
    assert reminder.occurrence == datetime.datetime(2026, 2, 4, 8, 0, tzinfo=UTC)
    assert reminder.lead_minutes == 15
    # The day before, its 24-hour reminder; nothing on the days in between.
    assert _due(datetime.datetime(2026, 2, 3, 9, 0, tzinfo=BERLIN)) == {("member", 1440)}
    assert _due(datetime.datetime(2026, 2, 1, 9, 0, tzinfo=BERLIN)) == set()


def test_monthly_series_on_the_31st_is_reminded_on_the_last_day_of_february(make_meeting, member):
    make_meeting(
        starts_at=datetime.datetime(2026, 1, 31, 10, 0, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        recurrence="monthly",
        people=[member],
    )
    now = datetime.datetime(2026, 2, 28, 9, 50, tzinfo=BERLIN)
    [reminder] = reminders.due_meeting_reminders(now=now)
    assert reminder.occurrence.astimezone(BERLIN) == datetime.datetime(
        2026, 2, 28, 10, 0, tzinfo=BERLIN
    )


def test_reminders_follow_the_daylight_saving_change(make_meeting, member):
    # Mondays 09:00 Berlin; on 30 March 2026 summer time has begun: 07:00 UTC, not 08:00.
    make_meeting(
        starts_at=datetime.datetime(2026, 3, 23, 9, 0, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        recurrence="weekly",
        people=[member],
    )
    [reminder] = reminders.due_meeting_reminders(
        now=datetime.datetime(2026, 3, 30, 6, 50, tzinfo=UTC)
    )
    assert reminder.occurrence == datetime.datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    # One hour later in UTC the meeting has started: too late for a reminder.
    assert _due(datetime.datetime(2026, 3, 30, 7, 50, tzinfo=UTC)) == set()
    # The 24-hour reminder also moved with the local time.
    assert _due(datetime.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)) == {("member", 1440)}


def test_series_with_a_count_stops_reminding_after_its_last_meeting(make_meeting, member):
    make_meeting(starts_at=MEETING, recurrence="daily", recurrence_count=2, people=[member])
    assert _due(MEETING + datetime.timedelta(days=1, minutes=-10)) == {("member", 15)}
    assert _due(MEETING + datetime.timedelta(days=2, minutes=-10)) == set()


# --- dispatching and sending -------------------------------------------------------


@pytest.fixture
def soon(make_meeting, member, hr):
    """A meeting in ten minutes (real time: the send task reads the clock) with two
    attendees, hr in Chinese. No reviews are due, so only the meeting is reminded."""
    Role.objects.update(last_reviewed_on=None)
    hr.profile.language = "zh-hans"
    hr.profile.save()
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=10)
    return make_meeting(
        starts_at=start, people=[member, hr], title="Weekly sync", location="Room 2.14"
    )


def _ics_parts(message) -> list[Calendar]:
    parsed = email.message_from_bytes(message.message().as_bytes())
    return [
        Calendar.from_ical(part.get_payload(decode=True))
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar"
    ]


def test_dispatch_sends_one_email_per_attendee_with_the_ics(
    soon, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.reminders_dispatch(now=timezone.now())
    assert len(result.created) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["hr@example.com", "member@example.com"]
    for message in mail.outbox:
        assert "Weekly sync" in message.subject
        assert message.alternatives[0].mimetype == "text/html"
        [calendar] = _ics_parts(message)
        [event] = calendar.events
        assert str(event["SUMMARY"]) == "Weekly sync"
        assert event.start == soon.starts_at
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert Notification.objects.filter(delivery__meeting=soon).count() == 2


def test_email_is_in_the_recipients_language(soon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_dispatch(now=timezone.now())
    chinese = next(m for m in mail.outbox if m.to == ["hr@example.com"])
    english = next(m for m in mail.outbox if m.to == ["member@example.com"])
    # Django's own zh-hans formats write dates as 2026年3月2日.
    assert "年" in chinese.body and "年" not in english.body


def test_dispatching_twice_sends_nothing_more(soon, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.reminders_dispatch(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.reminders_dispatch(now=now + datetime.timedelta(minutes=1))
    assert len(first.created) == 2 and second.created == [] and second.requeued == []
    assert len(mail.outbox) == 2
    assert ReminderDelivery.objects.count() == Notification.objects.count() == 2


def test_a_task_run_twice_sends_once(soon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = reminders.reminders_dispatch(now=timezone.now()).created
    for delivery_id in created:
        assert reminders.delivery_send(delivery_id=delivery_id, now=timezone.now()) == ""
    assert len(mail.outbox) == 2


def test_email_reminders_off_means_in_app_only(soon, member, django_capture_on_commit_callbacks):
    member.profile.email_reminders = False
    member.profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_dispatch(now=timezone.now())
    assert [m.to for m in mail.outbox] == [["hr@example.com"]]
    skipped = ReminderDelivery.objects.get(recipient=member)
    assert skipped.status == "skipped" and "turned off" in skipped.detail
    assert Notification.objects.filter(recipient=member).count() == 1


def test_a_reminder_for_a_meeting_cancelled_in_the_meantime_is_not_sent(
    soon, django_capture_on_commit_callbacks
):
    created = reminders.reminders_dispatch(now=timezone.now()).created  # not yet sent
    soon.cancelled = True
    soon.save()
    for delivery_id in created:
        reminders.delivery_send(delivery_id=delivery_id, now=timezone.now())
    assert mail.outbox == []
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_a_reminder_for_a_meeting_moved_in_the_meantime_is_not_sent(soon):
    created = reminders.reminders_dispatch(now=timezone.now()).created
    soon.starts_at += datetime.timedelta(hours=3)
    soon.save()
    for delivery_id in created:
        reminders.delivery_send(delivery_id=delivery_id, now=timezone.now())
    assert mail.outbox == []
    assert "moved" in ReminderDelivery.objects.first().detail


# --- reviews -----------------------------------------------------------------------

DUE = datetime.date(2026, 3, 2)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


@pytest.fixture
def overdue_role(demo_org):
    """North Sales Representative, last reviewed a year before DUE; nothing else due."""
    Role.objects.update(last_reviewed_on=None)
    role = Role.objects.get(title="North Sales Representative")
    role.review_cadence_months = 12
    role.last_reviewed_on = datetime.date(2025, 3, 2)
    role.save()
    return role


def _review_plan(now: datetime.datetime) -> set[tuple[str, str, str]]:
    return {
        (User.objects.get(pk=r.recipient_id).username, r.kind, f"{r.occurrence:%m-%d}")
        for r in reminders.due_review_reminders(now=now)
    }


def test_review_reminder_goes_to_the_managers_on_the_due_day(overdue_role):
    # sales_manager manages Sales, and so its sub-department North Sales.
    assert _review_plan(_at(DUE - datetime.timedelta(days=1))) == set()
    assert _review_plan(_at(DUE, hour=7)) == set()  # not before REMINDER_REVIEW_HOUR
    assert _review_plan(_at(DUE)) == {("sales_manager", "review", "03-02")}


def test_review_reminder_includes_managers_through_groups_and_direct_grants(overdue_role):
    from django.contrib.auth.models import Group

    north = Department.objects.get(code="SALES-N")
    assign_perm("orgmap.manage_department", _user("li.na"), north)
    group = Group.objects.create(name="North leads")
    _user("wang.fang").groups.add(group)
    assign_perm("orgmap.manage_department", group, north)
    assert {who for who, _kind, _day in _review_plan(_at(DUE))} == {
        "sales_manager",
        "li.na",
        "wang.fang",
    }


def test_review_reminder_repeats_weekly_while_overdue(overdue_role):
    assert _review_plan(_at(DUE + datetime.timedelta(days=6))) == {
        ("sales_manager", "review", "03-02")
    }
    assert _review_plan(_at(DUE + datetime.timedelta(days=7))) == {
        ("sales_manager", "review", "03-09")
    }
    assert _review_plan(_at(DUE + datetime.timedelta(days=15))) == {
        ("sales_manager", "review", "03-16")
    }


def test_weekly_repeats_are_each_sent_once(overdue_role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(0, 15):
            reminders.reminders_dispatch(now=_at(DUE + datetime.timedelta(days=day)))
    assert len(mail.outbox) == 3  # 2, 9 and 16 March
    assert all("North Sales Representative" in m.subject for m in mail.outbox)


def test_overdue_review_escalates_to_the_head_of_the_parent_department_after_30_days(
    overdue_role,
):
    assert ("sales_manager", "escalation", "04-01") not in _review_plan(
        _at(DUE + datetime.timedelta(days=29))
    )
    plan = _review_plan(_at(DUE + datetime.timedelta(days=30)))
    # Sales is the parent of North Sales; Sam Sales holds its head role.
    assert ("sales_manager", "escalation", "04-01") in plan
    assert ("sales_manager", "review", "03-30") in plan


def test_escalation_without_a_parent_department_goes_to_the_org_admins(demo_org):
    Role.objects.update(last_reviewed_on=None)
    Role.objects.filter(title="Production Planner").update(
        review_cadence_months=12, last_reviewed_on=datetime.date(2025, 3, 2)
    )
    plan = _review_plan(_at(DUE + datetime.timedelta(days=31)))
    assert ("production_manager", "review", "03-30") in plan
    assert ("admin", "escalation", "04-01") in plan


def test_escalation_is_sent_once(overdue_role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in (30, 31, 32):
            reminders.reminders_dispatch(now=_at(DUE + datetime.timedelta(days=day)))
    escalations = ReminderDelivery.objects.filter(kind="escalation")
    assert escalations.count() == 1
    assert sum("Overdue review" in m.subject for m in mail.outbox) == 1


def test_department_without_managers_sends_to_the_org_admins(overdue_role):
    from orgmap.models import DepartmentUserObjectPermission

    DepartmentUserObjectPermission.objects.all().delete()
    assert _review_plan(_at(DUE)) == {("admin", "review", "03-02")}


def test_duty_reviews_are_reminded_too(demo_duties):
    Role.objects.update(last_reviewed_on=None)
    duty = Duty.objects.get(title="Hand confirmed orders to Production")
    duty.last_reviewed_on = datetime.date(2025, 3, 2)
    duty.save()
    [reminder] = reminders.due_review_reminders(now=_at(DUE))
    assert reminder.duty_id == duty.pk and reminder.recipient_id == _user("sales_manager").pk


def test_inactive_roles_are_not_reminded(overdue_role):
    overdue_role.active = False
    overdue_role.save()
    assert _review_plan(_at(DUE)) == set()


def test_a_review_recorded_before_the_email_goes_out_cancels_it(overdue_role):
    from collaboration.meetings import reviews

    created = reminders.reminders_dispatch(now=_at(DUE)).created
    reviews.review_record(
        subject=overdue_role,
        by=_user("sales_manager"),
        reviewed_on=DUE,
        note="",
        cadence_months=12,
    )
    reminders.delivery_send(delivery_id=created[0], now=_at(DUE))
    assert mail.outbox == []
    assert ReminderDelivery.objects.get(pk=created[0]).status == "skipped"
    # And the next due date moved a year on: nothing due any more.
    assert _review_plan(_at(DUE + datetime.timedelta(days=7))) == set()
