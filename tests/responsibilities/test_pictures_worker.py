"""The findings snapshot on a real prefork Celery worker (Redis broker, the PostgreSQL
test database): twice the same day, as two beats would, and still one row per day,
scope and rule, counting that day's findings.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set; the worker is a separate
process reading the test database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from responsibilities import selectors
from responsibilities.models import FindingSnapshot
from responsibilities.tasks import findings_snapshot
from tests.celery_worker import celery_worker, finished, is_idle, needs_worker, wait_for

from .test_pictures import build_org

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]

SNAPSHOT = "responsibilities.findings_snapshot"


def test_prefork_worker_takes_the_snapshot_once_per_day(tmp_path):
    assert connection.vendor == "postgresql"
    org = build_org()
    with celery_worker(tmp_path, RACI_OVERLOAD_LIMIT=str(settings.RACI_OVERLOAD_LIMIT)) as log:
        findings_snapshot.delay()
        findings_snapshot.delay()
        assert wait_for(lambda: finished(log, SNAPSHOT) == 2 and is_idle(log)), log.read_text()[
            -3000:
        ]

    assert "raised unexpected" not in log.read_text()
    today = timezone.localdate()
    keys = list(FindingSnapshot.objects.values_list("date", "department", "rule"))
    assert len(keys) == len(set(keys)) and {day for day, _d, _r in keys} == {today}
    for department in (None, org["sales"], org["prod"]):
        counts = {
            rule: count
            for rule, count in FindingSnapshot.objects.filter(
                date=today, department=department
            ).values_list("rule", "count")
            if count
        }
        assert counts == selectors.stored_summary(selectors.Scope(department=department))
