"""An import job on a real Celery worker (prefork pool, Redis broker, the PostgreSQL
test database): the web process stores the upload, the worker's pool process finds it
in the shared storage, checks it, and applies it once confirmed.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set; skipped otherwise."""

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

from orgmap.celery import app as celery_app
from responsibilities.models import Assignment, ImportJob
from responsibilities.spreadsheets import import_jobs
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL on PostgreSQL and REDIS_URL",
    ),
]

# A Redis database of its own, flushed before the test (13 and 14 are taken by other
# worker tests, which may run at the same time on a shared machine).
BROKER_DB = 11
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


def _wait_for(job: ImportJob, status: str) -> ImportJob:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        time.sleep(0.25)
    raise AssertionError(f"job still {job.status}, not {status}")


def test_import_job_is_checked_and_applied_by_a_prefork_worker(admin_user, tmp_path, settings):
    import redis

    assert connection.vendor == "postgresql"
    broker = _broker_url()
    redis.Redis.from_url(broker).flushdb()
    settings.MEDIA_ROOT = str(tmp_path / "media")  # shared with the worker, as in production
    department = factories.DepartmentFactory(code="SALES", name="Sales")
    factories.RoleFactory(department=department, title="Head of Sales")
    rows = "".join(f"SALES,Duty {n},Head of Sales,A\n" for n in range(50))
    data = ("department,duty,role,letter\n" + rows).encode()

    log = tmp_path / "worker.log"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnop",
        "DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
        "ORGMAP_DATA_DIR": str(tmp_path),
        "MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    with log.open("wb") as log_file:
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
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            celery_app.conf.update(task_always_eager=False, broker_url=broker)
            _reset_producer_pools()
            job = import_jobs.import_job_create(
                by=admin_user, kind="raci", data=data, filename="matrix.csv", rows=51
            )
            job = _wait_for(job, ImportJob.Status.CHECKED)
            assert job.valid and job.has_changes, log.read_text()[-3000:]
            assert "Cells to set" in job.report and job.done == 50
            assert not Assignment.objects.exists()
            assert import_jobs.import_job_confirm(job=job)
            job = _wait_for(job, ImportJob.Status.APPLIED)
        finally:
            celery_app.conf.update(**saved)
            _reset_producer_pools()
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    assert Assignment.objects.filter(duty__department=department, letter="A").count() == 50
    assert job.summary["assignments_created"] == 50 and not job.file_name
    text = log.read_text()
    assert "(prefork)" in text and "import_apply" in text and "import_check" in text
