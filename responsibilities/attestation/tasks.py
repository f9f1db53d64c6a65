"""The daily confirmations job (beat: orgmap/celery.py): thin, the work is a service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="attestation.confirmations_sweep", acks_late=True)
def confirmations_sweep() -> dict[str, int]:
    return services.confirmations_sweep()
