"""An import job on a real Celery worker (prefork pool, Redis broker, the PostgreSQL
test database): the web process stores the upload, the worker's pool process finds it
in the shared storage, checks it, and applies it once confirmed.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set; skipped otherwise."""

from __future__ import annotations

import pytest
from django.db import connection

from responsibilities.models import Assignment, ImportJob
from responsibilities.spreadsheets import import_jobs
from tests import factories
from tests.celery_worker import celery_worker, needs_worker, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]


def _wait_for(job: ImportJob, status: str) -> ImportJob:
    def reached() -> bool:
        job.refresh_from_db()
        return job.status == status

    assert wait_for(reached), f"job still {job.status}, not {status}"
    return job


def test_import_job_is_checked_and_applied_by_a_prefork_worker(admin_user, tmp_path, settings):
    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = str(tmp_path / "media")  # shared with the worker, as in production
    department = factories.DepartmentFactory(code="SALES", name="Sales")
    factories.RoleFactory(department=department, title="Head of Sales")
    rows = "".join(f"SALES,Duty {n},Head of Sales,A\n" for n in range(50))
    data = ("department,duty,role,letter\n" + rows).encode()

    with celery_worker(tmp_path, MEDIA_ROOT=settings.MEDIA_ROOT) as log:
        job = import_jobs.import_job_create(
            by=admin_user, kind="raci", data=data, filename="matrix.csv", rows=51
        )
        job = _wait_for(job, ImportJob.Status.CHECKED)
        assert job.valid and job.has_changes, log.read_text()[-3000:]
        assert "Cells to set" in job.report and job.done == 50
        assert not Assignment.objects.exists()
        assert import_jobs.import_job_confirm(job=job)
        job = _wait_for(job, ImportJob.Status.APPLIED)
    assert Assignment.objects.filter(duty__department=department, letter="A").count() == 50
    assert job.summary["assignments_created"] == 50 and not job.file_name
    text = log.read_text()
    assert "(prefork)" in text and "import_apply" in text and "import_check" in text
