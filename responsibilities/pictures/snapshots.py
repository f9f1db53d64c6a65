"""The daily findings snapshot: a count per rule for the organisation and for each
department, taken from the stored findings (findings_store keeps them current).

Idempotent per day: taking the snapshot again the same day replaces that day's rows, so
beat may run it as often as it likes and a day's rows are its last state.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from .. import raci
from ..models import Finding, FindingSnapshot

# Any fixed number: the advisory lock that serialises two snapshots of the same day.
_LOCK_KEY = 0x5A4E4150


def finding_key(duty_id: int | None, roles: list) -> str:
    """A finding's identity as findings_store sees it (rule apart): its duty and roles."""
    return f"{duty_id or ''}/" + "-".join(str(role[0]) for role in roles)


def findings_snapshot_take(*, day: datetime.date | None = None) -> int:
    """Store today's (or `day`'s) counts per rule, per department and for the whole
    organisation; returns the number of rows written. One read, one delete, one insert."""
    day = day or timezone.localdate()
    keys: dict[tuple[int | None, str], list[str]] = defaultdict(list)
    for department_id, rule, duty_id, roles in Finding.objects.values_list(
        "department_id", "rule", "duty_id", "roles"
    ).iterator(chunk_size=2000):
        key = finding_key(duty_id, roles)
        keys[(department_id, rule)].append(key)
        keys[(None, rule)].append(key)
    # The organisation gets a row for every rule, zeros included: a day with a snapshot
    # is told apart from a day without one. Departments only get the rules they have.
    for rule in raci.RULES:
        keys.setdefault((None, rule), [])
    rows = [
        FindingSnapshot(
            date=day, department_id=department_id, rule=rule, count=len(found), keys=sorted(found)
        )
        for (department_id, rule), found in keys.items()
    ]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two runs of the same day (beat's and a manual one) would both delete, then
            # both insert, and the second would fail on the unique constraints: the
            # second waits here for the first to commit, then replaces its rows.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        FindingSnapshot.objects.filter(date=day).delete()
        FindingSnapshot.objects.bulk_create(rows, batch_size=500)
    return len(rows)
