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

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
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


@dataclass
class Level:
    """The rows one seeding step added and changed, table by table."""

    added: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    result: object = None

    def restore(self) -> None:
        ids = {
            ContentType: {key: pk for pk, key in _content_type_keys().items()},
            Permission: {key: pk for pk, key in _permission_keys().items()},
        }
        with transaction.atomic():
            for model, rows in self.added.items():
                keyed = _natural_key_fields(model)
                objects = []
                for values in rows:
                    values = dict(values)
                    for attname, related in keyed.items():
                        if values[attname] is not None:
                            values[attname] = ids[related][values[attname]]
                    objects.append(model(**values))
                model._base_manager.bulk_create(objects)
            for model, rows in self.changed.items():
                fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                model._base_manager.bulk_update([model(**values) for values in rows], fields)
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
        keyed = _natural_key_fields(model)
        added = [
            {
                name: keys[keyed[name]][value] if name in keyed and value is not None else value
                for name, value in values.items()
            }
            for pk, values in rows.items()
            if pk not in old
        ]
        changed = [values for pk, values in rows.items() if pk in old and old[pk] != values]
        if added:
            level.added[model] = added
        if changed:
            level.changed[model] = changed
    _levels[name] = level
    return result
