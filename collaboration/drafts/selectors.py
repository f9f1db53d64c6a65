"""Reads of drafts: what a draft changes, what it touches, and its conflicts with live."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from orgmap import permissions
from responsibilities.models import Assignment, Duty

from . import selectors_new
from .models import Draft, DraftApproval, DraftCell, DraftDuty
from .selectors_structure import structure_department_ids


@dataclass(frozen=True)
class DraftScope:
    """The departments and projects a draft's changes touch."""

    department_ids: frozenset[int]
    project_ids: frozenset[int]


def draft_cells(draft: Draft) -> list[DraftCell]:
    return list(
        draft.cells.filter(duty__isnull=False, role__isnull=False)  # new things: selectors_new
        .select_related("duty__department", "duty__project", "role__department")
        .order_by("duty__title", "role__title", "pk")
    )


def draft_duties(draft: Draft) -> list[DraftDuty]:
    return list(
        draft.duties.select_related("duty__department", "duty__project", "department", "project")
    )


def draft_scope(draft: Draft) -> DraftScope:
    """A cell touches its duty's department (and project) and its role's department; a
    duty change touches the duty's department and project before and after; new duties
    and roles their own (selectors_new.new_scope); roles, people and flows as
    selectors_structure says. Seven queries."""
    departments: set[int] = set()
    projects: set[int] = set()
    for row in draft.cells.values("duty__department_id", "duty__project_id", "role__department_id"):
        departments |= {row["duty__department_id"], row["role__department_id"]}
        projects.add(row["duty__project_id"])
    for row in draft.duties.values(
        "department_id", "project_id", "duty__department_id", "duty__project_id"
    ):
        departments |= {row["department_id"], row["duty__department_id"]}
        projects |= {row["project_id"], row["duty__project_id"]}
    new_departments, new_projects = selectors_new.new_scope(draft)
    departments |= new_departments | structure_department_ids(draft)
    projects |= new_projects
    departments.discard(None)
    projects.discard(None)
    return DraftScope(frozenset(departments), frozenset(projects))


def visible_drafts(user) -> QuerySet[Draft]:
    """The drafts a user may see: their own, and those asking them for an approval
    (org admins: all)."""
    drafts = Draft.objects.select_related("author__profile")
    if permissions.is_org_admin(user):
        return drafts
    asked = DraftApproval.objects.filter(
        Q(department_id__in=permissions.managed_department_ids(user))
        | Q(project_id__in=permissions.coordinated_project_ids(user))
    ).values("draft_id")
    return drafts.filter(Q(author=user) | Q(pk__in=asked))


def pending_approvals_for(user) -> QuerySet[DraftApproval]:
    """Approvals waiting for this user's answer."""
    approvals = DraftApproval.objects.filter(
        status=DraftApproval.Status.PENDING, draft__status=Draft.Status.SUBMITTED
    ).select_related("draft__author__profile", "department", "project")
    if permissions.is_org_admin(user):
        return approvals
    return approvals.filter(
        Q(department_id__in=permissions.managed_department_ids(user))
        | Q(project_id__in=permissions.coordinated_project_ids(user))
    )


# ------------------------------------------------------------------ conflicts


@dataclass(frozen=True)
class CellConflict:
    change: DraftCell
    live_letter: str
    live_version: int


@dataclass(frozen=True)
class DutyConflict:
    change: DraftDuty
    live: dict  # the duty's fields now


def live_duty_fields(duty: Duty) -> dict:
    return {
        "title": duty.title,
        "department_id": duty.department_id,
        "project_id": duty.project_id,
        "active": duty.active,
    }


def cell_conflicts(cells: list[DraftCell], live: dict[tuple[int, int], tuple[str, int]]):
    """The draft's cells whose live cell changed since the draft's change was made."""
    conflicts = []
    for cell in cells:
        letter, version = live.get((cell.duty_id, cell.role_id), ("", 0))
        if version != cell.base_version and letter != cell.letter:
            conflicts.append(CellConflict(cell, letter, version))
    return conflicts


def duty_conflicts(duties: list[DraftDuty], live: dict[int, dict]) -> list[DutyConflict]:
    """The draft's duty changes whose live duty changed, in a field the draft also
    changes, since the draft's change was made."""
    conflicts = []
    for change in duties:
        now = live.get(change.duty_id)
        if now is None:
            continue
        proposed = change.fields()
        changed = [
            name
            for name, value in proposed.items()
            if value != change.base.get(name)
            and now[name] != change.base.get(name)
            and now[name] != value
        ]
        if changed:
            conflicts.append(DutyConflict(change, now))
    return conflicts


def live_cells(cells: list[DraftCell], *, lock: bool = False) -> dict[tuple[int, int], tuple]:
    """{(duty id, role id): (letter, version)} of the live cells under a draft's cells
    (one query; `lock`: SELECT … FOR UPDATE, for publishing)."""
    if not cells:
        return {}
    rows = Assignment.objects.filter(duty_id__in={cell.duty_id for cell in cells})
    if lock:
        rows = rows.select_for_update()
    return {
        (row.duty_id, row.role_id): (row.letter, row.version)
        for row in rows.only("duty_id", "role_id", "letter", "version")
    }


def live_duties(duties: list[DraftDuty], *, lock: bool = False) -> dict[int, dict]:
    if not duties:
        return {}
    rows = Duty.objects.filter(pk__in={change.duty_id for change in duties})
    if lock:
        rows = rows.select_for_update()
    return {
        duty.pk: live_duty_fields(duty)
        for duty in rows.only("pk", "title", "department_id", "project_id", "active")
    }


def conflicts(draft: Draft) -> tuple[list[CellConflict], list[DutyConflict]]:
    cells = draft_cells(draft)
    duties = draft_duties(draft)
    return cell_conflicts(cells, live_cells(cells)), duty_conflicts(duties, live_duties(duties))
