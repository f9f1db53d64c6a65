from __future__ import annotations

from celery import shared_task

from . import exports_bulk


@shared_task(
    name=exports_bulk.EXPORT_TASK,
    ignore_result=True,
    acks_late=True,
    soft_time_limit=3600,
)
def export_role_descriptions(job_id: str) -> None:
    exports_bulk.export_job_run(job_id=job_id)


@shared_task(name="responsibilities.purge_exports", ignore_result=True)
def purge_exports() -> None:
    exports_bulk.export_jobs_purge()
