"""The hourly drafts-remind-approvers job (orgmap/celery.py) on a real prefork worker:
an approval left unanswered is reminded, in-app and as an email delivery. Its logic is
tested inline in test_reminders.py."""

from __future__ import annotations

import datetime

import pytest

from collaboration.drafts import services
from collaboration.drafts.models import DraftApproval
from collaboration.reminders.models import ReminderDelivery
from orgmap.celery import app as celery_app
from tests.celery_worker import celery_worker, finished, needs_worker, wait_for

from .factories import DraftFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]

TASK = "drafts.remind_approvers"


def test_remind_approvers_runs_on_a_prefork_worker(
    tmp_path, world, sales_manager, production_manager
):
    draft = DraftFactory(author=sales_manager, name="Old question")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    services.draft_submit(draft=draft, by=sales_manager)
    asked = draft.approvals.get().requested_at - datetime.timedelta(days=10)
    DraftApproval.objects.filter(draft=draft).update(requested_at=asked)

    with celery_worker(tmp_path) as log:
        schedule = celery_app.conf.beat_schedule["drafts-remind-approvers"]
        assert schedule["task"] == TASK
        celery_app.send_task(TASK, expires=schedule["options"]["expires"])
        assert wait_for(lambda: finished(log, TASK) == 1), log.read_text()[-3000:]

    assert "raised unexpected" not in log.read_text()
    reminders = ReminderDelivery.objects.filter(
        recipient=production_manager, key__contains=":reminder:"
    )
    assert reminders.count() == 1
    assert "still waiting" in reminders.get().texts["en"][0]
