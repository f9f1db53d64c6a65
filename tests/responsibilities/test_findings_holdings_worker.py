"""The hourly findings-holdings job (orgmap/celery.py, "findings-holdings") on a real
prefork worker: a holding whose first day has come clears the role's vacancy findings.
Its logic is tested inline in test_findings_store.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from orgmap.celery import app as celery_app
from orgmap.models import RoleHolder
from responsibilities import raci, selectors, services
from tests.celery_worker import celery_worker, finished, needs_worker, wait_for
from tests.factories import DepartmentFactory, DutyFactory, RoleFactory, RoleHolderFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]

TASK = "responsibilities.findings_refresh_holdings"


def test_findings_holdings_job_runs_on_a_prefork_worker(tmp_path):
    department = DepartmentFactory(code="SALES")
    role = RoleFactory(department=department, title="Seller")
    duty = DutyFactory(department=department, title="Plan the budget")
    services.assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)
    today = timezone.localdate()
    holding = RoleHolderFactory(role=role, since=today + datetime.timedelta(days=1))
    RoleHolder.objects.filter(pk=holding.pk).update(since=today)  # the day has come
    assert {f.rule for f in selectors.findings(selectors.Scope())} == {
        raci.VACANT_ACCOUNTABLE,
        raci.VACANT_RESPONSIBLE,
    }

    with celery_worker(tmp_path) as log:
        # As beat sends it: by name, with the schedule's expiry.
        schedule = celery_app.conf.beat_schedule["findings-holdings"]
        assert schedule["task"] == TASK
        celery_app.send_task(TASK, expires=schedule["options"]["expires"])
        assert wait_for(lambda: finished(log, TASK) == 1), log.read_text()[-3000:]

    assert "raised unexpected" not in log.read_text()
    assert selectors.findings(selectors.Scope()) == []
