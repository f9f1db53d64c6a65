"""A real Celery prefork worker on Redis and a real HTTP receiver on localhost: a cell
edit produces exactly one signed assignment.changed delivery whose signature verifies;
a receiver failing twice and then succeeding gets the same event id three times, and
the delivery log shows the three attempts.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI sets both); the worker is
a separate process reading the test database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools
from werkzeug import Response

from orgmap.celery import app as celery_app
from orgmap.webhooks import delivery, services
from orgmap.webhooks.models import Delivery, DeliveryAttempt
from responsibilities import raci
from responsibilities import services as cell_services
from tests.conftest import redis_database
from tests.factories import DepartmentFactory, DutyFactory, RoleFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL",
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
# A Redis database of this test process's own, flushed before each test: 13, 12… under
# pytest-xdist (the reminders' worker test uses 14, the caches count down from 10).
BROKER_DB = redis_database(13)
WAIT_SECONDS = 60
RETRY_BASE_SECONDS = 0.5


def _broker_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{BROKER_DB}", "", ""))


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reset_producer_pools() -> None:
    # The producer pools remember the broker they were made for, and kombu's registry
    # of pools keeps them by broker: a second worker on the same broker would get the
    # pool closed after the first.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


def _wait(condition, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _worker_is_idle(log: Path) -> bool:
    text = log.read_text()
    finished = re.findall(r"\] (?:succeeded in|raised unexpected)", text)
    return len(finished) == text.count("] received")


@pytest.fixture
def worker(tmp_path, settings):
    """A prefork worker (one pool process) on its own Redis database; yields its log."""
    import redis

    assert connection.vendor == "postgresql"
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    broker = _broker_url()
    redis.Redis.from_url(broker).flushdb()
    log = tmp_path / "worker.log"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "WEBHOOK_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnop",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "ORGMAP_DATA_DIR": str(tmp_path),
    }
    with log.open("wb") as log_file:
        process = subprocess.Popen(
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
            # Starting takes a while on a busy machine (Django, the pool process).
            started = _wait(lambda: "ready." in log.read_text(), 2 * WAIT_SECONDS)
            assert started, log.read_text()[-3000:]
            yield log
        finally:
            celery_app.conf.update(**saved)
            _reset_producer_pools()
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cell():
    department = DepartmentFactory(code="SALES", name="Sales")
    role = RoleFactory(department=department, title="Head of Sales")
    duty = DutyFactory(department=department, title="Plan the budget")
    return duty, role


def test_a_cell_edit_makes_exactly_one_signed_delivery(worker, httpserver, cell):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    endpoint, secret = services.endpoint_create(
        url=httpserver.url_for("/hook"), events=["assignment.changed"], by=None
    )
    duty, role = cell

    cell_services.assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)

    assert _wait(lambda: len(httpserver.log) >= 1), worker.read_text()[-3000:]
    assert _wait(
        lambda: Delivery.objects.filter(endpoint=endpoint, status="delivered").exists(), 10
    )
    # A duplicate, if there were one, would have been sent by the time the worker has
    # finished every task it received.
    assert _wait(lambda: _worker_is_idle(worker)), worker.read_text()[-3000:]
    [(request, _response)] = httpserver.log
    assert request.headers["X-Orgmap-Event"] == "assignment.changed"
    assert delivery.verify_signature(secret, request.headers["X-Orgmap-Signature"], request.data)
    body = json.loads(request.data)
    assert body["id"] == request.headers["X-Orgmap-Event-Id"]
    assert body["data"]["after"] == {"letter": "AR", "version": 1}
    assert body["data"]["duty"]["title"] == "Plan the budget"
    [sent] = Delivery.objects.filter(endpoint=endpoint)
    assert (sent.status, sent.attempts) == ("delivered", 1)


def test_a_receiver_failing_twice_gets_the_same_event_three_times(worker, httpserver, cell):
    answers = iter([500, 502, 200])

    def flaky(request):
        return Response("ok", status=next(answers, 200))

    httpserver.expect_request("/flaky", method="POST").respond_with_handler(flaky)
    endpoint, secret = services.endpoint_create(
        url=httpserver.url_for("/flaky"), events=["assignment.changed"], by=None
    )
    duty, role = cell

    cell_services.assignment_set(duty=duty, role=role, letter=raci.R, expected_version=0, by=None)

    assert _wait(lambda: Delivery.objects.filter(endpoint=endpoint, status="delivered").exists()), (
        worker.read_text()[-3000:]
    )
    assert _wait(lambda: _worker_is_idle(worker)), worker.read_text()[-3000:]
    event_ids = [request.headers["X-Orgmap-Event-Id"] for request, _ in httpserver.log]
    assert len(event_ids) == 3 and len(set(event_ids)) == 1
    for request, _response in httpserver.log:
        assert delivery.verify_signature(
            secret, request.headers["X-Orgmap-Signature"], request.data
        )
    [sent] = Delivery.objects.filter(endpoint=endpoint)
    assert (sent.status, sent.attempts, str(sent.event_id)) == ("delivered", 3, event_ids[0])
    log = list(DeliveryAttempt.objects.filter(delivery=sent).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 502), (3, 200)]
    # Backed off: the second retry waited about twice as long as the first.
    first_wait = (log[1].at - log[0].at).total_seconds()
    second_wait = (log[2].at - log[1].at).total_seconds()
    assert first_wait >= RETRY_BASE_SECONDS
    assert second_wait >= 2 * RETRY_BASE_SECONDS
