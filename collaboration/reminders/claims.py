"""The statements that make each reminder go out once, a whole batch at a time.

Each is one SQL statement per batch whose RETURNING clause says which rows this
process won: of two dispatchers (or two workers) running the same statement at the
same moment, the database gives every row to exactly one of them. Django's ORM has
no public INSERT … ON CONFLICT … RETURNING nor UPDATE … RETURNING, so they are
written here, from the model's own field and column definitions; PostgreSQL and
SQLite (3.35+) both run them as they are.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import connection

from .models import ReminderDelivery

Status = ReminderDelivery.Status

# The columns the dispatcher writes when it creates a delivery (the others keep
# their defaults, written out here because the table has no database defaults).
INSERT_FIELDS = (
    "key",
    "kind",
    "recipient_id",
    "meeting_id",
    "role_id",
    "duty_id",
    "action_id",
    "occurrence",
    "lead_minutes",
    "due_on",
    "status",
    "attempts",
    "detail",
    "next_attempt_at",
    "enqueued_at",
    "created_at",
)


def _field(attname: str):
    return next(f for f in ReminderDelivery._meta.concrete_fields if f.attname == attname)


def _column(attname: str) -> str:
    return connection.ops.quote_name(_field(attname).column)


def _value(attname: str, value):
    return _field(attname).get_db_prep_save(value, connection)


def _table() -> str:
    return connection.ops.quote_name(ReminderDelivery._meta.db_table)


def deliveries_insert(rows: Sequence[dict]) -> dict[str, int]:
    """Insert the rows ({attname: value}) whose key is not taken yet, in one
    statement; returns {key: id} of the rows this call inserted. A key inserted
    meanwhile by another dispatcher is left to it (ON CONFLICT DO NOTHING)."""
    if not rows:
        return {}
    columns = ", ".join(_column(name) for name in INSERT_FIELDS)
    one_row = "(" + ", ".join(["%s"] * len(INSERT_FIELDS)) + ")"
    params = [_value(name, row[name]) for row in rows for name in INSERT_FIELDS]
    sql = (
        f"INSERT INTO {_table()} ({columns}) VALUES {', '.join([one_row] * len(rows))} "
        f"ON CONFLICT ({_column('key')}) DO NOTHING RETURNING {_column('id')}, {_column('key')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def _claim_where(
    ids: Sequence[int], status: str, stale: datetime.datetime | None
) -> tuple[str, list]:
    where = f"{_column('id')} IN ({', '.join(['%s'] * len(ids))}) AND {_column('status')} = %s"
    params: list = [*ids, status]
    if stale is not None:
        where += f" AND {_column('claimed_at')} < %s"
        params.append(_value("claimed_at", stale))
    return where, params


def deliveries_claim(
    ids: Sequence[int], *, status: str, now: datetime.datetime, stale=None
) -> set[int]:
    """Move the deliveries among `ids` that are in `status` (and, with `stale`, were
    claimed before it) to SENDING, claimed by us at `now`, in one statement; returns
    the ids this call claimed. PostgreSQL re-checks the condition on a row another
    transaction has just changed, so a row is claimed by one caller only."""
    if not ids:
        return set()
    where, params = _claim_where(ids, status, stale)
    sql = (
        f"UPDATE {_table()} SET {_column('status')} = %s, {_column('claimed_at')} = %s, "
        f"{_column('enqueued_at')} = NULL, {_column('attempts')} = {_column('attempts')} + 1 "
        f"WHERE {where} RETURNING {_column('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Status.SENDING, _value("claimed_at", now), *params])
        return {pk for (pk,) in cursor.fetchall()}
