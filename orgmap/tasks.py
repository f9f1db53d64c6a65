from __future__ import annotations

from celery import shared_task
from celery.signals import beat_init

from .services import heartbeat_record


@shared_task(name="orgmap.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    heartbeat_record(name="beat")


@beat_init.connect
def heartbeat_at_beat_start(sender, **kwargs) -> None:
    # The schedule's first tick comes one interval after start; beat a first time now
    # so that /healthz turns healthy as soon as beat and a worker are both up.
    heartbeat.delay()
