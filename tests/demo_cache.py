"""The demo data for the tests that are about the demo, seeded once per test session.

Seeding the demo runs the real services (validation, history, findings) and costs
seconds; the tests that still read demo content would pay that every time. The first
test that asks for a demo level seeds it for real and records which rows the seeding
added or changed; every later test gets the same rows back with one bulk INSERT per
table. The rows are identical (primary keys included), so a test cannot tell the two
apart, and each test still runs in its own transaction that is rolled back.

Tests that are not about the demo build their data with tests/factories.py instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction

# Tables that database triggers fill from the others (PostgreSQL): the replayed rows
# of the others fill them again.
FILLED_BY_TRIGGERS = {"responsibilities.searchword"}


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in FILLED_BY_TRIGGERS
    ]


def _natural_key_fields(model) -> dict[str, type]:
    """Foreign keys to content types and permissions: their ids change when a
    transactional test flushes the database (post_migrate makes them again), so the
    replay looks them up by natural key."""
    return {
        f.attname: f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in (ContentType, Permission)
    }


def _content_type_keys() -> dict:
    return {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}


def _permission_keys() -> dict:
    types = _content_type_keys()
    return {
        pk: (types[ct], codename)
        for pk, ct, codename in Permission.objects.values_list("pk", "content_type", "codename")
    }


def _rows(model) -> dict:
    attnames = [f.attname for f in model._meta.concrete_fields]
    pk = model._meta.pk.attname
    return {values[pk]: values for values in model._base_manager.order_by("pk").values(*attnames)}


def _state() -> dict:
    return {model: _rows(model) for model in _models()}


@contextmanager
def _recorded_timestamps(models_: list) -> Iterator[None]:
    """bulk_create stamps auto_now and auto_now_add fields with the current time; the
    demo has a past (rows written months ago), so the replay keeps the recorded values
    by switching those flags off while it inserts."""
    stamped = [
        (f, f.auto_now, f.auto_now_add)
        for model in models_
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    for f, _now, _now_add in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in stamped:
            f.auto_now, f.auto_now_add = now, now_add


def _to_keys(model, rows: list[dict], keys: dict) -> list[dict]:
    keyed = _natural_key_fields(model)
    return [
        {
            name: keys[keyed[name]][value] if name in keyed and value is not None else value
            for name, value in values.items()
        }
        for values in rows
    ]


def _from_keys(model, rows: list[dict], ids: dict) -> list[dict]:
    keyed = _natural_key_fields(model)
    return [
        {
            name: ids[keyed[name]][value] if name in keyed and value is not None else value
            for name, value in values.items()
        }
        for values in rows
    ]


@dataclass
class Level:
    """The rows one seeding step added, changed and deleted, table by table (derived
    tables such as the stored findings included: the seeding's services replace some
    of their rows, so a replay deletes what the seeding deleted)."""

    added: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    deleted: dict = field(default_factory=dict)
    result: object = None

    def restore(self) -> None:
        ids = {
            ContentType: {key: pk for pk, key in _content_type_keys().items()},
            Permission: {key: pk for pk, key in _permission_keys().items()},
        }
        with transaction.atomic(), _recorded_timestamps(list(self.added)):
            for model, pks in self.deleted.items():
                # No signals and no cascades: every row the seeding removed is listed.
                model._base_manager.filter(pk__in=pks)._raw_delete(connection.alias)
            # Changed rows before added ones: after the deletes and updates the tables
            # hold a subset of the final rows, so no unique constraint can trip (an old
            # request superseded, a new one open for the same holder: attestation).
            for model, rows in self.changed.items():
                fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                objects = [model(**values) for values in _from_keys(model, rows, ids)]
                model._base_manager.bulk_update(objects, fields)
            for model, rows in self.added.items():
                objects = [model(**values) for values in _from_keys(model, rows, ids)]
                model._base_manager.bulk_create(objects)
            if connection.vendor == "postgresql":
                # Explicit primary keys leave the sequences behind after a flush.
                sql = connection.ops.sequence_reset_sql(no_style(), list(self.added))
                with connection.cursor() as cursor:
                    for statement in sql:
                        cursor.execute(statement)


_levels: dict[str, Level] = {}


def seeded(name: str, seed: Callable[[], object]) -> object:
    """Run ``seed`` for real the first time, replay its rows every later time."""
    level = _levels.get(name)
    if level is not None:
        level.restore()
        return level.result
    before = _state()
    result = seed()
    after = _state()
    level = Level(result=result)
    keys = {ContentType: _content_type_keys(), Permission: _permission_keys()}
    for model, rows in after.items():
        old = before.get(model, {})
        added = [values for pk, values in rows.items() if pk not in old]
        changed = [values for pk, values in rows.items() if pk in old and old[pk] != values]
        deleted = [pk for pk in old if pk not in rows]
        if added:
            level.added[model] = _to_keys(model, added, keys)
        if changed:
            level.changed[model] = _to_keys(model, changed, keys)
        if deleted:
            level.deleted[model] = deleted
    _levels[name] = level
    return result
