"""The search's GIN indexes and bulk writes (PostgreSQL).

A GIN index takes new entries into an unsorted pending list, merged into the index by
VACUUM or once the list passes `gin_pending_list_limit`; until then every search reads
the whole list. A duty's row is rewritten on every change of its Accountable or
Responsible roles (its search text holds their titles), so at PostgreSQL's default of
4 MB a department at work kept megabytes pending: "budget" took 6.1 ms with 1 MB
pending against 2.5 ms merged. orgmap's connections therefore use 256 kB
(settings.py), so that ordinary writes merge the list in small batches.

A bulk import writes thousands of duties at once, where small batches cost: the
O*NET organisation's RACI file took 63 s to import at 256 kB against 52 s at 4 MB. An
import therefore raises the limit for its own transaction and merges what it left
pending before it commits, so that the next search does not read it.
"""

from __future__ import annotations

from django.db import connection

# The GIN indexes the search reads (migrations 0002, 0007, 0011).
INDEXES = [
    "responsibilities_duty_search_text_trgm",
    "responsibilities_duty_search_vector",
    "responsibilities_duty_search_grams",
    "responsibilities_duty_title_trgm",
    "orgmap_role_title_trgm",
    "orgmap_department_name_trgm",
]
BULK_PENDING_LIST = "4MB"


def start_bulk_writes() -> None:
    """For the rest of the current transaction, let the indexes' pending lists grow
    (call inside `transaction.atomic()`)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('gin_pending_list_limit', %s, true)", [BULK_PENDING_LIST]
            )


def merge_pending() -> None:
    """Merge the indexes' pending lists into the indexes now, in this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
                "WHERE c.relkind = 'i' AND c.relname = ANY(%s)",
                [INDEXES],
            )
