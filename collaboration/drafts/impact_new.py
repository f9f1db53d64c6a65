"""The duties and roles a draft adds, as the impact reads them (impact.draft_impact).

They take part under synthetic ids, minus their pk (a live id is always positive), as
rows, cells and loads of the same shape as live ones, so that raci's rules judge them
exactly like live duties and roles: a new duty with no A has NO_ACCOUNTABLE, a new
duty with the title of another department's duty is a DUPLICATE_DUTY, a new role with
no letter has ROLE_WITHOUT_DUTIES. A new role has no holder yet (vacant). Two queries
(the new duties, the new roles) whatever their number; the cells come with the
draft's other cells."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from responsibilities import raci

from .models import Draft, DraftCell, DraftNewDuty, DraftNewRole


def is_new(ref: int | None) -> bool:
    """Whether an id of the impact (or of a matrix in a draft) is a new thing's."""
    return ref is not None and ref < 0


def role_ref(new_role: DraftNewRole) -> raci.RoleRef:
    return raci.RoleRef(
        id=new_role.ref,
        title=new_role.title,
        department_id=new_role.department_id,
        department_code=new_role.department.code,
        active=True,
        vacant=True,  # nobody holds a role before it exists
    )


def duty_row(new_duty: DraftNewDuty) -> dict:
    """A new duty as findings_compute.duty_rows() gives a live one."""
    department = new_duty.department
    return {
        "pk": new_duty.ref,
        "title": new_duty.title,
        "department_id": new_duty.department_id,
        "department__code": department.code,
        "department__head_id": department.head_id,
        "project_id": new_duty.project_id,
        "project__code": new_duty.project.code if new_duty.project_id else None,
        "active": True,
        "frequency": "",
        "new": True,
    }


@dataclass
class NewThings:
    duties: list[DraftNewDuty]
    roles: list[DraftNewRole]
    cells: list[DraftCell]  # the draft's cells whose duty or role is new

    def __bool__(self) -> bool:
        return bool(self.duties or self.roles or self.cells)

    @property
    def live_duty_ids(self) -> set[int]:
        """Live duties a new role gets a letter on: their findings change."""
        return {cell.duty_id for cell in self.cells if cell.duty_id}

    def duty_rows(self) -> list[dict]:
        return [duty_row(new_duty) for new_duty in self.duties]

    def role_refs(self) -> dict[int, raci.RoleRef]:
        return {new_role.ref: role_ref(new_role) for new_role in self.roles}

    def cell_rows(self) -> list[dict]:
        """The letters of the cells with a new duty or role, as findings_compute.cells()
        gives live ones. A live role's facts come from the draft's cell query."""
        new_roles = self.role_refs()
        rows = []
        for cell in self.cells:
            if not cell.letter:
                continue
            if cell.role_id:
                role = cell.role
                ref = raci.RoleRef(
                    id=role.pk,
                    title=role.title,
                    department_id=role.department_id,
                    department_code=role.department.code,
                    active=role.active,
                    vacant=not cell.role_filled,
                )
            else:
                ref = new_roles[cell.role_ref]
            rows.append(
                {
                    "duty_id": cell.duty_ref,
                    "role_id": ref.id,
                    "letter": cell.letter,
                    "version": 0,
                    "role__title": ref.title,
                    "role__department_id": ref.department_id,
                    "role__department__code": ref.department_code,
                    "role__active": ref.active,
                    "role_filled": not ref.vacant,
                }
            )
        return rows

    def add_loads(self, live_loads: list, draft_loads: list, deltas: dict) -> None:
        """Every new role's load: none before, its letters in the draft after (a new
        role without any is judged ROLE_WITHOUT_DUTIES)."""
        for ref in self.role_refs().values():
            count, ar = deltas.get(ref.id, (0, 0))
            live_loads.append(raci.RoleLoad(role=ref, assignments=0, accountable_or_responsible=0))
            draft_loads.append(
                raci.RoleLoad(role=ref, assignments=count, accountable_or_responsible=ar)
            )


def read(draft: Draft, cells: Iterable[DraftCell]) -> tuple[list[DraftCell], NewThings]:
    """(the draft's cells of live duties and roles, its new things): the cells are
    split in memory; the new duties and roles are two queries."""
    live, new = [], []
    for cell in cells:
        (live if cell.duty_id and cell.role_id else new).append(cell)
    duties = list(draft.new_duties.select_related("department", "project"))
    roles = list(draft.new_roles.select_related("department"))
    return live, NewThings(duties=duties, roles=roles, cells=new)
