"""A real Celery worker for integration tests: `celery -A orgmap worker` in the
default prefork pool (one child), on Redis and the PostgreSQL test database.

The worker is a separate process; the test process sends it tasks through the same
broker. Tests using it need `pytest.mark.django_db(transaction=True)` (the worker must
see committed rows) and skip with `needs_worker` when DATABASE_URL/REDIS_URL are
absent."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
from django.conf import settings

from orgmap.celery import app as celery_app

needs_worker = pytest.mark.skipif(
    not os.environ.get("REDIS_URL")
    or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="needs DATABASE_URL on PostgreSQL and REDIS_URL",
)

BASE_DIR = Path(settings.BASE_DIR)
BROKER_DB = 14  # a Redis database of its own
WAIT_SECONDS = 90


def broker_url() -> str:
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, f"/{BROKER_DB}", "", ""))


def worker_database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reset_producer_pools() -> None:
    # The producer pools remember the broker they were made for; kombu keeps them in
    # a registry of its own too.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu.pools.reset()
    # The queues and the router are read from the configuration once: build them anew.
    celery_app.__dict__.pop("amqp", None)


def wait_for(condition, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def finished(log: Path, task_name: str) -> int:
    """How many runs of the task the worker has finished (succeeded or raised)."""
    pattern = rf"{re.escape(task_name)}\[[^\]]+\] (?:succeeded in|raised unexpected)"
    return len(re.findall(pattern, log.read_text()))


def is_idle(log: Path) -> bool:
    """Every task the worker received has finished."""
    text = log.read_text()
    done = re.findall(r"\] (?:succeeded in|raised unexpected)", text)
    return len(done) == text.count("] received")


@contextlib.contextmanager
def celery_worker(tmp_path: Path, **env: str) -> Iterator[Path]:
    """Start a prefork worker (`--pool=prefork --concurrency=1`) with `env` added to
    its environment, point this process's producer at its broker, and yield the
    worker's log file; stop the worker and restore the app afterwards."""
    broker = broker_url()
    # A queue of its own: other test runs on the same Redis neither take its tasks
    # nor send it theirs.
    queue = f"orgmap-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    saved = {
        key: celery_app.conf[key]
        for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    environment = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnop",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "ORGMAP_DATA_DIR": str(tmp_path),
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **env,
    }
    command = [
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
    ]
    with log.open("wb") as log_file:
        worker = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            celery_app.conf.update(
                task_always_eager=False, broker_url=broker, task_default_queue=queue
            )
            _reset_producer_pools()
            yield log
        finally:
            celery_app.conf.update(**saved)
            _reset_producer_pools()
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
