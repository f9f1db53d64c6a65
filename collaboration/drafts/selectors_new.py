"""Reads of the duties and roles a draft adds: what they touch (for the approval
scope), and the lists the draft's page shows."""

from __future__ import annotations

from .models import Draft, DraftCell, DraftNewDuty, DraftNewRole


def new_scope(draft: Draft) -> tuple[set[int], set[int]]:
    """(department ids, project ids) the draft's new things touch: a new duty its
    department and project, a new role its department, a letter of a new thing the
    departments (and project) of its live side too. Two queries."""
    departments: set[int] = set()
    projects: set[int] = set()
    for row in draft.new_duties.values("department_id", "project_id"):
        departments.add(row["department_id"])
        projects.add(row["project_id"])
    departments |= set(draft.new_roles.values_list("department_id", flat=True))
    departments.discard(None)
    projects.discard(None)
    return departments, projects


def new_duties(draft: Draft) -> list[DraftNewDuty]:
    return list(draft.new_duties.select_related("department", "project").order_by("title", "pk"))


def new_roles(draft: Draft) -> list[DraftNewRole]:
    return list(draft.new_roles.select_related("department", "reports_to").order_by("title", "pk"))


def new_cells(draft: Draft) -> list[DraftCell]:
    """The draft's letters on cells whose duty or role (or both) it adds."""
    return list(
        draft.cells.exclude(duty__isnull=False, role__isnull=False)
        .select_related(
            "duty__department", "role__department", "new_duty__department", "new_role__department"
        )
        .order_by("pk")
    )
