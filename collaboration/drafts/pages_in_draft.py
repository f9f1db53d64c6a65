"""What the department and role pages show in a draft: a department's duties with
their letters and findings as the draft has them, and a role's duties (its role
description), load and findings. Each a constant number of queries."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from orgmap.models import Department, Role
from responsibilities import raci, role_documents, selectors
from responsibilities.models import Assignment, Duty

from .findings_list import draft_summary
from .impact import LoadChange, identity
from .overlay import DraftState, row_findings


def watermark(state: DraftState) -> str:
    return _("DRAFT: %(name)s") % {"name": state.draft.name}


@dataclass
class DutyLine:
    duty: dict  # pk, title, active, department code, note
    letters: list[tuple[str, str]]  # (letter, role title), A first
    findings: list[raci.Finding]


_ORDER = {raci.A: 0, raci.AR: 1, raci.R: 2, raci.C: 3, raci.I: 4}


def _department_rows(state: DraftState, department: Department) -> list[dict]:
    moved_in = [c.duty_id for c in state.duties if c.department_id == department.pk]
    rows = Duty.objects.filter(Q(department=department) | Q(pk__in=moved_in)).values(
        "pk", "title", "active", "department_id", "department__code"
    )
    changes = {change.duty_id: change for change in state.duties}
    duties = []
    for row in rows:
        change = changes.get(row["pk"])
        row["note"] = ""
        if change is not None:
            if change.department_id != department.pk:
                row["note"] = _("moves to %(code)s in this draft") % {
                    "code": change.department.code
                }
            elif row["department_id"] != department.pk:
                row["note"] = _("moved here in this draft")
            row["title"], row["active"] = change.title, change.active
        duties.append(row)
    return sorted(duties, key=lambda row: (row["title"].casefold(), row["pk"]))


def department_duties(state: DraftState, department: Department) -> list[DutyLine]:
    """The department's duties as the draft has them, with their letters and findings:
    three queries (duties, cells, stored findings) for any number of duties."""
    duties = _department_rows(state, department)
    ids = [row["pk"] for row in duties]
    letters: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    for cell in Assignment.objects.filter(duty_id__in=ids).values(
        "duty_id", "role_id", "letter", "role__title"
    ):
        letters[cell["duty_id"]][cell["role_id"]] = (cell["letter"], cell["role__title"])
    for change in state.cells:
        if change.duty_id in letters or change.duty_id in ids:
            letters[change.duty_id][change.role_id] = (change.letter, change.role.title)
    stored = defaultdict(list)
    for finding in selectors.stored_findings(duty_ids=ids):
        stored[finding.duty_id].append(finding)
    return [
        DutyLine(
            duty=row,
            letters=sorted(
                ((letter, title) for letter, title in letters[row["pk"]].values() if letter),
                key=lambda pair: (_ORDER.get(pair[0], 9), pair[1].casefold()),
            ),
            findings=row_findings(stored[row["pk"]], row["pk"], state.impact),
        )
        for row in duties
    ]


def department_finding_count(state: DraftState, department: Department) -> int:
    return sum(draft_summary(selectors.Scope(department=department), state.impact).values())


# ------------------------------------------------------------------ a role


def _draft_duty(duty: Duty, state: DraftState) -> Duty:
    """The duty as the draft has it (a copy, never saved)."""
    change = next((c for c in state.duties if c.duty_id == duty.pk), None)
    if change is None:
        return duty
    drafted = copy.copy(duty)
    drafted.title, drafted.active = change.title, change.active
    drafted.department, drafted.project = change.department, change.project
    return drafted


def role_assignments(state: DraftState, role: Role) -> list[Assignment]:
    """The role's cells on active duties as the draft has them (unsaved copies where
    the draft changes them), by title: two queries."""
    cells = {
        a.duty_id: a
        for a in Assignment.objects.filter(role=role).select_related(
            "duty__department", "duty__project"
        )
    }
    changes = {c.duty_id: c for c in state.cells if c.role_id == role.pk}
    new_ids = [pk for pk, change in changes.items() if pk not in cells and change.letter]
    new_duties = Duty.objects.select_related("department", "project").in_bulk(new_ids)
    for pk, change in changes.items():
        if not change.letter:
            cells.pop(pk, None)
            continue
        duty = cells[pk].duty if pk in cells else new_duties[pk]
        cells[pk] = Assignment(duty=duty, role=role, letter=change.letter)
    result = []
    for assignment in cells.values():
        duty = _draft_duty(assignment.duty, state)
        if duty.active:
            if duty is not assignment.duty:
                assignment = copy.copy(assignment)
                assignment.duty = duty
            result.append(assignment)
    return sorted(result, key=lambda a: (a.duty.title, a.duty_id))


def role_description(state: DraftState, role: Role) -> role_documents.RoleDescription:
    description = role_documents.role_description(role, assignments=role_assignments(state, role))
    description.watermark = watermark(state)
    return description


def role_load(state: DraftState, role: Role) -> LoadChange | None:
    """The role's load before -> after, when the draft changes it."""
    return next((load for load in state.impact.loads if load.role.id == role.pk), None)


def role_findings(state: DraftState, role: Role, duty_ids: set[int]) -> list[raci.Finding]:
    """The findings that name the role (its workload, and its duties' findings that
    name it), as the draft has them: one query."""

    def names_role(finding: raci.Finding) -> bool:
        return any(ref.id == role.pk for ref in finding.roles)

    closed = {identity(finding) for finding in state.impact.closed}
    stored = selectors.stored_findings(duty_ids=duty_ids, role_ids=[role.pk])
    kept = [f for f in stored if identity(f) not in closed and names_role(f)]
    opened = [f for f in state.impact.opened if names_role(f)]
    return raci.sort_findings(kept + opened)
