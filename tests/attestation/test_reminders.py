"""Overdue role confirmations feed the reminders (collaboration/reminders): the holder
once per due date, the managers of the role's department once after
ATTESTATION_ESCALATION_DAYS; email and in-app."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from collaboration.reminders import dispatcher as reminders
from collaboration.reminders.models import Notification, ReminderDelivery
from responsibilities.attestation import services, versions
from responsibilities.attestation.models import ConfirmationRequest
from tests import factories

pytestmark = pytest.mark.django_db

Kind = ReminderDelivery.Kind
TODAY = timezone.localdate()


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def overdue(settings):
    """A clerk whose confirmation fell due yesterday; Sales has one manager."""
    settings.ATTESTATION_ESCALATION_DAYS = 14
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    role = factories.RoleFactory(department=sales, title="Order Clerk")
    clerk = factories.UserFactory(username="clerk", display_name="Clara Clerk")
    factories.RoleHolderFactory(role=role, person=clerk)
    boss = factories.UserFactory(username="boss")
    factories.grant_manage(boss, sales)
    versions.record_versions({role.pk})
    ConfirmationRequest.objects.filter(person=clerk).update(
        due_on=TODAY - datetime.timedelta(days=1)
    )
    return {"role": role, "clerk": clerk, "boss": boss}


def _dispatch(day: datetime.date, capture) -> reminders.DispatchResult:
    with capture(execute=True):
        return reminders.reminders_dispatch(now=_at(day))


def test_the_holder_is_reminded_once_per_due_date(overdue, django_capture_on_commit_callbacks):
    first = _dispatch(TODAY, django_capture_on_commit_callbacks)
    again = _dispatch(TODAY, django_capture_on_commit_callbacks)
    assert len(first.created) == 1 and again.created == []
    delivery = ReminderDelivery.objects.get()
    assert (delivery.kind, delivery.recipient, delivery.role) == (
        Kind.CONFIRMATION,
        overdue["clerk"],
        overdue["role"],
    )
    assert delivery.status == ReminderDelivery.Status.SENT
    [message] = mail.outbox
    assert "Please confirm your role description: Order Clerk" in message.subject
    assert f"/roles/{overdue['role'].pk}/confirm/" in message.body
    assert Notification.objects.filter(recipient=overdue["clerk"]).count() == 1


def test_no_reminder_before_the_due_date_passes_or_after_an_answer(
    overdue, django_capture_on_commit_callbacks
):
    ConfirmationRequest.objects.update(due_on=TODAY)
    assert _dispatch(TODAY, django_capture_on_commit_callbacks).created == []
    ConfirmationRequest.objects.update(due_on=TODAY - datetime.timedelta(days=1))
    asked = ConfirmationRequest.objects.get()
    services.confirmation_answer(request_id=asked.pk, person=overdue["clerk"], accept=True)
    assert _dispatch(TODAY, django_capture_on_commit_callbacks).created == []


def test_the_managers_get_one_escalation_after_the_escalation_days(
    overdue, django_capture_on_commit_callbacks
):
    ConfirmationRequest.objects.update(due_on=TODAY - datetime.timedelta(days=14))
    _dispatch(TODAY, django_capture_on_commit_callbacks)
    _dispatch(TODAY, django_capture_on_commit_callbacks)
    escalation = ReminderDelivery.objects.get(kind=Kind.CONFIRMATION_ESCALATION)
    assert escalation.recipient == overdue["boss"]
    assert ReminderDelivery.objects.filter(kind=Kind.CONFIRMATION).count() == 1
    [to_boss] = [m for m in mail.outbox if m.to == [overdue["boss"].email]]
    assert "not confirmed for 14 days" in to_boss.subject
    assert "/confirmations/coverage/?department=SALES" in to_boss.body


def test_a_new_due_date_is_reminded_again(overdue, django_capture_on_commit_callbacks):
    _dispatch(TODAY, django_capture_on_commit_callbacks)
    role = overdue["role"]
    role.purpose = "Book orders the same day."
    role.save()
    versions.record_versions({role.pk})  # a new version: a new request and due date
    later = TODAY + datetime.timedelta(days=40)
    ConfirmationRequest.objects.filter(status="pending").update(due_on=later)
    _dispatch(later + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert ReminderDelivery.objects.filter(kind=Kind.CONFIRMATION).count() == 2
