"""The Celery app and every periodic job, in one place.

The schedule is static in code and meant for a single beat process. Anything whose
timing depends on data (a meeting's start, a review's due date) is found by a periodic
dispatcher reading the database, never by long ETA/countdown tasks.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")

app = Celery("orgmap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Proves that beat and a worker are alive; read by /healthz.
    "heartbeat": {"task": "orgmap.tasks.heartbeat", "schedule": 60.0},
}
