"""Overdue role confirmations on a real prefork worker (Redis, a real SMTP server):
beat's sweep stores UNCONFIRMED_ACCOUNTABILITY, and two dispatches send exactly one
reminder to the holder and one escalation to the manager. The logic is tested inline
in test_reminders.py and test_finding.py.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI sets both)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from collaboration.reminders.models import ReminderDelivery
from collaboration.reminders.tasks import dispatch_reminders
from orgmap.celery import app as celery_app
from responsibilities import raci
from responsibilities.attestation import tracking, versions
from responsibilities.attestation.models import ConfirmationRequest, RoleDescriptionVersion
from responsibilities.models import Finding
from responsibilities.services import assignment_set
from tests import factories
from tests.celery_worker import celery_worker, finished, is_idle, needs_worker, wait_for
from tests.collaboration.smtp import smtp_server

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]

SWEEP = "attestation.confirmations_sweep"
DISPATCH = "collaboration.tasks.dispatch_reminders"


def test_overdue_confirmations_are_reminded_once_on_a_prefork_worker(tmp_path):
    assert connection.vendor == "postgresql"
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    role = factories.RoleFactory(department=sales, title="Head of Sales")
    duty = factories.DutyFactory(department=sales, title="Sign the contracts")
    assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)
    holder = factories.UserFactory(username="holder", email="holder@example.com")
    factories.RoleHolderFactory(role=role, person=holder)
    boss = factories.UserFactory(username="boss", email="boss@example.com")
    factories.grant_manage(boss, sales)
    versions.record_versions({role.pk})
    # Asked long ago: past the grace period and the escalation days, with no write.
    ConfirmationRequest.objects.update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    assert not Finding.objects.filter(rule=raci.UNCONFIRMED_ACCOUNTABILITY).exists()

    with (
        smtp_server() as (mailbox, port),
        celery_worker(
            tmp_path,
            EMAIL_URL=f"smtp://127.0.0.1:{port}",
            REMINDER_REVIEW_HOUR="0",
            ATTESTATION_ESCALATION_DAYS="1",
        ) as log,
    ):
        schedule = celery_app.conf.beat_schedule["attestation-sweep"]
        assert schedule["task"] == SWEEP
        celery_app.send_task(SWEEP, expires=schedule["options"]["expires"])
        assert wait_for(lambda: finished(log, SWEEP) == 1), log.read_text()[-3000:]
        # Twice, as two beats would: still one email each.
        dispatch_reminders.delay()
        dispatch_reminders.delay()
        assert wait_for(lambda: len(mailbox.messages) >= 2), log.read_text()[-3000:]
        assert wait_for(lambda: finished(log, DISPATCH) == 2 and is_idle(log)), log.read_text()[
            -3000:
        ]

    assert "raised unexpected" not in log.read_text()
    assert Finding.objects.filter(rule=raci.UNCONFIRMED_ACCOUNTABILITY, duty=duty).count() == 1
    assert sorted(mailbox.recipients) == ["boss@example.com", "holder@example.com"]
    assert len(mailbox.messages) == 2
    kinds = sorted(ReminderDelivery.objects.values_list("kind", "status"))
    assert kinds == [("confirm_escalation", "sent"), ("confirmation", "sent")]


def test_a_write_is_versioned_by_a_prefork_worker(tmp_path):
    """What tracking.py enqueues on commit: the worker versions the roles a write touched
    and asks their holders; a second delivery of the same task changes nothing."""
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    role = factories.RoleFactory(department=sales, title="Head of Sales")
    duty = factories.DutyFactory(department=sales, title="Sign the contracts")
    holder = factories.UserFactory(username="holder", email="holder@example.com")
    factories.RoleHolderFactory(role=role, person=holder)
    assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)
    RoleDescriptionVersion.objects.all().delete()  # as if the write had just committed
    with celery_worker(tmp_path) as log:
        for _ in range(2):
            celery_app.send_task(tracking.VERSION_TASK, args=[[role.pk], [[role.pk, holder.pk]]])
        assert wait_for(lambda: finished(log, tracking.VERSION_TASK) == 2 and is_idle(log)), (
            log.read_text()[-3000:]
        )
    assert "raised unexpected" not in log.read_text()
    version = RoleDescriptionVersion.objects.get(role=role)
    assert "Sign the contracts" in str(version.lines)
    asked = ConfirmationRequest.objects.get(person=holder, role=role)
    assert asked.version == version and asked.status == ConfirmationRequest.Status.PENDING


def test_a_burst_of_edits_is_versioned_once_after_the_delay_by_a_prefork_worker(tmp_path, settings):
    """What tracking.flush() schedules on commit: the first edit of a burst sends the
    role's task through the broker with a countdown, the second rides on it; the
    worker runs it once, after the delay, and versions both edits."""
    settings.ATTESTATION_VERSION_DELAY_SECONDS = 2
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    role = factories.RoleFactory(department=sales, title="Head of Sales")
    first = factories.DutyFactory(department=sales, title="Sign the contracts")
    second = factories.DutyFactory(department=sales, title="Review the pipeline")
    holder = factories.UserFactory(username="holder", email="holder@example.com")
    factories.RoleHolderFactory(role=role, person=holder)  # asked at once (eager here)
    before = RoleDescriptionVersion.objects.filter(role=role).count()
    with celery_worker(tmp_path) as log:
        assignment_set(duty=first, role=role, letter=raci.AR, expected_version=0, by=None)
        assignment_set(duty=second, role=role, letter=raci.R, expected_version=0, by=None)
        assert RoleDescriptionVersion.objects.filter(role=role).count() == before  # waits
        assert wait_for(lambda: finished(log, tracking.VERSION_TASK) == 1 and is_idle(log)), (
            log.read_text()[-3000:]
        )
    assert "raised unexpected" not in log.read_text()
    assert finished(log, tracking.VERSION_TASK) == 1  # one task for the burst
    versions_now = RoleDescriptionVersion.objects.filter(role=role).order_by("number")
    assert versions_now.count() == before + 1
    latest = versions_now.last()
    assert "Sign the contracts" in str(latest.lines) and "Review the pipeline" in str(latest.lines)
    asked = ConfirmationRequest.objects.get(person=holder, role=role, status="pending")
    assert asked.version == latest
