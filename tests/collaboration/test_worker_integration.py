"""A real Celery worker on Redis and a real SMTP server: a due meeting produces
exactly one email per attendee, with the .ics attached.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI sets both); the worker
is a separate process reading the test database."""

from __future__ import annotations

import datetime
import email
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
from django.utils import timezone
from icalendar import Calendar

from collaboration.reminders.models import ReminderDelivery
from collaboration.reminders.tasks import dispatch_reminders
from orgmap.celery import app as celery_app
from orgmap.models import Role

from .smtp import smtp_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL",
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
BROKER_DB = 14  # a Redis database of its own, flushed before the test
WAIT_SECONDS = 60


def _broker_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{BROKER_DB}", "", ""))


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reset_producer_pools() -> None:
    # The producer pools remember the broker they were made for.
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


def _worker_is_idle(log: Path, dispatches: int) -> bool:
    text = log.read_text()
    finished = re.findall(r"\] (?:succeeded in|raised unexpected)", text)
    dispatched = re.findall(r"dispatch_reminders\[[^\]]+\] succeeded in", text)
    return len(dispatched) >= dispatches and len(finished) == text.count("] received")


def test_worker_sends_one_email_per_attendee_with_the_ics(make_meeting, member, hr, tmp_path):
    import redis

    assert connection.vendor == "postgresql"
    broker = _broker_url()
    redis.Redis.from_url(broker).flushdb()
    Role.objects.update(last_reviewed_on=None)  # only the meeting is due
    start = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=10)
    meeting = make_meeting(starts_at=start, people=[member, hr], title="Weekly sync")

    log = tmp_path / "worker.log"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    with smtp_server() as (mailbox, port), log.open("wb") as log_file:
        env = {
            **os.environ,
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnop",
            "DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
            "ORGMAP_DATA_DIR": str(tmp_path),
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "orgmap",
                "worker",
                "--pool=solo",
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
            # Twice, as two beats would: still one email per attendee.
            dispatch_reminders.delay()
            dispatch_reminders.delay()
            assert _wait(lambda: len(mailbox.messages) >= 2), log.read_text()[-3000:]
            assert _wait(lambda: not ReminderDelivery.objects.exclude(status="sent").exists(), 10)
            # A duplicate, if there were one, would have been sent by the time the worker
            # has finished every task it received, both dispatches included.
            assert _wait(lambda: _worker_is_idle(log, dispatches=2)), log.read_text()[-3000:]
        finally:
            celery_app.conf.update(**saved)
            _reset_producer_pools()
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    assert sorted(mailbox.recipients) == ["hr@example.com", "member@example.com"]
    assert len(mailbox.messages) == 2
    for raw in mailbox.messages:
        message = email.message_from_bytes(raw)
        assert "Weekly sync" in message["Subject"]
        [ics] = [
            part.get_payload(decode=True)
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        ]
        [event] = Calendar.from_ical(ics).events
        assert str(event["UID"]) == f"meeting-{meeting.pk}@orgmap"
        assert event.start == start
    assert ReminderDelivery.objects.filter(status="sent").count() == 2
