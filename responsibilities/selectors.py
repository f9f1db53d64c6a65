"""Reads of the matrix's findings as stored (findings_store.py keeps them current): a
scope's findings, a page of them, their summary, each one indexed query."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, JSONField, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce, Collate
from django.utils import translation

from orgmap.models import Department, Project

from . import raci
from .models import Duty, Finding, InformationFlow
from .sql import in_scope, placeholders, table


@dataclass(frozen=True)
class Scope:
    """What a matrix or a findings report covers: a department's duties, a project's
    duties, or (neither given) the whole organisation."""

    department: Department | None = None
    project: Project | None = None

    def duty_filter(self) -> Q:
        if self.project is not None:
            return Q(project=self.project)
        if self.department is not None:
            return Q(department=self.department)
        return Q()

    def duties(self) -> QuerySet[Duty]:
        return Duty.objects.filter(self.duty_filter())


def flow_department_pairs() -> set[frozenset[int]]:
    """Every pair of departments connected by an active flow, in either direction:
    one query. The findings engine's MISSING_HANDOFF rule checks a duty's R and A
    departments against these pairs."""
    rows = InformationFlow.objects.filter(active=True).values_list(
        "from_department_id", "to_department_id"
    )
    return {frozenset(pair) for pair in rows.distinct()}


def _stored_filter(scope: Scope) -> Q:
    if scope.project is not None:
        return Q(project=scope.project)
    if scope.department is not None:
        # A duty finding is reported in its duty's department, a role finding in its
        # role's: exactly what a department's computed findings cover.
        return Q(department=scope.department)
    return Q()


_STORED_VALUES = (
    "rule",
    "severity",
    "department_id",
    "department_code",
    "project_id",
    "project_code",
    "duty_id",
    "duty_title",
    "roles",
    "fix",
)


def _stored_finding(row: dict) -> raci.Finding:
    message, suggestion = row["text"] or ["", ""]
    fix = row["fix"]
    return raci.Finding(
        rule=row["rule"],
        severity=row["severity"],
        department_id=row["department_id"],
        department_code=row["department_code"],
        project_id=row["project_id"],
        project_code=row["project_code"] or None,
        duty_id=row["duty_id"],
        duty_title=row["duty_title"] or None,
        roles=tuple(raci.RoleRef(*values) for values in row["roles"]),
        message=message,
        suggestion=suggestion,
        fix=raci.Fix(*fix) if fix else None,
    )


def _language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


def _text() -> Coalesce:
    """Only the active language's [message, suggestion] leaves the database."""
    return Coalesce(
        KeyTransform(_language(), "texts"),
        KeyTransform(settings.LANGUAGE_CODE, "texts"),
        output_field=JSONField(),
    )


def _reading_order() -> F | Collate:
    """raci's order: the stored raci.reading_key() compared code point by code point
    (SQLite's default BINARY collation; PostgreSQL's "C" whatever the database's own)."""
    if connection.vendor == "postgresql":
        return Collate("sort_key", "C")
    return F("sort_key")


def stored_findings(
    scope: Scope | None = None,
    *,
    duty_ids: Iterable[int] | None = None,
    role_ids: Iterable[int] | None = None,
) -> list[raci.Finding]:
    """Stored findings of a scope, or of some duties and roles (duty findings of
    `duty_ids`, role findings of `role_ids`), in raci's order, in the active language:
    one indexed query."""
    if scope is None:
        return raci.sort_findings(
            _stored_finding(row) for row in _stored_rows_of(duty_ids or (), role_ids or ())
        )
    rows = Finding.objects.filter(_stored_filter(scope)).values(*_STORED_VALUES, text=_text())
    return raci.sort_findings(_stored_finding(row) for row in rows)


def _stored_rows_of(duty_ids: Iterable[int], role_ids: Iterable[int]) -> list[dict]:
    """The rows of stored_findings(duty_ids=…, role_ids=…) in plain SQL: what a matrix
    page and every cell edit read. The ORM's query (an OR of two IN lists and the
    language's text through two JSON key transforms) cost 1–1.5 ms of Python to build
    around a few tenths of a millisecond of database work. Values as .values() gives
    them (the JSON columns decoded); a test compares the two."""
    duty_ids, role_ids = [int(pk) for pk in duty_ids], [int(pk) for pk in role_ids]
    conditions, params = [], []
    if duty_ids:
        conditions.append(f"duty_id IN ({placeholders(duty_ids)})")
        params += duty_ids
    if role_ids:
        conditions.append(f"(role_id IN ({placeholders(role_ids)}) AND duty_id IS NULL)")
        params += role_ids
    if not conditions:
        return []
    languages = [_language(), settings.LANGUAGE_CODE]
    if connection.vendor == "postgresql":
        text = "COALESCE(texts -> %s, texts -> %s)"
    else:  # SQLite: JSON paths, the key quoted (zh-hans)
        text = "COALESCE(json_extract(texts, %s), json_extract(texts, %s))"
        languages = [f'$."{language}"' for language in languages]
    columns = ", ".join(_STORED_VALUES)
    statement = f"SELECT {columns}, {text} FROM {table(Finding)} WHERE {' OR '.join(conditions)}"
    with connection.cursor() as cursor:
        cursor.execute(statement, [*languages, *params])
        rows = cursor.fetchall()
    decoded = {"roles", "fix"}
    result = []
    for values in rows:
        row = {
            name: json.loads(value) if name in decoded and value is not None else value
            for name, value in zip(_STORED_VALUES, values, strict=False)
        }
        row["text"] = json.loads(values[-1]) if values[-1] is not None else None
        result.append(row)
    return result


def _ordered_rows(scope: Scope, *, rule: str = "", severity: str = "") -> QuerySet:
    condition = _stored_filter(scope)
    if rule:
        condition &= Q(rule=rule)
    if severity:
        condition &= Q(severity=severity)
    return (
        Finding.objects.filter(condition)
        .order_by(_reading_order())
        .values(*_STORED_VALUES, text=_text())
    )


def iter_stored_findings(scope: Scope, *, chunk_size: int = 2000) -> Iterator[raci.Finding]:
    """A scope's stored findings in raci's order, read from the database in chunks, so
    that a report over the whole organisation never holds all of them at once."""
    for row in _ordered_rows(scope).iterator(chunk_size=chunk_size):
        yield _stored_finding(row)


class _CountedPaginator(Paginator):
    """A paginator whose count is already known (from the summary): no COUNT query."""

    def __init__(self, object_list, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # replaces the cached_property


@dataclass
class FindingsPage:
    page: Page  # its object_list holds raci.Finding objects
    summary: dict[str, int]  # the scope's counts per rule, whatever the filters
    total: int  # the findings that pass the filters


def stored_findings_page(
    scope: Scope,
    *,
    rule: str = "",
    severity: str = "",
    page_number: str | int | None = 1,
    per_page: int = 200,
) -> FindingsPage:
    """One page of a scope's stored findings in raci's order, optionally of one rule or
    severity, with the scope's summary: two queries (the summary, which also gives the
    filtered total, and the page's rows, sorted and cut by the database)."""
    summary = stored_summary(scope)
    total = sum(
        count
        for code, count in summary.items()
        if (not rule or code == rule) and (not severity or raci.RULES[code] == severity)
    )
    rows = _ordered_rows(scope, rule=rule, severity=severity)
    page = _CountedPaginator(rows, per_page, total).get_page(page_number)
    page.object_list = [_stored_finding(row) for row in page.object_list]
    return FindingsPage(page=page, summary=summary, total=total)


def stored_findings_slice(
    scope: Scope, *, rule: str = "", severity: str = "", exclude: Q, start: int, stop: int
) -> list[tuple[str, raci.Finding]]:
    """(sort key, finding) of a scope's stored findings from `start` to `stop` in raci's
    order, optionally of one rule or severity, leaving out those `exclude` matches:
    one query. For a page that merges other findings into the stored ones (a draft's)."""
    condition = _stored_filter(scope)
    if rule:
        condition &= Q(rule=rule)
    if severity:
        condition &= Q(severity=severity)
    rows = (
        Finding.objects.filter(condition)
        .exclude(exclude)
        .order_by(_reading_order())
        .values(*_STORED_VALUES, "sort_key", text=_text())
    )
    return [(row["sort_key"], _stored_finding(row)) for row in rows[start:stop]]


def stored_summary(scope: Scope) -> dict[str, int]:
    """Count per rule code, in RULES order (as raci.summarise): one aggregate query, in
    plain SQL (every matrix page, cell edit and department page asks; the ORM took
    0.7 ms of Python to write it)."""
    where, params = in_scope("f", scope)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rule, COUNT(*) FROM {table(Finding)} f WHERE {where} GROUP BY rule", params
        )
        counts = dict(cursor.fetchall())
    return {code: counts[code] for code in raci.RULES if counts.get(code)}


def findings(scope: Scope) -> list[raci.Finding]:
    """The findings of a scope, as stored (findings_store keeps them current)."""
    return stored_findings(scope)
