"""Import of a RACI matrix (long or wide), planned whole before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Project, Role

from ... import findings_store, raci, webhook_events
from ...models import Assignment, AssignmentChange, Duty
from ...services import next_versions
from ..sheets import Table, column_letter
from .common import (
    LONG,
    WIDE,
    MayImport,
    Problem,
    _problem_order,
)
from .raci_reader import _Cell, _RaciReader, detect_shape


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


def plan_raci(
    table: Table,
    *,
    department: Department | None = None,
    project: Project | None = None,
    may_import: MayImport | None = None,
    lock: bool = False,
) -> RaciPlan:
    """Check a RACI table against the database and list what an import would do.

    `may_import(department_id, project_id)` says whether the importing user may change
    the duties of that department (or project); None: anyone may (the CLI). `lock`
    takes row locks on the cells to be updated, for an import about to be applied.
    """
    shape = detect_shape(table)
    plan = RaciPlan(shape=shape, rows=len(table.rows), department=department, project=project)
    if department is not None and project is not None:
        plan.problems.append(Problem(None, "", "", _("Give a department or a project, not both.")))
        return plan
    reader = _RaciReader(table, department=department, project=project, may_import=may_import)
    if not table.rows:
        reader.problems.append(
            Problem(table.header_row, "", "", _("The file has a header but no rows."))
        )
    cells = reader.long_cells() if shape == LONG else reader.wide_cells()
    _Resolver(reader, plan, lock=lock).resolve(cells)
    plan.problems = sorted(reader.problems, key=_problem_order)
    plan.warnings = sorted(reader.warnings, key=_problem_order)
    return plan


class _Resolver:
    """Finds each cell's duty (existing or new) and its current letter: two queries."""

    def __init__(self, reader: _RaciReader, plan: RaciPlan, *, lock: bool) -> None:
        self.reader = reader
        self.plan = plan
        self.lock = lock
        self.new_duties: dict[tuple, NewDuty] = {}
        self.duty_rows: dict[tuple, int] = {}  # wide: the row a duty is first on
        self.cell_rows: dict[tuple, tuple[int, str]] = {}  # (duty, role) -> (row, letter)
        self.titles: dict[tuple, tuple[str, int]] = {}  # duty key -> (first spelling, row)
        self.spellings: set[tuple] = set()
        self.title_keys: dict[str, str] = {}
        self.reported: set[tuple[str, int]] = set()  # (kind, row): one problem per row

    def load(self, cells: list[_Cell]) -> None:
        department_ids = {cell.department.pk for cell in cells if cell.department is not None}
        project_ids = {cell.project.pk for cell in cells if cell.project is not None}
        duty_filter = Q(department_id__in=department_ids, project__isnull=True) | Q(
            project_id__in=project_ids
        )
        self.department_duties: dict[tuple[int, str], dict] = {}
        self.project_duties: dict[tuple[int, str], dict] = {}
        for duty in Duty.objects.filter(duty_filter).values(
            "pk", "title", "title_key", "department_id", "project_id"
        ):
            if duty["project_id"] is None:
                self.department_duties[(duty["department_id"], duty["title_key"])] = duty
            else:
                self.project_duties[(duty["project_id"], duty["title_key"])] = duty
        assignments = Assignment.objects.filter(
            duty__in=Duty.objects.filter(duty_filter).values("pk")
        ).only("pk", "duty_id", "role_id", "letter", "version")
        if self.lock:
            # Held until the import commits: a matrix edit of one of these cells waits,
            # then finds a newer version and is refused instead of being overwritten.
            assignments = assignments.select_for_update(of=("self",))
        self.existing = {(a.duty_id, a.role_id): a for a in assignments}

    def once(self, kind: str, cell: _Cell, position: int | None, message: str) -> None:
        if (kind, cell.row) not in self.reported:
            self.reported.add((kind, cell.row))
            self.reader.problem(cell.row, position, message)

    def duty_for(self, cell: _Cell) -> tuple[tuple, dict | None, Department] | None:
        """(duty key, existing duty or None, owning department), or None on a problem."""
        reader = self.reader
        title_key = self.title_keys.get(cell.duty_title)
        if title_key is None:
            # Memoised: in a long file each duty's title comes once per assignment.
            title_key = self.title_keys[cell.duty_title] = raci.duty_identity(cell.duty_title)
        department = cell.department
        if cell.project is None:
            key = ("department", department.pk, title_key)
            return key, self.department_duties.get((department.pk, title_key)), department
        project = cell.project
        key = ("project", project.pk, title_key)
        taking_part = reader.project_departments.get(project.pk, set())
        found = self.project_duties.get((project.pk, title_key))
        if found is not None:
            owner = reader.departments.by_pk[found["department_id"]]
            if department is not None and department.pk != owner.pk:
                self.once(
                    "department",
                    cell,
                    cell.department_position,
                    _("“%(duty)s” of project %(project)s belongs to %(owner)s, not %(department)s.")
                    % {
                        "duty": cell.duty_title,
                        "project": project.code,
                        "owner": owner.code,
                        "department": department.code,
                    },
                )
                return None
            return key, found, owner
        if department is None and len(taking_part) == 1:
            department = reader.departments.by_pk.get(next(iter(taking_part)))
        if department is None:
            self.once(
                "department",
                cell,
                cell.department_position,
                _(
                    "“%(duty)s” is a new duty of project %(project)s: give the department that owns it (a Department column)."
                )
                % {"duty": cell.duty_title, "project": project.code},
            )
            return None
        if department.pk not in taking_part:
            self.once(
                "department",
                cell,
                cell.department_position,
                _("Department %(department)s does not take part in project %(project)s.")
                % {"department": department.code, "project": project.code},
            )
            return None
        return key, None, department

    def allowed(self, cell: _Cell, department: Department) -> bool:
        may_import = self.reader.may_import
        project = cell.project
        if may_import is None or may_import(department.pk, project.pk if project else None):
            return True
        if project is not None:
            message = _(
                "You may not import into project %(project)s: you neither coordinate it nor manage %(department)s."
            ) % {"project": project.code, "department": department.code}
        else:
            message = _(
                "You may not import into department %(department)s: you do not manage it."
            ) % {"department": department.code}
        self.once("permission", cell, cell.department_position, message)
        return False

    def resolve(self, cells: list[_Cell]) -> None:
        self.load(cells)
        plan = self.plan
        for cell in cells:
            resolved = self.duty_for(cell)
            if resolved is None:
                continue
            duty_key, found, department = resolved
            if not self.allowed(cell, department):
                continue
            first_title, first_row = self.titles.setdefault(duty_key, (cell.duty_title, cell.row))
            if (
                plan.shape == LONG  # in a wide file a second spelling is a repeated row
                and first_title != cell.duty_title
                and (duty_key, cell.duty_title) not in self.spellings
            ):
                self.spellings.add((duty_key, cell.duty_title))
                self.reader.warn(
                    cell.row,
                    cell.duty_position,
                    _(
                        "“%(title)s” on row %(first)s is the same duty (titles that differ only in case, spaces or punctuation are one duty); its spelling is kept."
                    )
                    % {"title": first_title, "first": first_row},
                )
            if plan.shape == WIDE:
                first = self.duty_rows.setdefault(duty_key, cell.row)
                if first != cell.row:
                    self.once(
                        "repeated",
                        cell,
                        cell.duty_position,
                        _("The duty “%(duty)s” is repeated: it is already on row %(first)s.")
                        % {"duty": cell.duty_title, "first": first},
                    )
                    continue
            new_duty = None
            if found is None:
                new_duty = self.new_duties.get(duty_key)
                if new_duty is None:
                    new_duty = NewDuty(
                        title=cell.duty_title,
                        title_key=duty_key[2],
                        department=department,
                        project=cell.project,
                        row=cell.row,
                    )
                    self.new_duties[duty_key] = new_duty
            if cell.role is None:
                continue  # a wide row without letters: only the duty
            first_row, first_letter = self.cell_rows.setdefault(
                (duty_key, cell.role.pk), (cell.row, cell.letter)
            )
            if first_row != cell.row:
                values = {
                    "duty": cell.duty_title,
                    "role": cell.role.title,
                    "first": first_row,
                    "letter": raci.LETTER_LABELS[first_letter],
                }
                if first_letter == cell.letter:
                    self.reader.warn(
                        cell.row,
                        cell.letter_position,
                        _("Row %(first)s already gives %(role)s this letter; counted once.")
                        % values,
                    )
                else:
                    self.reader.problem(
                        cell.row,
                        cell.letter_position,
                        _(
                            "Row %(first)s gives %(role)s the letter %(letter)s for the same duty; a cell has one letter."
                        )
                        % values,
                    )
                continue
            current = self.existing.get((found["pk"], cell.role.pk)) if found else None
            if current is not None and current.letter == cell.letter:
                plan.unchanged += 1
                continue
            role_department = self.reader.departments.by_pk.get(cell.role.department_id)
            change = CellChange(
                row=cell.row,
                column=column_letter(cell.letter_position),
                duty_title=found["title"] if found is not None else cell.duty_title,
                department_code=department.code,
                project_code=cell.project.code if cell.project is not None else None,
                role=cell.role,
                role_department_code=role_department.code if role_department else "",
                before=current.letter if current is not None else None,
                after=cell.letter,
                duty_id=found["pk"] if found is not None else None,
                new_duty=new_duty,
                assignment=current,
            )
            (plan.updates if current is not None else plan.creates).append(change)
        plan.new_duties = list(self.new_duties.values())


def apply_raci_plan(plan: RaciPlan, *, by: AbstractBaseUser | None) -> None:
    """Write a valid plan: duties, cells and their history, in bulk.

    Call inside the transaction that made the plan with lock=True, so that the
    versions read are still the versions written over.
    """
    if not plan.valid:
        raise ValueError("A plan with problems cannot be applied.")
    now = timezone.now()
    duties = [
        Duty(
            title=new.title,
            # bulk_create skips Duty.save(), which sets the keys
            title_key=new.title_key,
            match_key=raci.normalise_title(new.title),
            department=new.department,
            project=new.project,
        )
        for new in plan.new_duties
    ]
    Duty.objects.bulk_create(duties, batch_size=500)
    for new, duty in zip(plan.new_duties, duties, strict=True):
        new.instance = duty
    # A cell cleared earlier starts above the versions it had (services.next_versions).
    versions = next_versions(
        [(change.duty_id, change.role.pk) for change in plan.creates if change.duty_id]
    )
    created = [
        Assignment(
            duty_id=change.duty_id or change.new_duty.instance.pk,
            role_id=change.role.pk,
            letter=change.after,
            version=versions.get((change.duty_id, change.role.pk), 1),
            updated_at=now,
            updated_by=by,
        )
        for change in plan.creates
    ]
    Assignment.objects.bulk_create(created, batch_size=1000)
    updated = []
    for change in plan.updates:
        assignment = change.assignment
        assignment.letter = change.after
        # A new version: a matrix edit still holding the old one is refused (409).
        assignment.version += 1
        assignment.updated_at = now
        assignment.updated_by = by
        updated.append(assignment)
    Assignment.objects.bulk_update(
        updated, ["letter", "version", "updated_at", "updated_by"], batch_size=1000
    )
    history = [
        AssignmentChange(
            duty_id=assignment.duty_id,
            role_id=assignment.role_id,
            before=change.before or "",
            after=change.after,
            version=assignment.version,
            changed_at=now,
            changed_by=by,
            source="import",
        )
        for change, assignment in [
            *zip(plan.creates, created, strict=True),
            *zip(plan.updates, updated, strict=True),
        ]
    ]
    AssignmentChange.objects.bulk_create(history, batch_size=1000)
    webhook_events.raci_imported(history, new_duties=duties, by=by)
    # Bulk writes send no signals: refresh the findings of what was written, here.
    findings_store.findings_refresh(
        duty_ids={cell.duty_id for cell in [*created, *updated]} | {duty.pk for duty in duties},
        role_ids={cell.role_id for cell in [*created, *updated]},
        match_keys={duty.match_key for duty in duties},
    )
    plan.applied = True


def raci_import(
    table: Table,
    *,
    department: Department | None = None,
    project: Project | None = None,
    by: AbstractBaseUser | None = None,
    may_import: MayImport | None = None,
    dry_run: bool = False,
) -> RaciPlan:
    """Plan and, unless dry_run or the plan has problems, apply: one transaction."""
    if dry_run:
        return plan_raci(table, department=department, project=project, may_import=may_import)
    try:
        with transaction.atomic():
            plan = plan_raci(
                table, department=department, project=project, may_import=may_import, lock=True
            )
            if plan.valid:
                apply_raci_plan(plan, by=by)
    except IntegrityError:
        # A duty or a cell created by someone else since the plan was made.
        plan.applied = False
        plan.problems.append(
            Problem(
                None,
                "",
                "",
                _(
                    "The matrix changed while the file was being imported; nothing was written. Try again."
                ),
            )
        )
    return plan
