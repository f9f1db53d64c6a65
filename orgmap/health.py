"""What /healthz reports: the database, the Celery broker and beat's heartbeat.

Scopes: "all" (the default, for monitoring) checks all three; "web" checks only what a
web process needs to serve pages, the database, so that a stopped beat or worker does
not mark the web containers unhealthy; "beat" checks the heartbeat's age (the beat
container's health check, `manage.py health --scope beat`). A database that never answers costs at most
DATABASE_CONNECT_TIMEOUT seconds (a connection attempt) or DATABASE_STATEMENT_TIMEOUT
seconds (a query), set in settings.py."""

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


SCOPES = ("all", "web", "beat")


def health_report(scope: str = "all") -> dict[str, Any]:
    if scope not in SCOPES:
        raise ValueError(f"unknown health scope {scope!r}")
    checks = {"database": check_database()}
    if scope == "all":
        checks["broker"] = check_broker()
    if scope in ("all", "beat"):
        # The heartbeat is read from the database: no second wait for a dead one.
        checks["beat"] = (
            check_beat() if checks["database"]["ok"] else {"ok": False, "error": "no database"}
        )
    return {"ok": all(check["ok"] for check in checks.values()), "scope": scope, "checks": checks}
