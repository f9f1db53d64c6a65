"""The Celery app and every periodic job, in one place.

The schedule is static in code and meant for a single beat process. Anything whose
timing depends on data (a meeting's start, a review's due date) is found by a periodic
dispatcher reading the database, never by long ETA/countdown tasks.
"""

from __future__ import annotations

import os

from celery import Celery

from .log import bind_to_celery_tasks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")

app = Celery("orgmap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Worker log lines carry the id of the task they belong to (orgmap/log.py).
bind_to_celery_tasks()

app.conf.beat_schedule = {
    # Proves that beat and a worker are alive; read by /healthz.
    "heartbeat": {"task": "orgmap.tasks.heartbeat", "schedule": 60.0},
    # Meeting and review reminders: finds what is due and enqueues one send task per
    # reminder (collaboration/reminders/dispatcher.py). A run that waited in the queue longer than
    # a minute is dropped: the next one finds the same work.
    "reminders-dispatch": {
        "task": "collaboration.tasks.dispatch_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Bulk role-description exports are kept for a day (responsibilities/exports_bulk.py).
    "exports-purge": {"task": "responsibilities.purge_exports", "schedule": 3600.0},
    # Large imports' uploads and reports are kept for a day (spreadsheets/import_jobs.py).
    "imports-purge": {"task": "responsibilities.purge_imports", "schedule": 3600.0},
    # Stored findings: a role holding that starts or ends on a date changes the role's
    # vacancy that day with no write (responsibilities/findings_store.py).
    "findings-holdings": {
        "task": "responsibilities.findings_refresh_holdings",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Role confirmations: first versions, holdings that started today, re-confirmation
    # by cadence (responsibilities/attestation/services.py); idempotent, so hourly.
    "attestation-sweep": {
        "task": "attestation.confirmations_sweep",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # The findings trend: today's counts per rule and department, replaced each hour
    # (idempotent per day: responsibilities/pictures/snapshots.py).
    "findings-snapshot": {
        "task": "responsibilities.findings_snapshot",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Webhooks: events and retries whose task was lost, attempts of a dead worker, old
    # events (orgmap/webhooks/delivery.py).
    # Drafts: remind approvers who have not answered in DRAFT_APPROVAL_REMINDER_DAYS
    # (collaboration/drafts/reminders.py; each reminder once, by its key).
    "drafts-remind-approvers": {
        "task": "drafts.remind_approvers",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "webhooks-sweep": {
        "task": "orgmap.webhooks.sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
