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
from django.core.management.color import no_style
from django.db import connection, transaction


def _models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


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
        with transaction.atomic():
            for model, rows in self.added.items():
                model._base_manager.bulk_create([model(**values) for values in rows])
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
    for model, rows in after.items():
        old = before.get(model, {})
        added = [values for pk, values in rows.items() if pk not in old]
        changed = [values for pk, values in rows.items() if pk in old and old[pk] != values]
        if added:
            level.added[model] = added
        if changed:
            level.changed[model] = changed
    _levels[name] = level
    return result
