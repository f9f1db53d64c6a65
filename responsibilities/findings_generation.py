"""A number that moves whenever live may have changed what findings read.

Every write that can change a finding goes through findings_store (findings_refresh,
cell_changed, the rebuild), so the store bumps this counter when such a write commits,
whether or not the stored rows changed (a C turned into an I changes no finding but
changes a role's load). Readers that cache something computed from live (a draft's
impact, collaboration/drafts/impact_cache.py) put the number in their cache key.

It lives in the shared cache (Redis in production), not in a table: a row bumped by
every cell edit would serialise concurrent edits on its lock. A counter lost from the
cache starts again from the clock, never from a number it had before, so an old entry
cannot come back to life.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

KEY = "orgmap:findings:generation"


def _start() -> int:
    return time.time_ns()


def _increment() -> None:
    try:
        cache.incr(KEY)
    except ValueError:  # not in the cache (never set, or evicted)
        cache.add(KEY, _start(), timeout=None)


def bump() -> None:
    """Move the counter now and again when the current transaction commits. Now: the
    writer's own later reads in its transaction (a publish, a test) see a new number.
    On commit: another request that read the old rows under the first new number
    cached them under a number that is gone by the time the rows are visible."""
    _increment()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_increment)


def current() -> int:
    value = cache.get(KEY)
    if value is None:
        cache.add(KEY, _start(), timeout=None)
        value = cache.get(KEY, 0)
    return value
