"""Load heatmaps: a department's roles × the letters they hold (with the overload limit
of raci's ROLE_OVERLOADED marked), and departments × departments: the duties one
department owns that roles of another work on, beside the information flows between
them. Each is one aggregate query (two for the pairs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from orgmap.models import Department, Role
from orgmap.selectors import current_holder_exists

from .. import findings_facts, raci
from ..models import Assignment, InformationFlow

LEVELS = 5  # heat-0 … heat-5 in the stylesheet
LETTER_COLUMNS = (raci.A, raci.R, raci.C, raci.I)
# A/R counts as both A and R in the letter columns, and once in the load (as in raci).
_LETTER_FILTERS = {
    raci.A: Q(assignments__letter__in=[raci.A, raci.AR]),
    raci.R: Q(assignments__letter__in=[raci.R, raci.AR]),
    raci.C: Q(assignments__letter=raci.C),
    raci.I: Q(assignments__letter=raci.I),
}
LOAD_BAR_WIDTH = 160


def level(count: int, top: int) -> int:
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(LEVELS, math.ceil(count * LEVELS / top)))


@dataclass(frozen=True)
class Cell:
    letter: str
    count: int
    level: int


@dataclass
class RoleLoadRow:
    role_id: int
    title: str
    active: bool
    vacant: bool
    cells: list[Cell]
    load: int  # A, R or A/R on active duties: what ROLE_OVERLOADED counts
    over: bool
    bar: int = 0  # width of the load bar in the picture
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class RoleHeatmap:
    department: Department
    rows: list[RoleLoadRow]
    limit: int
    scale: int  # the load the bar's full width stands for
    limit_x: int  # where the limit is drawn on the bar

    @property
    def over_count(self) -> int:
        return sum(1 for row in self.rows if row.over)


def role_heatmap(department: Department) -> RoleHeatmap:
    """The roles of a department × their letters on active duties: one query."""
    active_duty = Q(assignments__duty__active=True)
    annotations = {
        f"count_{letter}": Count("assignments", filter=active_duty & condition)
        for letter, condition in _LETTER_FILTERS.items()
    }
    rows = (
        Role.objects.filter(department=department)
        .annotate(
            filled=current_holder_exists(),
            load=Count(
                "assignments",
                filter=active_duty & Q(assignments__letter__in=[raci.A, raci.R, raci.AR]),
            ),
            **annotations,
        )
        .order_by("-active", "title")
        .values("pk", "title", "active", "filled", "load", *annotations)
    )
    limit = findings_facts.overload_limit()
    rows = list(rows)
    top = max([row[f"count_{letter}"] for row in rows for letter in LETTER_COLUMNS] or [0])
    scale = max([row["load"] for row in rows] + [limit + max(1, limit // 3)])
    heatmap_rows = []
    for row in rows:
        counts = {letter: row[f"count_{letter}"] for letter in LETTER_COLUMNS}
        heatmap_rows.append(
            RoleLoadRow(
                role_id=row["pk"],
                title=row["title"],
                active=row["active"],
                vacant=row["active"] and not row["filled"],
                cells=[
                    Cell(letter, counts[letter], level(counts[letter], top))
                    for letter in LETTER_COLUMNS
                ],
                load=row["load"],
                over=row["active"] and row["load"] > limit,
                bar=round(row["load"] * LOAD_BAR_WIDTH / scale),
                counts=counts,
            )
        )
    return RoleHeatmap(
        department=department,
        rows=heatmap_rows,
        limit=limit,
        scale=scale,
        limit_x=round(limit * LOAD_BAR_WIDTH / scale),
    )


@dataclass(frozen=True)
class PairCell:
    shared: int  # duties the row's department owns that the column's roles work on
    flows: int  # active information flows from the row's department to the column's
    level: int
    without_flow: bool  # shared work and no flow either way


@dataclass
class PairHeatmap:
    departments: list[Department]
    rows: list[tuple[Department, list[PairCell | None]]]  # None on the diagonal
    top: int


def department_pairs() -> PairHeatmap:
    """Departments × departments: three queries (departments, shared duties, flows)."""
    departments = list(Department.objects.order_by("name").only("pk", "code", "name"))
    shared = {
        (row["duty__department_id"], row["role__department_id"]): row["count"]
        for row in Assignment.objects.filter(duty__active=True)
        .exclude(role__department_id=F("duty__department_id"))
        .values("duty__department_id", "role__department_id")
        .annotate(count=Count("duty_id", distinct=True))
        .order_by()
    }
    flows = {
        (row["from_department_id"], row["to_department_id"]): row["count"]
        for row in InformationFlow.objects.filter(active=True)
        .values("from_department_id", "to_department_id")
        .annotate(count=Count("pk"))
        .order_by()
    }
    top = max(shared.values() or [0])
    rows = []
    for owner in departments:
        cells: list[PairCell | None] = []
        for other in departments:
            if other.pk == owner.pk:
                cells.append(None)
                continue
            count = shared.get((owner.pk, other.pk), 0)
            flow_count = flows.get((owner.pk, other.pk), 0)
            either_way = flow_count or flows.get((other.pk, owner.pk), 0)
            cells.append(
                PairCell(
                    shared=count,
                    flows=flow_count,
                    level=level(count, top),
                    without_flow=bool(count) and not either_way,
                )
            )
        rows.append((owner, cells))
    return PairHeatmap(departments=departments, rows=rows, top=top)
