"""Stored findings, kept current incrementally.

raci.py says what a finding is; this module keeps its output in the `Finding` table so
that pages read findings with indexed queries instead of recomputing a department (and
an organisation-wide duplicate scan) to show 50 rows.

Every write that can change a finding calls `findings_refresh()` with what it touched,
in its own transaction:

- a cell: the duty, and the role whose load changed (services.assignment_set);
- a duty's title, department, project or active flag: the duty, the duties sharing its
  old and new title key, and (active flag) the roles assigned to it;
- a role's title, department or active flag, or its holders: the role, the duties it is
  assigned to, and the duties of the departments it heads;
- a department's code, head or parent; a project's code or departments; an information
  flow: the duties whose messages, suggestions or hand-off pairs they enter.

Model writes reach it through the signal handlers at the bottom (so the admin, forms and
services cannot forget it); bulk writes (imports) call `findings_refresh()` themselves.
The overload limit is a setting: after changing it, run `manage.py findings --rebuild`,
which recomputes everything from scratch and corrects (and reports) any difference.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from orgmap.models import Department, Role, RoleHolder

from . import raci, selectors, webhook_events
from .models import Assignment, Duty, Finding

# Duty fields that findings read: a save that changes none of them changes no finding.
_DUTY_FIELDS = ("title", "department_id", "project_id", "active", "match_key")
_ROLE_FIELDS = ("title", "department_id", "active")
_DEPARTMENT_FIELDS = ("code", "parent_id", "head_id")


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# ------------------------------------------------------------------ computing


@dataclass
class _Inputs:
    duties: list[dict]
    cells: list[dict]
    head_roles: dict[int, raci.RoleRef]
    loads: list[raci.RoleLoad]
    duplicates: list[raci.DuplicateTitle]


def _duty_rows(duty_ids: set[int], department_ids: set[int]) -> list[dict]:
    if not duty_ids and not department_ids:
        return []
    return list(
        Duty.objects.filter(Q(pk__in=duty_ids) | Q(department_id__in=department_ids)).values(
            "pk",
            "title",
            "department_id",
            "department__code",
            "project_id",
            "project__code",
            "active",
            "frequency",
            "department__head_id",
        )
    )


def _cells(duty_ids: set[int]) -> list[dict]:
    if not duty_ids:
        return []
    return list(
        Assignment.objects.filter(duty_id__in=duty_ids)
        .annotate(role_filled=selectors._filled("role_id"))
        .values("duty_id", "role_id", "letter", "version", *selectors._ROLE_VALUES)
    )


def _duplicate_groups(match_keys: set[str]) -> list[raci.DuplicateTitle]:
    """The groups of active department duties sharing each key (one query)."""
    keys = {key for key in match_keys if key}
    if not keys:
        return []
    groups: dict[str, list[raci.DutyRef]] = defaultdict(list)
    rows = (
        Duty.objects.filter(active=True, project__isnull=True, match_key__in=keys)
        .values("pk", "title", "department_id", "department__code", "match_key")
        .order_by("pk")
    )
    for row in rows:
        groups[row["match_key"]].append(
            raci.DutyRef(
                id=row["pk"],
                title=row["title"],
                department_id=row["department_id"],
                department_code=row["department__code"],
            )
        )
    return [raci.DuplicateTitle(key=key, duties=tuple(refs)) for key, refs in groups.items()]


def _crosses_departments(duty: raci.DutyFacts) -> bool:
    """Whether the hand-off rule needs the connected department pairs for this duty."""
    if not duty.active:
        return False
    a_departments = {role.department_id for role in duty.accountable if role.active}
    r_departments = {role.department_id for role in duty.responsible if role.active}
    return any(a != r for a in a_departments for r in r_departments)


def _evaluate(inputs: _Inputs) -> list[raci.Finding]:
    """raci's rules over the inputs, in the active language."""
    facts = selectors.Facts(
        duties=inputs.duties,
        assignments=inputs.cells,
        head_roles=inputs.head_roles,
        loads=[],
        duplicates=[],
        flow_pairs=frozenset(),
    )
    duties = selectors.duty_facts(facts)
    pairs: frozenset[frozenset[int]] = frozenset()
    if any(_crosses_departments(duty) for duty in duties):
        pairs = selectors._connected_pairs()  # two small queries, only when needed
    limit = selectors.overload_limit()
    found = [f for duty in duties for f in raci.duty_findings(duty)]
    found += [f for duty in duties for f in raci.handoff_findings(duty, pairs)]
    found += [f for load in inputs.loads for f in raci.role_findings(load, overload_limit=limit)]
    found += [f for group in inputs.duplicates for f in raci.duplicate_findings(group)]
    return found


def _in_every_language(compute) -> tuple[list[raci.Finding], dict[str, list[raci.Finding]]]:
    """Run `compute` once per site language. Returns the findings in the default
    language (for comparisons) and the lists by language (for the stored texts)."""
    by_language = {}
    for language in _languages():
        with translation.override(language):
            by_language[language] = compute()
    return by_language[settings.LANGUAGE_CODE], by_language


def _identity(finding: raci.Finding) -> tuple:
    return (finding.rule, finding.duty_id, tuple(role.id for role in finding.roles))


def _rows(by_language: dict[str, list[raci.Finding]]) -> list[Finding]:
    """Finding rows from the same findings computed in each language."""
    base = by_language[settings.LANGUAGE_CODE]
    rows = []
    for index, finding in enumerate(base):
        texts = {}
        for language, found in by_language.items():
            translated = found[index]
            # The rules are deterministic and their order never depends on the language.
            assert _identity(translated) == _identity(finding), "findings differ by language"
            texts[language] = [translated.message, translated.suggestion]
        fix = finding.fix
        rows.append(
            Finding(
                rule=finding.rule,
                severity=finding.severity,
                department_id=finding.department_id,
                project_id=finding.project_id,
                duty_id=finding.duty_id,
                role_id=finding.roles[0].id if finding.duty_id is None else None,
                department_code=finding.department_code,
                project_code=finding.project_code or "",
                duty_title=finding.duty_title or "",
                roles=[
                    [r.id, r.title, r.department_id, r.department_code, r.active, r.vacant]
                    for r in finding.roles
                ],
                fix=[fix.duty_id, fix.role_id, fix.letter] if fix else None,
                texts=texts,
            )
        )
    return rows


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
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending["duty_ids"] |= set(duty_ids) | {duty.pk for duty in duties}
        pending["role_ids"] |= set(role_ids)
        pending["department_ids"] |= set(department_ids)
        pending["match_keys"] |= set(match_keys)
        return []
    duties = list(duties)
    # A duty whose department (and project) are not loaded is read like the others.
    loaded = {duty.pk: duty for duty in duties if _is_loaded(duty)}
    duty_ids = set(duty_ids) | {duty.pk for duty in duties}
    role_ids = set(role_ids)
    department_ids = set(department_ids)
    match_keys = {key for key in match_keys if key}
    if not (duty_ids or role_ids or department_ids or match_keys):
        return []
    with transaction.atomic(savepoint=False):
        rows_by_id = {duty_id: _duty_row(duty) for duty_id, duty in loaded.items()}
        if department_ids or duty_ids - set(loaded):
            for row in _duty_rows(duty_ids - set(loaded), department_ids):
                rows_by_id.setdefault(row["pk"], row)
        duty_rows = list(rows_by_id.values())
        refreshed = {row["pk"] for row in duty_rows}
        groups = _duplicate_groups(match_keys)
        grouped = {ref.id for group in groups for ref in group.duties}
        # The head roles are read with the roles whose load changed: one query. Their
        # own findings are recomputed with them, so they count as refreshed roles.
        heads = {row["department_id"]: row["department__head_id"] for row in duty_rows}
        role_ids |= {head_id for head_id in heads.values() if head_id}
        loads = selectors.role_loads(Role.objects.filter(pk__in=role_ids)) if role_ids else []
        refs = {load.role.id: load.role for load in loads}
        inputs = _Inputs(
            duties=duty_rows,
            cells=_cells(refreshed),
            head_roles={dept: refs[head] for dept, head in heads.items() if head in refs},
            loads=loads,
            duplicates=groups,
        )
        base, by_language = _in_every_language(lambda: _evaluate(inputs))
        stale = Q(duty_id__in=refreshed) & ~Q(rule=raci.DUPLICATE_DUTY)
        stale |= Q(role_id__in=role_ids, duty__isnull=True)
        if match_keys:
            stale |= Q(rule=raci.DUPLICATE_DUTY, duty_id__in=grouped | duty_ids)
        before = webhook_events.findings_before(stale)  # None: no endpoint wants findings
        if refreshed or role_ids or match_keys:
            Finding.objects.filter(stale).delete()
        rows = _rows(by_language)
        if rows:
            Finding.objects.bulk_create(rows, batch_size=1000)
        webhook_events.findings_after(before, rows)
    language = translation.get_language() or settings.LANGUAGE_CODE
    shown = base
    if language in by_language and language != settings.LANGUAGE_CODE:
        shown = by_language[language]
    return raci.sort_findings(f for f in shown if f.duty_id in duty_ids)


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


# ------------------------------------------------------------------ rebuilding


@dataclass
class RebuildReport:
    total: int
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)

    @property
    def corrected(self) -> int:
        return len(self.added) + len(self.removed)


def _row_key(row: Finding) -> tuple:
    return (
        row.rule,
        row.severity,
        row.department_id,
        row.project_id,
        row.duty_id,
        row.role_id,
        row.department_code,
        row.project_code,
        row.duty_title,
        repr(row.roles),
        repr(row.fix),
        repr(sorted((key, tuple(value)) for key, value in row.texts.items())),
    )


def findings_rebuild() -> RebuildReport:
    """Recompute every finding of the organisation from scratch, the way a page did
    before findings were stored, and make the table equal to it."""
    with transaction.atomic():
        _base, by_language = _in_every_language(
            lambda: selectors.computed_findings(selectors.Scope())
        )
        wanted = Counter()
        by_key: dict[tuple, Finding] = {}
        for row in _rows(by_language):
            key = _row_key(row)
            wanted[key] += 1
            by_key[key] = row
        stored: dict[tuple, list[Finding]] = defaultdict(list)
        for row in Finding.objects.select_for_update().order_by("pk"):
            stored[_row_key(row)].append(row)
        report = RebuildReport(total=sum(wanted.values()))
        for key, rows in stored.items():
            report.removed += rows[wanted[key] :]
        for key, count in wanted.items():
            report.added += [by_key[key]] * max(0, count - len(stored.get(key, ())))
        if report.removed:
            Finding.objects.filter(pk__in=[row.pk for row in report.removed]).delete()
        if report.added:
            Finding.objects.bulk_create([_copy(row) for row in report.added], batch_size=1000)
    return report


def _copy(row: Finding) -> Finding:
    return Finding(
        **{
            f.attname: getattr(row, f.attname)
            for f in Finding._meta.concrete_fields
            if not f.primary_key
        }
    )


def fill_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """An existing database gets its stored findings on the migrate that creates the
    table (findings are derived data, so this is computed, not migrated)."""
    if Finding.objects.using(using).exists():
        return
    if not (Duty.objects.using(using).exists() or Role.objects.using(using).exists()):
        return
    findings_rebuild()


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
