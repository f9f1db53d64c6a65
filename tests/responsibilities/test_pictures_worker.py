"""The findings snapshot on a real prefork Celery worker (Redis broker, the PostgreSQL
test database): twice the same day, as two beats would, and still one row per day,
scope and rule, counting that day's findings.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set; the worker is a separate
process reading the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from orgmap.celery import app as celery_app
from responsibilities import selectors
from responsibilities.models import FindingSnapshot
from responsibilities.tasks import findings_snapshot

from .test_pictures import build_org

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL",
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
BROKER_DB = 15  # a Redis database of its own, flushed before the test (13, 12: webhooks)
WAIT_SECONDS = 90


def _broker_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{BROKER_DB}", "", ""))


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reset_producer_pools() -> None:
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _wait(condition, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def test_prefork_worker_takes_the_snapshot_once_per_day(tmp_path):
    import redis

    assert connection.vendor == "postgresql"
    org = build_org()
    broker = _broker_url()
    redis.Redis.from_url(broker).flushdb()
    log = tmp_path / "worker.log"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    with log.open("wb") as log_file:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnop",
            "DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
            "ORGMAP_DATA_DIR": str(tmp_path),
            "RACI_OVERLOAD_LIMIT": str(settings.RACI_OVERLOAD_LIMIT),
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "orgmap",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            celery_app.conf.update(task_always_eager=False, broker_url=broker)
            _reset_producer_pools()
            findings_snapshot.delay()
            findings_snapshot.delay()

            def both_done() -> bool:
                return log.read_text().count("findings_snapshot[") >= 4 and (
                    log.read_text().count("succeeded in") >= 2
                )

            assert _wait(both_done), log.read_text()[-3000:]
        finally:
            celery_app.conf.update(**saved)
            _reset_producer_pools()
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

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
