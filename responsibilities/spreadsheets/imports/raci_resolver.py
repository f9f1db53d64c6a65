"""Each cell of a RACI file matched to its duty (existing or new) and its current
letter, into the plan's changes: two queries whatever the file's size."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from orgmap.models import Department

from ... import raci
from ...models import Assignment, Duty
from ..sheets import column_letter
from .common import LONG, WIDE
from .raci_plan import CellChange, NewDuty, RaciPlan
from .raci_reader import _Cell, _RaciReader


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
        for cell in cells:
            resolved = self.duty_for(cell)
            if resolved is None:
                continue
            duty_key, found, department = resolved
            if not self.allowed(cell, department):
                continue
            self.note_spelling(cell, duty_key)
            if self.repeated_duty(cell, duty_key):
                continue
            new_duty = None if found is not None else self.new_duty(cell, duty_key, department)
            if cell.role is None or self.repeated_cell(cell, duty_key):
                continue  # a wide row without letters: only the duty
            self.add_change(cell, found, department, new_duty)
        self.plan.new_duties = list(self.new_duties.values())

    def note_spelling(self, cell: _Cell, duty_key: tuple) -> None:
        """A long file may spell one duty two ways: the first spelling is kept."""
        first_title, first_row = self.titles.setdefault(duty_key, (cell.duty_title, cell.row))
        if (
            self.plan.shape == LONG  # in a wide file a second spelling is a repeated row
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

    def repeated_duty(self, cell: _Cell, duty_key: tuple) -> bool:
        """A wide file has one row per duty."""
        if self.plan.shape != WIDE:
            return False
        first = self.duty_rows.setdefault(duty_key, cell.row)
        if first == cell.row:
            return False
        self.once(
            "repeated",
            cell,
            cell.duty_position,
            _("The duty “%(duty)s” is repeated: it is already on row %(first)s.")
            % {"duty": cell.duty_title, "first": first},
        )
        return True

    def new_duty(self, cell: _Cell, duty_key: tuple, department: Department) -> NewDuty:
        new_duty = self.new_duties.get(duty_key)
        if new_duty is None:
            new_duty = self.new_duties[duty_key] = NewDuty(
                title=cell.duty_title,
                title_key=duty_key[2],
                department=department,
                project=cell.project,
                row=cell.row,
            )
        return new_duty

    def repeated_cell(self, cell: _Cell, duty_key: tuple) -> bool:
        """A cell given twice: counted once with the same letter, refused with another."""
        first_row, first_letter = self.cell_rows.setdefault(
            (duty_key, cell.role.pk), (cell.row, cell.letter)
        )
        if first_row == cell.row:
            return False
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
                _("Row %(first)s already gives %(role)s this letter; counted once.") % values,
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
        return True

    def add_change(
        self, cell: _Cell, found: dict | None, department: Department, new_duty: NewDuty | None
    ) -> None:
        plan = self.plan
        current = self.existing.get((found["pk"], cell.role.pk)) if found else None
        if current is not None and current.letter == cell.letter:
            plan.unchanged += 1
            return
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
