from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Trigram indexes for the typo-tolerant search, on PostgreSQL only (SQLite uses a
# simpler fallback and needs no index).
INDEXES = [
    ("responsibilities_duty_title_trgm", "responsibilities_duty", "title"),
    ("orgmap_role_title_trgm", "orgmap_role", "title"),
    ("orgmap_department_name_trgm", "orgmap_department", "name"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("responsibilities", "0001_initial"),
        ("orgmap", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
