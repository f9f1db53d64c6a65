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
from functools import partial

from django.db import connection

from .models import Notification, ReminderDelivery

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
    "texts",
    "link",
)


def _field(attname: str):
    return next(f for f in ReminderDelivery._meta.concrete_fields if f.attname == attname)


def _column(attname: str) -> str:
    return connection.ops.quote_name(_field(attname).column)


def _value(attname: str, value):
    return _field(attname).get_db_prep_save(value, connection)


def _table(model=ReminderDelivery) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _adapters() -> list:
    """Per INSERT_FIELDS column, the function that adapts a value for the database
    (dates and times: SQLite stores text), or None where the driver takes it as it is."""
    adapters = []
    for name in INSERT_FIELDS:
        field = _field(name)
        needs = field.get_internal_type() in {"DateTimeField", "DateField", "JSONField"}
        adapters.append(partial(field.get_db_prep_save, connection=connection) if needs else None)
    return adapters


def deliveries_insert(rows: Sequence[dict]) -> dict[str, int]:
    """Insert the rows ({attname: value}) whose key is not taken yet, in one
    statement; returns {key: id} of the rows this call inserted. A key inserted
    meanwhile by another dispatcher is left to it (ON CONFLICT DO NOTHING)."""
    if not rows:
        return {}
    columns = ", ".join(_column(name) for name in INSERT_FIELDS)
    one_row = "(" + ", ".join(["%s"] * len(INSERT_FIELDS)) + ")"
    adapters = list(zip(INSERT_FIELDS, _adapters(), strict=True))
    params = [adapt(row[name]) if adapt else row[name] for row in rows for name, adapt in adapters]
    sql = (
        f"INSERT INTO {_table()} ({columns}) VALUES {', '.join([one_row] * len(rows))} "
        f"ON CONFLICT ({_column('key')}) DO NOTHING RETURNING {_column('id')}, {_column('key')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def notifications_insert(delivery_ids: Sequence[int], *, now: datetime.datetime) -> None:
    """The in-app notification of each delivery, for its recipient: one statement."""
    if not delivery_ids:
        return
    qn = connection.ops.quote_name
    created_at = Notification._meta.get_field("created_at").get_db_prep_save(now, connection)
    sql = (
        f"INSERT INTO {_table(Notification)} ({qn('recipient_id')}, {qn('delivery_id')}, "
        f"{qn('created_at')}) SELECT {_column('recipient_id')}, {_column('id')}, %s "
        f"FROM {_table()} WHERE {_column('id')} IN ({', '.join(['%s'] * len(delivery_ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [created_at, *delivery_ids])


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
