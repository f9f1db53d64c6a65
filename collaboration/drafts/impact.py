"""What a draft would do to the findings: the findings it would open and close compared
with live, and the load of the roles it changes, before -> after.

Only what the draft touches is computed, with the same machinery as a live write
(findings_store's refresh): the touched duties as the draft has them, their cells with
the draft's letters, their departments' head roles, the loads of the roles whose cells
change (live counts plus the draft's difference), the duplicate groups of their old and
new titles. raci's rules judge them once (findings_compute.evaluate) and the result is
compared with the stored live findings of the same duties and roles. A constant number
of queries whatever the size of the organisation; nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from orgmap.models import Role
from responsibilities import findings_compute, findings_facts, raci, selectors
from responsibilities.findings_facts import filled
from responsibilities.models import Assignment, Duty

from . import impact_new, impact_structure
from .models import Draft, DraftCell, DraftDuty


@dataclass(frozen=True)
class LoadChange:
    role: raci.RoleRef
    before: int  # A, R or A/R on active duties
    after: int
    assignments_before: int
    assignments_after: int


@dataclass
class Impact:
    opened: list[raci.Finding]
    closed: list[raci.Finding]
    loads: list[LoadChange]
    # The draft's findings of every duty and role it covers, by duty id (None: roles).
    draft_findings: dict[int | None, list[raci.Finding]] = field(default_factory=dict)
    duties: dict[int, dict] = field(default_factory=dict)  # duty rows as the draft has them

    @property
    def is_empty(self) -> bool:
        return not (self.opened or self.closed or self.loads)


def identity(finding: raci.Finding) -> tuple:
    return (finding.rule, finding.duty_id, tuple(role.id for role in finding.roles))


def _counts(letter: str, active: bool) -> tuple[int, int]:
    """(assignments, A/R count) a cell adds to its role's load."""
    if not letter or not active:
        return 0, 0
    return 1, int(letter in (raci.A, raci.R, raci.AR))


def _draft_rows(live_rows: list[dict], changes: list[DraftDuty]) -> list[dict]:
    by_duty = {change.duty_id: change for change in changes}
    rows = []
    for row in live_rows:
        change = by_duty.get(row["pk"])
        if change is not None:
            row = {
                **row,
                "title": change.title,
                "department_id": change.department_id,
                "department__code": change.department.code,
                "department__head_id": change.department.head_id,
                "project_id": change.project_id,
                "project__code": change.project.code if change.project_id else None,
                "active": change.active,
            }
        rows.append(row)
    return rows


def _draft_cells(live: list[dict], changes: list[DraftCell]) -> list[dict]:
    cells = {(cell["duty_id"], cell["role_id"]): cell for cell in live}
    for change in changes:
        key = (change.duty_id, change.role_id)
        if not change.letter:
            cells.pop(key, None)
            continue
        role = change.role
        cells[key] = {
            "duty_id": change.duty_id,
            "role_id": change.role_id,
            "letter": change.letter,
            "version": 0,
            "role__title": role.title,
            "role__department_id": role.department_id,
            "role__department__code": role.department.code,
            "role__active": role.active,
            "role_filled": change.role_filled,
        }
    return list(cells.values())


def _load_deltas(live_rows, draft_rows, live_cells, draft_cells) -> dict[int, list[int]]:
    """{role id: [assignments delta, A/R delta]} for the roles the draft changes."""
    live_active = {row["pk"]: row["active"] for row in live_rows}
    draft_active = {row["pk"]: row["active"] for row in draft_rows}
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for cell in live_cells:
        count, ar = _counts(cell["letter"], live_active[cell["duty_id"]])
        deltas[cell["role_id"]][0] -= count
        deltas[cell["role_id"]][1] -= ar
    for cell in draft_cells:
        count, ar = _counts(cell["letter"], draft_active[cell["duty_id"]])
        deltas[cell["role_id"]][0] += count
        deltas[cell["role_id"]][1] += ar
    return {role_id: delta for role_id, delta in deltas.items() if delta != [0, 0]}


def _duplicates(live_rows, draft_rows, live_keys: dict[int, str]) -> list[raci.DuplicateTitle]:
    """The duplicate groups of the touched duties' old and new titles, as the draft has
    them: live groups (one query) without the touched duties, plus the touched duties
    as the draft has them. A title the draft keeps keeps its stored key."""
    titles = {row["pk"]: row["title"] for row in live_rows}
    keys = {
        row["pk"]: live_keys[row["pk"]]
        if row["title"] == titles.get(row["pk"])  # a new duty (impact_new) has none
        else raci.normalise_title(row["title"])
        for row in draft_rows
    }
    touched = set(keys)
    groups: dict[str, list[raci.DutyRef]] = defaultdict(list)
    for group in findings_compute.duplicate_groups(set(keys.values()) | set(live_keys.values())):
        groups[group.key] = [ref for ref in group.duties if ref.id not in touched]
    for row in draft_rows:
        if row["active"] and row["project_id"] is None:
            groups[keys[row["pk"]]].append(
                raci.DutyRef(
                    id=row["pk"],
                    title=row["title"],
                    department_id=row["department_id"],
                    department_code=row["department__code"],
                )
            )
    return [
        raci.DuplicateTitle(key=key, duties=tuple(sorted(refs, key=lambda ref: ref.id)))
        for key, refs in groups.items()
        if refs
    ]


def _live_loads(role_ids: set[int]) -> list[raci.RoleLoad]:
    """findings_facts.role_loads() of these roles, in two queries: the counts grouped by
    role over the assignments index, the roles with their vacancy. (One query joining
    the two grouped every assignment of a department head by all the role's columns:
    150 ms on the O*NET organisation instead of 20.)"""
    counts = {
        row["role_id"]: row
        for row in Assignment.objects.filter(role_id__in=role_ids, duty__active=True)
        .values("role_id")
        .annotate(
            total=Count("pk"),
            ar=Count("pk", filter=Q(letter__in=[raci.A, raci.R, raci.AR])),
        )
        .order_by()
    }
    roles = (
        Role.objects.filter(pk__in=role_ids)
        .annotate(filled=filled())
        .values("pk", "title", "department_id", "department__code", "active", "filled")
    )
    return [
        raci.RoleLoad(
            role=findings_facts.role_ref(row),
            assignments=counts.get(row["pk"], {}).get("total", 0),
            accountable_or_responsible=counts.get(row["pk"], {}).get("ar", 0),
        )
        for row in roles
    ]


def _loads(role_ids: set[int], deltas: dict[int, list[int]], compared: set[int]):
    """(live loads, draft loads, refs) of these roles; the loads of `compared` (the
    roles whose cells or facts the draft changes) are judged."""
    live = _live_loads(role_ids) if role_ids else []
    refs = {load.role.id: load.role for load in live}
    draft = []
    for load in live:
        if load.role.id in compared:
            count, ar = deltas.get(load.role.id, (0, 0))
            draft.append(
                raci.RoleLoad(
                    role=load.role,
                    assignments=load.assignments + count,
                    accountable_or_responsible=load.accountable_or_responsible + ar,
                )
            )
    return [load for load in live if load.role.id in compared], draft, refs


def _match_keys(duty_ids: set[int]) -> dict[int, str]:
    """The stored title keys of these duties (normalising 200 titles again: 90 ms)."""
    return dict(Duty.objects.filter(pk__in=duty_ids).values_list("pk", "match_key"))


def draft_impact(draft: Draft) -> Impact:
    duty_changes = list(draft.duties.select_related("department", "project"))
    # The duties and roles the draft adds, and their cells: impact_new.py.
    cell_changes, new = impact_new.read(
        draft,
        draft.cells.select_related("role__department").annotate(role_filled=filled("role_id")),
    )
    structure = impact_structure.read(draft)  # roles, people, flows
    duty_ids = {change.duty_id for change in duty_changes} | {c.duty_id for c in cell_changes}
    duty_ids |= new.live_duty_ids | structure.duty_ids
    if not duty_ids and not new and not structure.roles:
        return Impact(opened=[], closed=[], loads=[])
    live_rows = findings_compute.duty_rows(duty_ids, set())
    draft_rows = _draft_rows(live_rows, duty_changes) + new.duty_rows()
    live_cells = findings_compute.cells(duty_ids)
    cells = structure.cells(_draft_cells(live_cells, cell_changes)) + new.cell_rows()
    deltas = _load_deltas(live_rows, draft_rows, live_cells, cells)
    heads = {row["department_id"]: row["department__head_id"] for row in draft_rows}
    compared = set(deltas) | set(structure.roles)
    live_loads, draft_loads, refs = _loads(
        {pk for pk in compared if pk > 0} | {head for head in heads.values() if head},
        deltas,
        compared,
    )
    refs = {pk: structure.ref(ref) for pk, ref in refs.items()}
    new.add_loads(live_loads, draft_loads, deltas)
    inputs = findings_compute.Inputs(
        duties=draft_rows,
        cells=cells,
        head_roles={dept: refs[head] for dept, head in heads.items() if head in refs},
        loads=structure.loads(draft_loads),
        duplicates=_duplicates(live_rows, draft_rows, _match_keys(duty_ids)),
    )
    found = findings_compute.evaluate(inputs, pairs=structure.pairs_reader())
    grouped = {ref.id for group in inputs.duplicates for ref in group.duties}
    live = [
        finding
        for finding in selectors.stored_findings(
            duty_ids=duty_ids | {pk for pk in grouped if pk > 0},
            role_ids={pk for pk in compared if pk > 0},
        )
        if finding.duty_id is None
        or finding.duty_id in duty_ids
        or finding.rule == raci.DUPLICATE_DUTY
    ]
    return _compare(found, live, live_loads, draft_loads, draft_rows)


def _compare(found, live, live_loads, draft_loads, draft_rows) -> Impact:
    live_ids = {identity(finding) for finding in live}
    found_ids = {identity(finding) for finding in found}
    by_duty: dict[int | None, list[raci.Finding]] = defaultdict(list)
    for finding in raci.sort_findings(found):
        by_duty[finding.duty_id].append(finding)
    after = {load.role.id: load for load in draft_loads}
    loads = [
        LoadChange(
            role=load.role,
            before=load.accountable_or_responsible,
            after=after[load.role.id].accountable_or_responsible,
            assignments_before=load.assignments,
            assignments_after=after[load.role.id].assignments,
        )
        for load in live_loads
    ]
    loads.sort(key=lambda change: (change.role.department_code, change.role.title.casefold()))
    return Impact(
        opened=raci.sort_findings(f for f in found if identity(f) not in live_ids),
        closed=raci.sort_findings(f for f in live if identity(f) not in found_ids),
        loads=loads,
        draft_findings=dict(by_duty),
        duties={row["pk"]: row for row in draft_rows},
    )
