"""Celery tasks for reminders: thin; the work is in dispatcher.py and sending.py.

The task names are in the `collaboration.tasks.*` form they had before the reminders
app existed, so that messages already queued by an older release still find their
task (`send_reminder`, one delivery per message, is kept for those)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import dispatcher as reminders


@shared_task(name="collaboration.tasks.dispatch_reminders", ignore_result=True)
def dispatch_reminders() -> None:
    reminders.reminders_dispatch(now=timezone.now())


@shared_task(name=reminders.SEND_REMINDERS_TASK, ignore_result=True)
def send_reminders(delivery_ids: list[int]) -> None:
    # One batch, one SMTP connection. Retries are not Celery's: a failed send is put
    # back in the database with a backoff, and the dispatcher enqueues it again.
    reminders.deliveries_send(delivery_ids=delivery_ids, now=timezone.now())


@shared_task(name=reminders.SEND_REMINDER_TASK, ignore_result=True)
def send_reminder(delivery_id: int) -> None:
    reminders.deliveries_send(delivery_ids=[delivery_id], now=timezone.now())
