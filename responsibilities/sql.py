"""Pieces of the plain SQL that hot read paths (search, the matrix page, stored findings)
write instead of going through the ORM, whose query building cost them several times
what the database took. Each piece mirrors one ORM definition, named beside it."""

from __future__ import annotations


def table(model) -> str:
    return model._meta.db_table


def holding_now(alias: str) -> str:
    """The holding `alias` is current on a date given twice as parameters
    (orgmap.models.RoleHolderQuerySet.current())."""
    return f"{alias}.since <= %s AND ({alias}.until IS NULL OR {alias}.until > %s)"


def in_scope(alias: str, scope) -> tuple[str, list]:
    """SQL: the row `alias` (a duty, or a stored finding: both have project_id and
    department_id) is in the scope (selectors.Scope.duty_filter() and
    selectors._stored_filter(): a project's, else a department's, else every row)."""
    if scope.project is not None:
        return f"{alias}.project_id = %s", [scope.project.pk]
    if scope.department is not None:
        return f"{alias}.department_id = %s", [scope.department.pk]
    return "1 = 1", []


def placeholders(values: list) -> str:
    """One %s per value, for `IN (…)`."""
    return ", ".join(["%s"] * len(values))
