"""Reads of lessons learned and their tags."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q, QuerySet

from ..models import (
    Lesson,
)

# ---------------------------------------------------------------------------- lessons


def lessons(*, query: str = "", tag: str = "") -> QuerySet[Lesson]:
    """Lessons whose title, texts or tags contain the query (icontains: works for
    Chinese, which has no word boundaries for a full-text index to use)."""
    queryset = Lesson.objects.select_related("department", "project", "author__profile")
    for word in query.split():
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(what_worked__icontains=word)
            | Q(what_did_not__icontains=word)
            | Q(recommendation__icontains=word)
            | Q(tags__icontains=word)
        )
    tag = " ".join(tag.split()).lower()
    if tag:
        queryset = queryset.filter(
            Q(tags=tag)
            | Q(tags__startswith=f"{tag}, ")
            | Q(tags__endswith=f", {tag}")
            | Q(tags__contains=f", {tag}, ")
        )
    return queryset


def popular_tags(limit: int = 15) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for tags in Lesson.objects.exclude(tags="").values_list("tags", flat=True):
        counts.update(tag for tag in tags.split(", ") if tag)
    return counts.most_common(limit)
