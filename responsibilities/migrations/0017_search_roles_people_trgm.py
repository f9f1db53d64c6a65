"""Trigram indexes for finding roles and people by any part of a word (PostgreSQL).

A search matched every role's purpose and every person's username, e-mail and names
with ILIKE, row by row: on the O*NET organisation (923 roles, 1,518 people) 2.5 ms and
6.5 ms of every search, most of the database's work for a query whose duties take 2 ms.
With these indexes a word's trigrams find the few rows to check.

People are matched on one expression over their account's columns (all NOT NULL) and
on their profile's display name, each through its own index (see
responsibilities/search.py). The role title and department name have theirs since
0002.
"""

from django.conf import settings
from django.db import migrations

PERSON_TEXT = "(username || ' ' || email || ' ' || first_name || ' ' || last_name)"


def _indexes(apps) -> list[tuple[str, str, str]]:
    user_table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    return [
        ("orgmap_role_purpose_trgm", "orgmap_role", "purpose"),
        ("orgmap_profile_display_name_trgm", "orgmap_profile", "display_name"),
        ("orgmap_person_text_trgm", user_table, PERSON_TEXT),
    ]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expression in _indexes(apps):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in _indexes(apps):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("responsibilities", "0016_search_words"),
        ("orgmap", "0006_access_change"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
