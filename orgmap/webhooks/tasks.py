"""Celery tasks for webhooks: thin; the work is in delivery.py."""

from __future__ import annotations

from celery import shared_task

from . import delivery
from .events import FAN_OUT_TASK


@shared_task(name=FAN_OUT_TASK, ignore_result=True)
def fan_out(event_ids: list[str]) -> None:
    delivery.fan_out(event_ids)


@shared_task(name=delivery.DELIVER_TASK, ignore_result=True)
def deliver(delivery_id: int) -> None:
    # Retries are not Celery's: a failed attempt plans the next one in the database
    # and enqueues it with a countdown; beat's sweep re-enqueues it if that is lost.
    delivery.deliver(delivery_id)


@shared_task(name=delivery.DELIVER_BATCH_TASK, ignore_result=True)
def deliver_batch(delivery_ids: list[int]) -> None:
    delivery.deliver_batch(delivery_ids)


@shared_task(name="orgmap.webhooks.sweep", ignore_result=True)
def sweep() -> None:
    delivery.sweep()
