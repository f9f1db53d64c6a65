"""Pieces of the plain SQL that hot read paths (search, the matrix page's columns)
write instead of going through the ORM, whose query building cost them several times
what the database took. Each piece mirrors one ORM definition, named beside it."""

from __future__ import annotations


def table(model) -> str:
    return model._meta.db_table


def holding_now(alias: str) -> str:
    """The holding `alias` is current on a date given twice as parameters
    (orgmap.models.RoleHolderQuerySet.current())."""
    return f"{alias}.since <= %s AND ({alias}.until IS NULL OR {alias}.until > %s)"
