"""What a RACI import would do: the plan, the duties it creates and the cells it sets."""

from __future__ import annotations

from dataclasses import dataclass, field

from orgmap.models import Department, Project, Role

from ... import raci
from ...models import Assignment, Duty
from .common import Problem


@dataclass
class NewDuty:
    title: str
    title_key: str
    department: Department
    project: Project | None
    row: int
    instance: Duty | None = None


@dataclass
class CellChange:
    row: int
    column: str
    duty_title: str
    department_code: str
    project_code: str | None
    role: Role
    role_department_code: str
    before: str | None
    after: str
    duty_id: int | None = None  # None: a duty this import creates (new_duty)
    new_duty: NewDuty | None = None
    assignment: Assignment | None = None  # the cell being updated

    @property
    def before_label(self) -> str:
        return raci.LETTER_LABELS.get(self.before or "", "")

    @property
    def after_label(self) -> str:
        return raci.LETTER_LABELS[self.after]


@dataclass
class RaciPlan:
    shape: str
    rows: int
    department: Department | None = None
    project: Project | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    new_duties: list[NewDuty] = field(default_factory=list)
    creates: list[CellChange] = field(default_factory=list)
    updates: list[CellChange] = field(default_factory=list)
    unchanged: int = 0
    applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return bool(self.new_duties or self.creates or self.updates)

    @property
    def changes(self) -> list[CellChange]:
        return sorted(self.creates + self.updates, key=lambda change: (change.row, change.column))

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "duties_created": len(self.new_duties),
            "assignments_created": len(self.creates),
            "assignments_updated": len(self.updates),
            "assignments_unchanged": self.unchanged,
        }
