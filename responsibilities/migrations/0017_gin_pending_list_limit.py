"""Short pending lists for the search's GIN indexes (PostgreSQL).

A GIN index takes new entries into an unsorted pending list (`fastupdate`), merged into
the index by VACUUM or once the list passes `gin_pending_list_limit` (4 MB by default);
until then every search reads the whole list. A duty's row is rewritten on every change
of its Accountable or Responsible roles (its search text holds their titles), so a
department at work keeps megabytes pending: on the O*NET organisation a search for
"budget" took 6.1 ms with the lists 1 MB long and 2.5 ms with them merged. At 256 kB
the lists are merged in small batches by the writes themselves and cost a search a
fraction of a millisecond, whether autovacuum has come by or not.
"""

from django.db import migrations

INDEXES = [
    "responsibilities_duty_title_trgm",
    "responsibilities_duty_search_vector",
    "responsibilities_duty_search_text_trgm",
    "responsibilities_duty_search_grams",
    "orgmap_role_title_trgm",
    "orgmap_department_name_trgm",
]
LIMIT_KB = 256


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in INDEXES:
            schema_editor.execute(
                f"ALTER INDEX IF EXISTS {index} SET (gin_pending_list_limit = {LIMIT_KB})"
            )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {index} RESET (gin_pending_list_limit)")


class Migration(migrations.Migration):
    dependencies = [("responsibilities", "0016_search_words")]

    operations = [migrations.RunPython(forward, backward)]
