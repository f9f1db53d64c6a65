"""Stored findings, kept current incrementally.

raci.py says what a finding is; this module keeps its output in the `Finding` table so
that pages read findings with indexed queries instead of recomputing a department (and
an organisation-wide duplicate scan) to show 50 rows.

Every write that can change a finding calls `findings_refresh()` with what it touched,
in its own transaction:

- a cell: the duty, and the role whose load changed (services.assignment_set, through
  `cell_changed()`, which writes only when they change);
- a duty's title, department, project or active flag: the duty, the duties sharing its
  old and new title key, and (active flag) the roles assigned to it;
- a role's title, department or active flag, or its holders: the role, the duties it is
  assigned to, and the duties of the departments it heads;
- a department's code, head or parent; a project's code or departments; an information
  flow: the duties whose messages, suggestions or hand-off pairs they enter.

Model writes reach it through the signal handlers of findings_signals.py (so the admin,
forms and services cannot forget it); bulk writes (imports) call `findings_refresh()`
themselves. The computing is in findings_compute.py. The overload limit is a setting:
after changing it, run `manage.py findings --rebuild` (findings_rebuild.py), which
recomputes everything from scratch and corrects (and reports) any difference.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import threading
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet, sql
from django.utils import timezone, translation

from orgmap.models import Department, Role, RoleHolder

from . import findings_compute, findings_facts, findings_generation, raci, webhook_events
from .models import Assignment, Duty, Finding

# The fields of each model that findings read: a save that changes none of them changes
# no finding (findings_signals.py skips it).
DUTY_FIELDS = ("title", "department_id", "project_id", "active", "match_key")
ROLE_FIELDS = ("title", "department_id", "active")
DEPARTMENT_FIELDS = ("code", "parent_id", "head_id")


# ------------------------------------------------------------------ refreshing

_local = threading.local()


@contextmanager
def deferred():
    """Collect what the writes inside touch and refresh it once at the end, still
    inside the caller's transaction: for seeding and other long runs of writes that
    would otherwise refresh the same duties and roles over and over."""
    if getattr(_local, "pending", None) is not None:
        yield  # already deferring: the outermost block refreshes
        return
    pending: dict[str, set] = defaultdict(set)
    _local.pending = pending
    try:
        yield
    finally:
        _local.pending = None
    findings_refresh(**pending)


def _defer(pending: dict[str, set], **touched: Iterable) -> None:
    for name, values in touched.items():
        pending[name] |= set(values)


def _inputs(
    loaded: dict[int, Duty],
    duty_ids: set[int],
    department_ids: set[int],
    role_ids: set[int],
    match_keys: set[str],
) -> tuple[findings_compute.Inputs, set[int]]:
    """What the rules need about the touched duties and roles, and the roles whose
    findings are refreshed with them (the touched ones and the duties' head roles)."""
    rows_by_id = {duty_id: _duty_row(duty) for duty_id, duty in loaded.items()}
    if department_ids or duty_ids - set(loaded):
        for row in findings_compute.duty_rows(duty_ids - set(loaded), department_ids):
            rows_by_id.setdefault(row["pk"], row)
    duty_rows = list(rows_by_id.values())
    # The head roles are read with the roles whose load changed: one query. Their own
    # findings are recomputed with them, so they count as refreshed roles.
    heads = {row["department_id"]: row["department__head_id"] for row in duty_rows}
    role_ids = role_ids | {head_id for head_id in heads.values() if head_id}
    loads = findings_facts.role_loads(Role.objects.filter(pk__in=role_ids)) if role_ids else []
    refs = {load.role.id: load.role for load in loads}
    inputs = findings_compute.Inputs(
        duties=duty_rows,
        cells=findings_compute.cells(set(rows_by_id)),
        head_roles={dept: refs[head] for dept, head in heads.items() if head in refs},
        loads=loads,
        duplicates=findings_compute.duplicate_groups(match_keys),
    )
    return inputs, role_ids


def _with_vacancy(cells: list[dict], refs: dict[int, raci.RoleRef]) -> list[dict]:
    """Cells a writer handed in, with the vacancy it did not know (a role new on the
    duty) taken from the role's load, read anyway."""
    for cell in cells:
        if cell["role_filled"] is None:
            cell["role_filled"] = not refs[cell["role_id"]].vacant
        if cell.get("role_unconfirmed") is None:
            cell["role_unconfirmed"] = refs[cell["role_id"]].unconfirmed
    return cells


def _replace_stored(
    inputs: findings_compute.Inputs,
    by_language: dict[str, list[raci.Finding]],
    *,
    duty_ids: set[int],
    role_ids: set[int],
    match_keys: set[str],
) -> None:
    """Delete the stored findings the inputs cover and store the new ones."""
    refreshed = {row["pk"] for row in inputs.duties}
    grouped = {ref.id for group in inputs.duplicates for ref in group.duties}
    stale = Q(duty_id__in=refreshed) & ~Q(rule=raci.DUPLICATE_DUTY)
    stale |= Q(role_id__in=role_ids, duty__isnull=True)
    if match_keys:
        stale |= Q(rule=raci.DUPLICATE_DUTY, duty_id__in=grouped | duty_ids)
    before = webhook_events.findings_before(stale)  # None: no endpoint wants findings
    rows = findings_compute.rows(by_language)
    if not (refreshed or role_ids or match_keys):
        Finding.objects.bulk_create(rows, batch_size=1000)
    elif connection.vendor == "postgresql" and 0 < len(rows) <= 1000:
        _replace_in_one_statement(Finding.objects.filter(stale), rows)
    else:
        Finding.objects.filter(stale).delete()
        Finding.objects.bulk_create(rows, batch_size=1000)
    webhook_events.findings_after(before, rows)


def _replace_in_one_statement(stale: QuerySet[Finding], rows: list[Finding]) -> None:
    """DELETE the stale findings and INSERT the new ones in one PostgreSQL statement
    (`WITH stale AS (DELETE …) INSERT …`): a cell edit's round trip costs one statement
    less. Both are compiled by Django's own SQL compilers, as QuerySet.delete() and
    bulk_create() compile them (Finding has no delete signals or dependent rows)."""
    delete = stale.query.chain(sql.DeleteQuery).get_compiler(connection=connection)
    delete_sql, delete_params = delete.as_sql()
    insert = sql.InsertQuery(Finding)
    insert.insert_values(
        [field for field in Finding._meta.concrete_fields if not field.primary_key], rows
    )
    [(insert_sql, insert_params)] = insert.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH stale AS ({delete_sql}) {insert_sql}", (*delete_params, *insert_params)
        )


def findings_refresh(
    *,
    duty_ids: Iterable[int] = (),
    role_ids: Iterable[int] = (),
    department_ids: Iterable[int] = (),
    match_keys: Iterable[str] = (),
    duties: Iterable[Duty] = (),
) -> list[raci.Finding]:
    """Recompute and store the findings of exactly what a write touched:

    - `duty_ids` (or loaded `duties`, which saves the query for their rows), and every
      duty of `department_ids`: the duty rules and the hand-off rule;
    - `role_ids`: the workload rules;
    - `match_keys`: DUPLICATE_DUTY for every duty sharing one of these title keys, and
      for the duties given (a duty that left a group loses its finding).

    Runs in the caller's transaction (or its own). Returns the duty findings of the
    given duties in the active language, sorted, for a response that shows them.
    """
    duties = list(duties)
    duty_ids = set(duty_ids) | {duty.pk for duty in duties}
    role_ids, department_ids = set(role_ids), set(department_ids)
    match_keys = {key for key in match_keys if key}
    if (pending := getattr(_local, "pending", None)) is not None:
        touched = {"duty_ids": duty_ids, "role_ids": role_ids, "department_ids": department_ids}
        _defer(pending, **touched, match_keys=match_keys)
        return []
    if not (duty_ids or role_ids or department_ids or match_keys):
        return []
    # A duty whose department (and project) are not loaded is read like the others.
    loaded = {duty.pk: duty for duty in duties if _is_loaded(duty)}
    findings_generation.bump()
    with transaction.atomic(savepoint=False):
        inputs, role_ids = _inputs(loaded, duty_ids, department_ids, role_ids, match_keys)
        pairs = functools.cache(findings_facts.connected_pairs)  # once for every language
        base, by_language = findings_compute.in_every_language(
            lambda: findings_compute.evaluate(inputs, pairs=pairs)
        )
        _replace_stored(
            inputs, by_language, duty_ids=duty_ids, role_ids=role_ids, match_keys=match_keys
        )
    language = translation.get_language() or settings.LANGUAGE_CODE
    shown = by_language.get(language, base)
    return raci.sort_findings(f for f in shown if f.duty_id in duty_ids)


def cell_roles(duty: Duty, role: Role) -> tuple[raci.RoleLoad, raci.RoleRef | None]:
    """What a cell edit's findings read of its roles, before the edit: the edited role's
    load and the duty's department head. Free when the caller read the duty through
    findings_facts.with_head() and the role through with_loads() (the matrix does);
    otherwise one query for both."""
    if hasattr(role, "assignment_count") and hasattr(duty, "head_filled"):
        return findings_facts.load_of(role), findings_facts.head_of(duty)
    head_id = duty.department.head_id
    loads = findings_facts.role_loads(Role.objects.filter(pk__in={role.pk, head_id} - {None}))
    refs = {load.role.id: load for load in loads}
    return refs[role.pk], refs[head_id].role if head_id else None


def _load_after(load: raci.RoleLoad, duty: Duty, before: str | None, after: str | None):
    if not duty.active:
        return load  # loads count active duties only
    doing = (raci.A, raci.R, raci.AR)
    return dataclasses.replace(
        load,
        assignments=load.assignments + (after is not None) - (before is not None),
        accountable_or_responsible=load.accountable_or_responsible
        + (after in doing)
        - (before in doing),
    )


def cell_changed(
    duty: Duty,
    *,
    cells_before: list[dict],
    cells_after: list[dict],
    letters: tuple[str | None, str | None],
    load: raci.RoleLoad,
    head: raci.RoleRef | None,
) -> list[raci.Finding]:
    """The findings one cell can change — its duty's and its role's workload — from
    what the writer already holds (the duty's locked cells before and after, the role's
    load before, the head from cell_roles()): nothing is read. When they come out as
    they were, nothing is written either (most edits: C to I, a second R…). Returns the
    duty's findings in the active language, sorted."""
    role_id = load.role.id
    if (pending := getattr(_local, "pending", None)) is not None:
        _defer(pending, duty_ids={duty.pk}, role_ids={role_id}, match_keys=set())
        return []
    findings_generation.bump()  # a letter changed, even when no finding does
    after_load = _load_after(load, duty, *letters)

    def inputs(cells: list[dict], role_load: raci.RoleLoad) -> findings_compute.Inputs:
        return findings_compute.Inputs(
            duties=[_duty_row(duty)],
            cells=_with_vacancy(cells, {role_id: load.role}),
            head_roles={duty.department_id: head} if head else {},
            loads=[role_load],
            duplicates=[],
        )

    pairs = functools.cache(findings_facts.connected_pairs)
    old = findings_compute.evaluate(inputs(cells_before, load), pairs=pairs)
    now = inputs(cells_after, after_load)
    new = findings_compute.evaluate(now, pairs=pairs)
    if new != old:
        _base, by_language = findings_compute.in_every_language(
            lambda: findings_compute.evaluate(now, pairs=pairs)
        )
        _replace_stored(now, by_language, duty_ids={duty.pk}, role_ids={role_id}, match_keys=set())
    return raci.sort_findings(f for f in new if f.duty_id == duty.pk)


def _is_loaded(duty: Duty) -> bool:
    return Duty.department.is_cached(duty) and (
        duty.project_id is None or Duty.project.is_cached(duty)
    )


def _duty_row(duty: Duty) -> dict:
    """The values() row of a duty already loaded (with department and project)."""
    return {
        "pk": duty.pk,
        "title": duty.title,
        "department_id": duty.department_id,
        "department__code": duty.department.code,
        "project_id": duty.project_id,
        "project__code": duty.project.code if duty.project_id else None,
        "active": duty.active,
        "frequency": duty.frequency,
        "department__head_id": duty.department.head_id,
    }


def role_dependents(role_ids: Iterable[int]) -> dict:
    """What a change to these roles (title, department, active flag, holders) touches:
    the roles, the duties they are assigned to, the departments they head."""
    role_ids = set(role_ids)
    if not role_ids:
        return {}
    return {
        "role_ids": role_ids,
        "duty_ids": set(
            Assignment.objects.filter(role_id__in=role_ids).values_list("duty_id", flat=True)
        ),
        "department_ids": set(
            Department.objects.filter(head_id__in=role_ids).values_list("pk", flat=True)
        ),
    }


def roles_changed(role_ids: Iterable[int]) -> None:
    if dependents := role_dependents(role_ids):
        findings_refresh(**dependents)


def _duties_between(first: int, second: int) -> set[int]:
    """Duties with roles of both departments assigned: the only ones whose hand-off
    finding a flow between the two departments can change."""
    in_first = Assignment.objects.filter(role__department_id=first).values("duty_id")
    in_second = Assignment.objects.filter(role__department_id=second).values("duty_id")
    return set(
        Duty.objects.filter(pk__in=in_first).filter(pk__in=in_second).values_list("pk", flat=True)
    )


def flow_changed(pairs: Iterable[tuple[int, int]]) -> None:
    duty_ids: set[int] = set()
    for first, second in set(pairs):
        if first != second:
            duty_ids |= _duties_between(first, second)
    findings_refresh(duty_ids=duty_ids)


def _subtree(department_id: int) -> set[int]:
    from orgmap.selectors import department_descendant_ids

    return set(department_descendant_ids({department_id}))


def department_changed(department: Department, old: dict) -> None:
    touched: dict[str, set] = {"duty_ids": set(), "role_ids": set(), "department_ids": set()}
    match_keys: set[str] = set()
    if old["code"] != department.code:
        # The code is written into messages: the department's own findings, its roles'
        # findings, findings of duties its roles work on, and its duplicate groups.
        touched["department_ids"].add(department.pk)
        own_roles = set(Role.objects.filter(department=department).values_list("pk", flat=True))
        touched["role_ids"] |= own_roles
        touched["duty_ids"] |= set(
            Assignment.objects.filter(role_id__in=own_roles).values_list("duty_id", flat=True)
        )
        match_keys |= set(
            Duty.objects.filter(department=department).values_list("match_key", flat=True)
        )
    if old["head_id"] != department.head_id:
        touched["department_ids"].add(department.pk)
    if old["parent_id"] != department.parent_id:
        touched["duty_ids"] |= _duties_below({department.pk})
    findings_refresh(**touched, match_keys=match_keys)


def _duties_below(department_ids: set[int]) -> set[int]:
    """Duties worked on by roles of these departments or their sub-departments: the
    reporting line connects a department with its ancestors (hand-offs), so moving a
    department changes which of their hand-offs need a flow."""
    subtree: set[int] = set()
    for department_id in department_ids:
        subtree |= _subtree(department_id)
    if not subtree:
        return set()
    return set(
        Assignment.objects.filter(role__department_id__in=subtree).values_list("duty_id", flat=True)
    )


def people_imported(*, role_ids: Iterable[int], moved_department_ids: Iterable[int]) -> None:
    """After a bulk people import: new and (de)activated roles, new holdings, and
    departments moved in the tree."""
    touched = role_dependents(role_ids) or {}
    duty_ids = set(touched.pop("duty_ids", set())) | _duties_below(set(moved_department_ids))
    findings_refresh(**touched, duty_ids=duty_ids)


def project_duties_changed(project_id: int) -> None:
    findings_refresh(
        duty_ids=Duty.objects.filter(project_id=project_id).values_list("pk", flat=True)
    )


# ------------------------------------------------------------------ time passing


@shared_task(name="responsibilities.findings_refresh_holdings")
def findings_refresh_holdings() -> int:
    """A holding that starts or ends on a date changes a role's vacancy that day
    without any write: refresh the roles whose holdings started or ended since
    yesterday (beat runs this every hour; it is idempotent)."""
    today = timezone.localdate()
    since = today - datetime.timedelta(days=1)
    role_ids = set(
        RoleHolder.objects.filter(
            Q(since__gt=since, since__lte=today) | Q(until__gt=since, until__lte=today)
        ).values_list("role_id", flat=True)
    )
    with transaction.atomic():
        roles_changed(role_ids)
    return len(role_ids)
