"""The confirmations' jobs: the sweep (beat: orgmap/celery.py) and versioning what a
write touched (enqueued on commit by tracking.py). Thin: the work is in services."""

from __future__ import annotations

from celery import shared_task

from . import services, tracking


@shared_task(name="attestation.confirmations_sweep", acks_late=True)
def confirmations_sweep() -> dict[str, int]:
    return services.confirmations_sweep()


@shared_task(name=tracking.VERSION_TASK, acks_late=True)
def record_versions(role_ids: list[int], holders: list[list[int]]) -> int:
    return len(tracking.record(role_ids, holders))
