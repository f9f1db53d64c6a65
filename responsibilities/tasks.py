from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings

from . import exports_bulk
from .pictures import snapshots
from .spreadsheets import import_jobs

# The whole export is bounded too: past the soft limit the job is marked failed with a
# "took too long" message; the hard limit (a minute later) ends the pool process. Each
# PDF inside has its own limit (PDF_RENDER_TIMEOUT_SECONDS), see responsibilities/pdf.py.
EXPORT_SOFT_TIME_LIMIT = settings.EXPORT_TIME_LIMIT_SECONDS
EXPORT_HARD_TIME_LIMIT = EXPORT_SOFT_TIME_LIMIT + 60


@shared_task(
    name=exports_bulk.EXPORT_TASK,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_HARD_TIME_LIMIT,
)
def export_role_descriptions(job_id: str) -> None:
    exports_bulk.export_job_run(job_id=job_id)


@shared_task(name="responsibilities.purge_exports", ignore_result=True)
def purge_exports() -> None:
    exports_bulk.export_jobs_purge()


@shared_task(name="responsibilities.findings_snapshot", ignore_result=True, acks_late=True)
def findings_snapshot() -> int:
    """Today's count of findings per rule and department (the findings trend). Beat runs
    it hourly: a day's rows are replaced each time, so they end as the day's last state
    and a beat that was down for a while loses no day."""
    return snapshots.findings_snapshot_take()


# One step of an import job (check or apply) is bounded like an export.
IMPORT_SOFT_TIME_LIMIT = settings.IMPORT_TIME_LIMIT_SECONDS
IMPORT_HARD_TIME_LIMIT = IMPORT_SOFT_TIME_LIMIT + 60


@shared_task(
    name=import_jobs.CHECK_TASK,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_HARD_TIME_LIMIT,
)
def check_import(job_id: str) -> None:
    import_jobs.import_job_check(job_id=job_id)


@shared_task(
    name=import_jobs.APPLY_TASK,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_HARD_TIME_LIMIT,
)
def apply_import(job_id: str) -> None:
    import_jobs.import_job_apply(job_id=job_id)


@shared_task(name="responsibilities.purge_imports", ignore_result=True)
def purge_imports() -> None:
    import_jobs.import_jobs_purge()


@worker_process_init.connect
def _warm_up_pdf_fonts(**kwargs) -> None:
    """Each pool process loads the document fonts once, when it starts, instead of the
    first export paying for it (a few hundred milliseconds with the CJK font)."""
    from .role_documents import warm_up_pdf

    warm_up_pdf()
