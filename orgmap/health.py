"""What /healthz reports: the database, the Celery broker and beat's heartbeat."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not reachable"
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True}


def check_broker() -> dict[str, Any]:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}
    return {
        "ok": True,
        "transport": conn.transport_cls if isinstance(conn.transport_cls, str) else "custom",
    }


def check_beat() -> dict[str, Any]:
    try:
        beat = Heartbeat.objects.filter(name="beat").first()
    except Exception as error:
        return {"ok": False, "error": error.__class__.__name__}
    if beat is None:
        return {"ok": False, "error": "no heartbeat yet"}
    age = (timezone.now() - beat.at).total_seconds()
    return {"ok": age <= settings.HEARTBEAT_MAX_AGE_SECONDS, "age_seconds": int(age)}


def health_report() -> dict[str, Any]:
    checks = {"database": check_database(), "broker": check_broker(), "beat": check_beat()}
    return {"ok": all(check["ok"] for check in checks.values()), "checks": checks}
