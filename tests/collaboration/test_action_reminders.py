"""Overdue improvement actions feed the reminders: the owner is reminded from the day
after the due date, weekly while overdue, and the managers of the department the
feedback is about get an escalation after 30 days. A fixed clock (`now=`) throughout."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from collaboration.meetings.models import Meeting
from collaboration.reminders import dispatcher as reminders
from collaboration.reminders import emails
from collaboration.reminders.models import Notification, ReminderDelivery
from collaboration.routines import services
from collaboration.routines.models import Feedback, ImprovementAction
from orgmap.models import Department, Role
from responsibilities.models import Duty, InformationFlow

from .conftest import UTC

pytestmark = pytest.mark.django_db

User = get_user_model()
DUE = datetime.date(2026, 3, 2)  # the last day to finish the action
TITLE = "Publish the order hand-off checklist"


def _user(username: str):
    return User.objects.get(username=username)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def _day(days_after_due: int, hour: int = 9) -> datetime.datetime:
    return _at(DUE + datetime.timedelta(days=days_after_due), hour)


def _feedback(**target) -> Feedback:
    return Feedback.objects.create(
        summary="Orders reach Production without the delivery date",
        status=Feedback.Status.ACCEPTED,
        **target,
    )


@pytest.fixture
def make_action(demo_org):
    """make_action(owner=..., department="SALES-N" | feedback=..., **fields): an action
    on accepted feedback about a department (North Sales unless told otherwise)."""

    def make(*, owner, department: str = "SALES-N", feedback: Feedback | None = None, **fields):
        fields.setdefault("title", TITLE)
        fields.setdefault("due_on", DUE)
        if feedback is None:
            feedback = _feedback(department=Department.objects.get(code=department))
        return ImprovementAction.objects.create(feedback=feedback, owner=owner, **fields)

    return make


@pytest.fixture
def action(make_action, member):
    return make_action(owner=member)


def _plan(now: datetime.datetime) -> set[tuple[str, str, str]]:
    return {
        (_user_name(r.recipient_id), r.kind, f"{r.occurrence:%m-%d}")
        for r in reminders.due_action_reminders(now=now)
    }


def _user_name(pk: int) -> str:
    return User.objects.get(pk=pk).username


# --- when, and to whom -------------------------------------------------------------


def test_owner_is_reminded_from_the_review_hour_on_the_day_after_the_due_date(action):
    assert _plan(_day(0)) == set()  # due today: not overdue yet
    assert _plan(_day(1, hour=7)) == set()  # not before REMINDER_REVIEW_HOUR
    assert _plan(_day(1)) == {("member", "action", "03-03")}


def test_review_hour_comes_from_settings(action, settings):
    settings.REMINDER_REVIEW_HOUR = 6
    assert _plan(_day(1, hour=6)) == {("member", "action", "03-03")}


def test_an_overdue_action_is_reminded_once_however_often_the_dispatcher_runs(
    action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.reminders_dispatch(now=_day(1))
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.reminders_dispatch(now=_day(1) + datetime.timedelta(minutes=1))
        reminders.reminders_dispatch(now=_day(3))
    assert len(first.created) == 1 and second.created == []
    delivery = ReminderDelivery.objects.get()
    assert (delivery.kind, delivery.action, delivery.recipient.username) == (
        "action",
        action,
        "member",
    )
    assert delivery.status == "sent"
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert Notification.objects.filter(recipient=action.owner, delivery=delivery).count() == 1


def test_reminder_repeats_every_repeat_interval_while_overdue(action):
    assert _plan(_day(7)) == {("member", "action", "03-03")}
    assert _plan(_day(8)) == {("member", "action", "03-10")}
    assert _plan(_day(16)) == {("member", "action", "03-17")}


def test_repeat_interval_comes_from_settings(action, settings):
    settings.REMINDER_REPEAT_DAYS = 3
    assert _plan(_day(4)) == {("member", "action", "03-06")}


def test_weekly_repeats_are_each_sent_once(action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(0, 16):
            reminders.reminders_dispatch(now=_day(day))
    assert len(mail.outbox) == 3  # 3, 10 and 17 March
    assert ReminderDelivery.objects.filter(kind="action").count() == 3


def test_overdue_action_escalates_to_the_managers_of_the_feedback_department_after_30_days(
    action,
):
    # sales_manager manages Sales, and so its sub-department North Sales.
    assert _plan(_day(29)) == {("member", "action", "03-31")}  # the fifth weekly one
    assert _plan(_day(30)) == {
        ("member", "action", "03-31"),
        ("sales_manager", "action_escalation", "04-01"),
    }


def test_escalation_days_come_from_settings(action, settings):
    settings.REMINDER_ESCALATION_DAYS = 10
    assert ("sales_manager", "action_escalation", "03-12") in _plan(_day(10))


def test_escalation_is_sent_once(action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for day in (30, 31, 32, 40):
            reminders.reminders_dispatch(now=_day(day))
    escalation = ReminderDelivery.objects.get(kind="action_escalation")
    assert escalation.recipient.username == "sales_manager"
    escalated = [m for m in mail.outbox if m.to == ["sales.manager@example.com"]]
    assert len(escalated) == 1 and TITLE in escalated[0].subject


def test_escalation_goes_to_the_managers_of_both_ends_of_a_flow(make_action, member):
    flow = InformationFlow.objects.create(
        from_department=Department.objects.get(code="SALES"),
        to_department=Department.objects.get(code="PROD"),
        information="Confirmed orders",
        channel="email",
        frequency="daily",
    )
    make_action(owner=member, feedback=_feedback(flow=flow))
    escalated = {who for who, kind, _day in _plan(_day(30)) if kind == "action_escalation"}
    assert escalated == {"sales_manager", "production_manager"}


def test_escalation_follows_the_department_of_a_role_or_duty(demo_duties, make_action, member):
    role = Role.objects.get(title="Production Planner")
    duty = Duty.objects.get(title="Hand confirmed orders to Production")
    make_action(owner=member, feedback=_feedback(role=role), title="Role action")
    make_action(owner=member, feedback=_feedback(duty=duty), title="Duty action")
    escalated = {
        (r.action_id, _user_name(r.recipient_id))
        for r in reminders.due_action_reminders(now=_day(30))
        if r.kind == "action_escalation"
    }
    role_action = ImprovementAction.objects.get(title="Role action").pk
    duty_action = ImprovementAction.objects.get(title="Duty action").pk
    # The planner's role is in Production; the hand-off duty belongs to Sales.
    assert escalated == {(role_action, "production_manager"), (duty_action, "sales_manager")}


@pytest.mark.parametrize("department", ["RND", "MKT"])
def test_escalation_without_managers_goes_to_the_org_admins(make_action, member, department):
    make_action(owner=member, department=department)
    assert ("admin", "action_escalation", "04-01") in _plan(_day(30))


def test_an_owner_whose_account_was_deactivated_is_replaced_by_the_managers(action, member):
    member.is_active = False
    member.save()
    assert _plan(_day(1)) == {("sales_manager", "action", "03-03")}


# --- what is not reminded ----------------------------------------------------------


def test_done_actions_are_not_reminded(make_action, member):
    make_action(
        owner=member,
        status=ImprovementAction.Status.DONE,
        done_at=_day(5),
    )
    assert _plan(_day(1)) == set()
    assert _plan(_day(40)) == set()


def test_actions_not_yet_due_are_not_reminded(make_action, member):
    make_action(owner=member, due_on=DUE + datetime.timedelta(days=10))
    assert _plan(_day(10)) == set()
    assert reminders.reminders_dispatch(now=_day(10)).created == []


def test_in_progress_actions_are_reminded_like_open_ones(make_action, member):
    make_action(owner=member, status=ImprovementAction.Status.IN_PROGRESS)
    assert _plan(_day(1)) == {("member", "action", "03-03")}


def _update(action: ImprovementAction, **changes) -> ImprovementAction:
    data = {
        "title": action.title,
        "owner": action.owner,
        "due_on": action.due_on,
        "status": action.status,
    }
    return services.improvement_action_update(action=action, now=_day(1), **{**data, **changes})


def test_an_action_done_before_the_email_goes_out_cancels_it(action):
    created = reminders.reminders_dispatch(now=_day(1)).created  # not yet sent
    _update(action, status=ImprovementAction.Status.DONE)
    assert reminders.delivery_send(delivery_id=created[0], now=_day(1)) == "skipped"
    assert mail.outbox == []
    delivery = ReminderDelivery.objects.get(pk=created[0])
    assert delivery.status == "skipped" and "done" in delivery.detail
    # The in-app notification stays; nothing more is planned.
    assert Notification.objects.filter(delivery=delivery).count() == 1
    assert _plan(_day(8)) == set()


def test_a_due_date_moved_into_the_future_before_the_email_goes_out_cancels_it(action):
    created = reminders.reminders_dispatch(now=_day(1)).created
    _update(action, due_on=DUE + datetime.timedelta(days=14))
    reminders.delivery_send(delivery_id=created[0], now=_day(1))
    assert mail.outbox == []
    assert "due date was moved" in ReminderDelivery.objects.get(pk=created[0]).detail
    assert _plan(_day(8)) == set()


def test_an_escalation_for_an_action_done_meanwhile_is_not_sent(action):
    created = reminders.reminders_dispatch(now=_day(30)).created
    assert ReminderDelivery.objects.filter(pk__in=created, kind="action_escalation").exists()
    _update(action, status=ImprovementAction.Status.DONE)
    for delivery_id in created:
        reminders.delivery_send(delivery_id=delivery_id, now=_day(30))
    assert mail.outbox == []
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_an_action_given_to_somebody_else_is_not_sent_to_the_former_owner(action, hr):
    created = reminders.reminders_dispatch(now=_day(1)).created
    _update(action, owner=hr)
    reminders.delivery_send(delivery_id=created[0], now=_day(1))
    assert mail.outbox == []
    assert "somebody else" in ReminderDelivery.objects.get(pk=created[0]).detail
    # The new owner gets their own reminder.
    assert _plan(_day(1)) == {("hr", "action", "03-03")}


# --- the email and the notification -------------------------------------------------


def test_the_email_names_the_action_and_links_to_it(
    action, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://orgmap.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_dispatch(now=_day(1))
    [message] = mail.outbox
    url = f"https://orgmap.example.com{reverse('action-edit', args=[action.pk])}"
    assert message.subject == f"Improvement action overdue: {TITLE}"
    assert TITLE in message.body and url in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert TITLE in html and f'href="{url}"' in html
    assert "You own this improvement action" in message.body
    assert message.attachments == []  # no calendar file: it is not a meeting


def test_the_escalation_email_names_the_owner_and_how_long_it_is_overdue(
    action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_dispatch(now=_day(30))
    [message] = [m for m in mail.outbox if m.to == ["sales.manager@example.com"]]
    assert message.subject == f"Improvement action overdue for 30 days: {TITLE}"
    assert "Max Member" in message.body and "30 days" in message.body
    assert reverse("action-edit", args=[action.pk]) in message.body


def test_the_email_is_in_the_owners_language(
    make_action, member, django_capture_on_commit_callbacks
):
    member.profile.language = "zh-hans"
    member.profile.save()
    make_action(owner=member)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_dispatch(now=_day(1))
    [message] = mail.outbox
    # Django's own zh-hans formats write dates as 2026年3月2日.
    assert "年" in message.body


def test_email_reminders_off_means_in_app_only(action, member):
    member.profile.email_reminders = False
    member.profile.save()
    reminders.reminders_dispatch(now=_day(1))
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "skipped" and "turned off" in delivery.detail
    assert Notification.objects.filter(recipient=member).count() == 1


def test_the_notification_page_shows_the_action_and_links_to_it(action, member, client_for):
    reminders.reminders_dispatch(now=_day(1))
    page = client_for(member).get(reverse("notification-list"))
    assert page.status_code == 200
    assert TITLE in page.text
    assert reverse("action-edit", args=[action.pk]) in page.text


def test_the_owner_and_the_escalated_managers_may_open_the_linked_page(action, client_for):
    reminders.reminders_dispatch(now=_day(30))
    for delivery in ReminderDelivery.objects.select_related("recipient"):
        url = emails.reminder_url(delivery)
        assert client_for(delivery.recipient).get(url).status_code == 200


# --- cost --------------------------------------------------------------------------


def _actions_on_every_kind_of_target(make_action, owner, count: int) -> None:
    flow = InformationFlow.objects.create(
        from_department=Department.objects.get(code="SALES"),
        to_department=Department.objects.get(code="PROD"),
        information="Confirmed orders",
        channel="email",
        frequency="daily",
    )
    meeting = Meeting.objects.create(
        title="Sync", starts_at=_at(DUE), time_zone="UTC", duration_minutes=30
    )
    meeting.departments.set(Department.objects.filter(code__in=["SALES", "RND"]))
    targets = [
        {"department": Department.objects.get(code="SALES-N")},
        {"role": Role.objects.get(title="Production Planner")},
        {"flow": flow},
        {"meeting": meeting},
        {"department": Department.objects.get(code="RND")},  # no manager: the admins
    ]
    for number in range(count):
        make_action(
            owner=owner,
            feedback=_feedback(**targets[number % len(targets)]),
            title=f"Action {number}",
        )


def test_planning_costs_the_same_for_one_action_or_many(
    make_action, member, django_assert_max_num_queries
):
    _actions_on_every_kind_of_target(make_action, member, 5)
    with django_assert_max_num_queries(20) as few:
        assert len(reminders.due_action_reminders(now=_day(30))) > 5
    _actions_on_every_kind_of_target(make_action, member, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(reminders.due_action_reminders(now=_day(30))) > 25


def test_a_dispatcher_run_with_nothing_new_costs_the_same_for_one_action_or_many(
    make_action, member, django_assert_max_num_queries
):
    _actions_on_every_kind_of_target(make_action, member, 5)
    reminders.reminders_dispatch(now=_day(30))
    with django_assert_max_num_queries(30) as few:
        assert reminders.reminders_dispatch(now=_day(30)).created == []
    _actions_on_every_kind_of_target(make_action, member, 25)
    reminders.reminders_dispatch(now=_day(30))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert reminders.reminders_dispatch(now=_day(30)).created == []
