"""A draft's impact, computed once and kept in the cache until something it depends
on changes: the draft (every change to it writes `Draft.updated_at`, services.py) or
live (findings_generation: every live write that findings read moves it).

The key is read from the database, not from the draft object a view holds: a view
that changed the draft a moment ago holds its old `updated_at`. One indexed query,
against about ten for computing the impact.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import translation

from responsibilities import findings_generation

from .impact import Impact, draft_impact
from .models import Draft

TIMEOUT = 60 * 60  # an hour: an entry nobody asks for again is not kept


def cache_key(draft: Draft) -> str | None:
    stamp = Draft.objects.filter(pk=draft.pk).values_list("updated_at", flat=True).first()
    if stamp is None:
        return None
    # Findings carry their messages in the active language.
    language = translation.get_language() or ""
    generation = findings_generation.current()
    return f"orgmap:draft-impact:{draft.pk}:{stamp.timestamp()}:{generation}:{language}"


def cached_impact(draft: Draft) -> Impact:
    """The draft's impact (impact.draft_impact), from the cache when it is current."""
    key = cache_key(draft)
    if key is not None:
        impact = cache.get(key)
        if impact is not None:
            return impact
    impact = draft_impact(draft)
    if key is not None:
        cache.set(key, impact, TIMEOUT)
    return impact
