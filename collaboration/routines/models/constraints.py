"""Constraint helpers shared by the routines' models."""

from __future__ import annotations

import functools
import operator

from django.db.models import Q


def exactly_one(*fields: str) -> Q:
    """Q that holds when exactly one of the nullable foreign keys is set."""
    options = [
        Q(**{f"{chosen}__isnull": False}, **{f"{o}__isnull": True for o in fields if o != chosen})
        for chosen in fields
    ]
    return functools.reduce(operator.or_, options)
