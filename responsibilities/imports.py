"""Imports of a RACI matrix and of people, from CSV or XLSX.

Each import runs in three steps, kept apart so that a preview shows exactly what a
confirmation will do:

1. read: spreadsheets.read_table() turns bytes into a Table, or refuses the file;
2. plan: the table is checked against the database, loaded once into dicts (a constant
   number of queries whatever the file's size); the plan lists what would be created
   and changed, and every problem by row and column;
3. apply: only a plan without problems is written, in one transaction, in bulk.

Nothing is ever deleted: a cell, a person or a holding absent from the file is left
as it is. docs/import-export.md describes the formats.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboration.models import Project
from orgmap.models import Department, Profile, Role, RoleHolder

from . import raci
from .models import Assignment, AssignmentChange, Duty
from .spreadsheets import SheetRow, Table, column_letter

LONG = "long"
WIDE = "wide"

DUTY_TITLE_MAX = Duty._meta.get_field("title").max_length
ROLE_TITLE_MAX = Role._meta.get_field("title").max_length
DEPARTMENT_NAME_MAX = Department._meta.get_field("name").max_length
DEPARTMENT_CODE_MAX = Department._meta.get_field("code").max_length

# Header names, compared after _header_key(); the Chinese ones are what a zh-hans user
# of the exported template is likely to type.
DEPARTMENT_HEADERS = {"department", "部门"}
PROJECT_HEADERS = {"project", "项目"}
LONG_MARKERS = {"role", "letter", "role_department", "角色"}

MayImport = Callable[[int, int | None], bool]


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _clean(text: str) -> str:
    """Whitespace collapsed, as the forms store titles."""
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _clean(unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported, where it is in the file."""

    row: int | None
    column: str  # spreadsheet column letter; "" when about the file or a whole row
    field: str  # that column's header, as written in the file
    message: str

    def location(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where = _("column %(column)s") % {"column": self.column}
            if self.field:
                where += f" ({self.field})"
            parts.append(where)
        elif self.field:
            parts.append(_("column “%(field)s”") % {"field": self.field})
        return ", ".join(parts)

    def __str__(self) -> str:
        location = self.location()
        return f"{location}: {self.message}" if location else self.message


class _Columns:
    """The header of a table, for naming problems by column."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.index: dict[str, int] = {}
        for position, text in enumerate(table.header):
            self.index.setdefault(_header_key(text), position)

    def find(self, *names: str) -> int | None:
        for name in names:
            if name in self.index:
                return self.index[name]
        return None

    def problem(self, row: int | None, position: int | None, message: str) -> Problem:
        if position is None:
            return Problem(row, "", "", message)
        header = self.table.header[position] if position < len(self.table.header) else ""
        return Problem(row, column_letter(position), header, message)


class _Departments:
    """Every department, found by code first, then by name (both case-insensitive)."""

    def __init__(self, departments: list[Department]) -> None:
        self.by_pk = {department.pk: department for department in departments}
        self.by_code = {_fold(department.code): department for department in departments}
        self.by_name: dict[str, list[Department]] = defaultdict(list)
        for department in departments:
            self.by_name[_fold(department.name)].append(department)

    def find(self, text: str) -> tuple[Department | None, str | None]:
        """(department, None) or (None, the problem)."""
        key = _fold(text)
        if key in self.by_code:
            return self.by_code[key], None
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, _(
                "Several departments are named “%(name)s”; write the code instead (%(codes)s)."
            ) % {"name": text, "codes": ", ".join(sorted(d.code for d in named))}
        return None, _(
            "Unknown department “%(name)s”: write the code (e.g. %(example)s) or the exact name of an existing department."
        ) % {
            "name": text,
            "example": next(iter(self.by_pk.values())).code if self.by_pk else "SALES",
        }


# ====================================================================== RACI


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


@dataclass
class _Cell:
    """One letter read from the file, before its duty and role are known."""

    row: int
    letter_position: int
    duty_title: str
    duty_position: int
    department: Department | None  # None: to be found from the duty (project rows)
    department_position: int | None
    project: Project | None
    role: Role | None  # None (and no letter): the duty row itself, in a wide file
    letter: str | None


def detect_shape(table: Table) -> str:
    keys = [_header_key(text) for text in table.header]
    if keys and (keys[0] in DEPARTMENT_HEADERS or LONG_MARKERS & set(keys)):
        return LONG
    return WIDE


class _RaciReader:
    """Turns a table into cells, checking everything but the duties and the cells."""

    def __init__(
        self,
        table: Table,
        *,
        department: Department | None,
        project: Project | None,
        may_import: MayImport | None,
    ) -> None:
        self.table = table
        self.columns = _Columns(table)
        self.target_department = department
        self.target_project = project
        self.may_import = may_import
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # shown, but no reason to refuse the file
        self.departments = _Departments(
            list(Department.objects.only("pk", "code", "name").order_by("code"))
        )
        self.projects = {_fold(p.code): p for p in Project.objects.only("pk", "code", "name")}
        self.roles: dict[tuple[int, str], Role] = {}
        self.roles_by_title: dict[str, list[Role]] = defaultdict(list)
        for role in Role.objects.only("pk", "title", "department_id", "active"):
            self.roles[(role.department_id, _fold(role.title))] = role
            self.roles_by_title[_fold(role.title)].append(role)
        project_ids = [project.pk] if project is not None else []
        self.project_departments: dict[int, set[int]] = defaultdict(set)
        through = Project.departments.through.objects
        rows = through.all() if project is None else through.filter(project_id__in=project_ids)
        for project_id, department_id in rows.values_list("project_id", "department_id"):
            self.project_departments[project_id].add(department_id)

    def problem(self, row: int | None, position: int | None, message: str) -> None:
        self.problems.append(self.columns.problem(row, position, message))

    def warn(self, row: int | None, position: int | None, message: str) -> None:
        self.warnings.append(self.columns.problem(row, position, message))

    # -------------------------------------------------------------- shared checks

    def row_department(self, row: SheetRow, position: int | None) -> tuple[Department | None, bool]:
        """The department a row names (or the target's); (None, True) on a problem."""
        text = row.get(position)
        target = self.target_department
        if not text:
            if target is not None:
                return target, False
            if self.target_project is None:
                self.problem(row.number, position, _("Give the department of the duty."))
                return None, True
            return None, False  # a project duty: found from the duty, or required later
        department, message = self.departments.find(text)
        if department is None:
            self.problem(row.number, position, message)
            return None, True
        if target is not None and department.pk != target.pk:
            self.problem(
                row.number,
                position,
                _("This import is for department %(target)s, but the row is for %(department)s.")
                % {"target": target.code, "department": department.code},
            )
            return None, True
        return department, False

    def row_project(self, row: SheetRow, position: int | None) -> tuple[Project | None, bool]:
        text = row.get(position)
        target = self.target_project
        if not text:
            return target, False
        project = self.projects.get(_fold(text))
        if project is None:
            self.problem(row.number, position, _("Unknown project “%(code)s”.") % {"code": text})
            return None, True
        if target is not None and project.pk != target.pk:
            self.problem(
                row.number,
                position,
                _("This import is for project %(target)s, but the row is for %(project)s.")
                % {"target": target.code, "project": project.code},
            )
            return None, True
        return project, False

    def duty_title(self, row: SheetRow, position: int) -> str | None:
        title = _clean(row.get(position))
        if not title:
            self.problem(row.number, position, _("The duty has no title."))
            return None
        if len(title) > DUTY_TITLE_MAX:
            self.problem(
                row.number,
                position,
                _("The duty title is %(length)s characters long; the longest allowed is %(max)s.")
                % {"length": len(title), "max": DUTY_TITLE_MAX},
            )
            return None
        return title

    def letter(self, row: SheetRow, position: int) -> tuple[str | None, bool]:
        try:
            return raci.parse_letter(row.get(position)), False
        except ValueError as error:
            self.problem(row.number, position, str(error))
            return None, True

    # -------------------------------------------------------------- long

    def long_cells(self) -> list[_Cell]:
        find = self.columns.find
        positions = {
            "department": find("department", "部门"),
            "duty": find("duty", "职责"),
            "role": find("role", "角色"),
            "role_department": find("role_department"),
            "letter": find("letter", "raci"),
            "project": find("project", "项目"),
        }
        required = ["duty", "role", "letter"]
        if self.target_department is None and self.target_project is None:
            required.insert(0, "department")
        missing = [name for name in required if positions[name] is None]
        for name in missing:
            self.problems.append(
                Problem(
                    self.table.header_row,
                    "",
                    name,
                    _(
                        "The column “%(name)s” is missing. A file with one row per assignment needs the columns %(columns)s."
                    )
                    % {"name": name, "columns": ", ".join(required)},
                )
            )
        if missing:
            return []
        cells = []
        for row in self.table.rows:
            failed = False
            title = self.duty_title(row, positions["duty"])
            failed |= title is None
            department, bad = self.row_department(row, positions["department"])
            failed |= bad
            project, bad = self.row_project(row, positions["project"])
            failed |= bad
            letter, bad = self.letter(row, positions["letter"])
            failed |= bad
            if letter is None and not bad:
                self.problem(
                    row.number,
                    positions["letter"],
                    _("No letter: write R, A, C, I or A/R."),
                )
                failed = True
            role = self.long_role(row, positions["role"], positions["role_department"], department)
            failed |= role is None
            if failed:
                continue
            cells.append(
                _Cell(
                    row=row.number,
                    letter_position=positions["letter"],
                    duty_title=title,
                    duty_position=positions["duty"],
                    department=department,
                    department_position=positions["department"],
                    project=project,
                    role=role,
                    letter=letter,
                )
            )
        return cells

    def long_role(
        self,
        row: SheetRow,
        position: int,
        department_position: int | None,
        duty_department: Department | None,
    ) -> Role | None:
        title = _clean(row.get(position))
        if not title:
            self.problem(row.number, position, _("Give the role."))
            return None
        department_text = row.get(department_position)
        if department_text:
            department, message = self.departments.find(department_text)
            if department is None:
                self.problem(row.number, department_position, message)
                return None
        elif duty_department is not None:
            department = duty_department
        else:
            return self.unqualified_role(row.number, position, title)
        role = self.roles.get((department.pk, _fold(title)))
        if role is None:
            self.problem(
                row.number,
                position,
                _("Unknown role: department %(department)s has no role “%(role)s”.")
                % {"department": department.code, "role": title},
            )
        return role

    def unqualified_role(self, row: int, position: int, title: str) -> Role | None:
        """A role written without its department: one of the target's, or unique."""
        key = _fold(title)
        if self.target_department is not None:
            role = self.roles.get((self.target_department.pk, key))
            if role is None:
                self.problem(
                    row,
                    position,
                    _("Unknown role: department %(department)s has no role “%(role)s”.")
                    % {"department": self.target_department.code, "role": title},
                )
            return role
        candidates = self.roles_by_title.get(key, [])
        if self.target_project is not None:
            allowed = self.project_departments.get(self.target_project.pk, set())
            candidates = [role for role in candidates if role.department_id in allowed]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            codes = sorted(self.departments.by_pk[role.department_id].code for role in candidates)
            self.problem(
                row,
                position,
                _(
                    "Several departments have a role “%(role)s” (%(codes)s): write it as “%(role)s (CODE)”."
                )
                % {"role": title, "codes": ", ".join(codes)},
            )
        elif self.target_project is not None:
            self.problem(
                row,
                position,
                _("Unknown role: no department of project %(project)s has a role “%(role)s”.")
                % {"project": self.target_project.code, "role": title},
            )
        else:
            self.problem(row, position, _("Unknown role “%(role)s”.") % {"role": title})
        return None

    # -------------------------------------------------------------- wide

    def wide_header(self) -> tuple[int | None, int | None, dict[int, Role] | None]:
        header = self.table.header
        department_position = project_position = None
        position = 1
        while position < len(header) and position <= 2:
            key = _header_key(header[position])
            if key in DEPARTMENT_HEADERS and department_position is None:
                department_position = position
            elif key in PROJECT_HEADERS and project_position is None:
                project_position = position
            else:
                break
            position += 1
        if (
            self.target_department is None
            and self.target_project is None
            and department_position is None
        ):
            self.problems.append(
                Problem(
                    None,
                    "",
                    "",
                    _(
                        "This file has one column per role (the wide layout): choose the department or the project it belongs to."
                    ),
                )
            )
            return department_position, project_position, None
        roles: dict[int, Role] = {}
        seen: dict[int, int] = {}
        row = self.table.header_row
        first_role = position
        for position in range(first_role, len(header)):
            text = _clean(header[position])
            if not text:
                if any(r.get(position) for r in self.table.rows):
                    self.problem(row, position, _("This column has letters but no role title."))
                continue
            role = self.header_role(row, position, text)
            if role is None:
                continue
            if role.pk in seen:
                self.problem(
                    row,
                    position,
                    _("The role “%(role)s” is already in column %(column)s.")
                    % {"role": text, "column": column_letter(seen[role.pk])},
                )
                continue
            seen[role.pk] = position
            roles[position] = role
        return department_position, project_position, roles

    def header_role(self, row: int, position: int, text: str) -> Role | None:
        """A role header: "Title" or "Title (department code or name)"."""
        qualified = re.fullmatch(r"(?P<title>.+?)\s*\((?P<department>[^()]+)\)", text)
        if qualified:
            department, _message = self.departments.find(qualified["department"])
            if department is not None:
                role = self.roles.get((department.pk, _fold(qualified["title"])))
                if role is not None:
                    return role
                # Maybe the parentheses are part of a title of the default department.
                whole = self._quiet_unqualified(text)
                if whole is not None:
                    return whole
                self.problem(
                    row,
                    position,
                    _("Unknown role: department %(department)s has no role “%(role)s”.")
                    % {"department": department.code, "role": qualified["title"]},
                )
                return None
            whole = self._quiet_unqualified(text)
            if whole is not None:
                return whole
            self.problem(
                row,
                position,
                _("Unknown role “%(role)s”: there is no department “%(department)s”.")
                % {"role": text, "department": qualified["department"]},
            )
            return None
        return self.unqualified_role(row, position, text)

    def _quiet_unqualified(self, text: str) -> Role | None:
        before = len(self.problems)
        role = self.unqualified_role(0, 0, text)
        del self.problems[before:]
        return role

    def wide_cells(self) -> list[_Cell]:
        department_position, project_position, roles = self.wide_header()
        if roles is None:
            return []  # the layout cannot be read without a department or project
        # Letters are checked in every titled column, also under a role that is unknown.
        letter_positions = [
            position
            for position in range(1, len(self.table.header))
            if position not in (department_position, project_position)
            and _clean(self.table.header[position])
        ]
        cells = []
        for row in self.table.rows:
            title = self.duty_title(row, 0)
            department, bad_department = self.row_department(row, department_position)
            project, bad_project = self.row_project(row, project_position)
            letters: list[tuple[int, str]] = []
            for position in letter_positions:
                letter, _bad = self.letter(row, position)
                if letter is not None and position in roles:
                    letters.append((position, letter))
            if title is None or bad_department or bad_project:
                continue
            common = {
                "row": row.number,
                "duty_title": title,
                "duty_position": 0,
                "department": department,
                "department_position": department_position,
                "project": project,
            }
            # The duty itself, also for a row without letters (it creates the duty) and
            # for a row whose letters have problems (so that a repeat of it is found).
            cells.append(_Cell(letter_position=0, role=None, letter=None, **common))
            for position, letter in letters:
                cells.append(
                    _Cell(letter_position=position, role=roles[position], letter=letter, **common)
                )
        return cells


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


def _problem_order(problem: Problem) -> tuple:
    return (problem.row or 0, len(problem.column), problem.column)


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
    created = [
        Assignment(
            duty_id=change.duty_id or change.new_duty.instance.pk,
            role_id=change.role.pk,
            letter=change.after,
            version=1,
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


# ====================================================================== people

PEOPLE_COLUMNS = ("email", "name", "department", "role")
PEOPLE_OPTIONAL_COLUMNS = ("parent_department", "manager_email", "active")
_YES = {"yes", "y", "true", "1", "active", "是"}
_NO = {"no", "n", "false", "0", "inactive", "否"}


def department_code_for(name: str, taken: set[str]) -> str:
    """A readable code for a new department: the significant words of its name,
    upper-cased and joined by hyphens, as many as fit ("Architecture and
    Engineering" → ARCHITECTURE-ENGINEERING); -2, -3 … when already taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [w.upper() for w in re.split(r"[^A-Za-z0-9]+", ascii_name) if w]
    words = [w for w in words if w not in {"AND", "OF", "THE", "FOR"}] or words
    room = DEPARTMENT_CODE_MAX - 3  # keep room for a "-NN" suffix
    code = ""
    for word in words:
        candidate = f"{code}-{word}" if code else word[:room]
        if len(candidate) > room:
            break
        code = candidate
    code = code or "DEPT"  # e.g. a name in Chinese characters only
    unique, counter = code, 2
    while unique.casefold() in taken:
        unique, counter = f"{code}-{counter}", counter + 1
    taken.add(unique.casefold())
    return unique


def username_for(email: str, taken: set[str]) -> str | None:
    """The part of the address before the @ when it is free, else the whole address."""
    local = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0].casefold())
    for candidate in (local, email.casefold()):
        if candidate and len(candidate) <= 150 and candidate not in taken:
            taken.add(candidate)
            return candidate
    return None


@dataclass
class PersonEntry:
    email: str
    name: str
    row: int
    user: AbstractBaseUser | None = None  # an existing account, or the one to create
    username: str = ""
    created: bool = False
    renamed_from: str | None = None


@dataclass
class PeoplePlan:
    rows: int
    problems: list[Problem] = field(default_factory=list)
    new_departments: list[Department] = field(default_factory=list)
    parent_changes: list[tuple[Department, Department]] = field(default_factory=list)
    new_roles: list[Role] = field(default_factory=list)
    active_changes: list[tuple[Role, bool]] = field(default_factory=list)
    manager_changes: list[tuple[Role, Role]] = field(default_factory=list)
    new_people: list[PersonEntry] = field(default_factory=list)
    renamed_people: list[PersonEntry] = field(default_factory=list)
    new_holdings: list[tuple[Role, PersonEntry]] = field(default_factory=list)
    vacant_rows: int = 0
    # Changes to what exists already, counted when planned (new departments and roles
    # get their parent, manager and flag when they are created).
    departments_moved: int = 0
    roles_updated: int = 0
    applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.new_departments,
                self.parent_changes,
                self.new_roles,
                self.active_changes,
                self.manager_changes,
                self.new_people,
                self.renamed_people,
                self.new_holdings,
            )
        )

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "departments_created": len(self.new_departments),
            "departments_moved": self.departments_moved,
            "roles_created": len(self.new_roles),
            "roles_updated": self.roles_updated,
            "people_created": len(self.new_people),
            "people_renamed": len(self.renamed_people),
            "holdings_created": len(self.new_holdings),
            "open_positions": self.vacant_rows,
        }


def _parse_active(text: str) -> bool | str | None:
    key = text.strip().casefold()
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    return "invalid"


class _PeoplePlanner:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = _Columns(table)
        self.plan = PeoplePlan(rows=len(table.rows))
        # Everything the checks need, loaded once: five queries whatever the file's size.
        departments = list(Department.objects.only("pk", "code", "name", "parent_id", "head_id"))
        self.departments = _Departments(departments)
        self.taken_codes = {_fold(d.code) for d in departments}
        self.parents: dict[int, int | None] = {d.pk: d.parent_id for d in departments}
        self.roles: dict[tuple[int, str], Role] = {
            (role.department_id, _fold(role.title)): role
            for role in Role.objects.only("pk", "title", "department_id", "active", "reports_to_id")
        }
        User = get_user_model()
        self.users_by_email: dict[str, list] = defaultdict(list)
        self.taken_usernames: set[str] = set()
        for user in User.objects.only("pk", User.USERNAME_FIELD, "email"):
            self.taken_usernames.add(user.get_username().casefold())
            if user.email:
                self.users_by_email[user.email.casefold()].append(user)
        self.display_names = dict(Profile.objects.values_list("user_id", "display_name"))
        self.holdings: dict[int, list[int]] = defaultdict(list)  # person -> roles held now
        # Holdings not yet ended, future ones included: the database allows one per role and person.
        not_ended = Q(until__isnull=True) | Q(until__gt=timezone.localdate())
        for role_id, person_id in RoleHolder.objects.filter(not_ended).values_list(
            "role_id", "person_id"
        ):
            self.holdings[person_id].append(role_id)
        self.roles_by_pk = {role.pk: role for role in self.roles.values()}
        self.heads = {d.head_id for d in departments if d.head_id}
        # What the file asks for, keyed so that a second mention is checked against the first.
        self.new_departments: dict[str, Department] = {}  # folded name -> unsaved department
        self.parent_of: dict[int, tuple[Department, int]] = {}  # id(department) -> (parent, row)
        self.active_of: dict[int, tuple[bool, int]] = {}  # id(role) -> (active, row)
        # id(role) -> (manager email, row, the manager's role)
        self.manager_of: dict[int, tuple[str, int, Role]] = {}
        self.people: dict[str, PersonEntry] = {}
        self.file_roles: dict[str, list[Role]] = defaultdict(list)  # email -> roles in the file
        self.holding_keys: set[tuple[int, str]] = set()
        self.new_roles: dict[tuple[int, str], Role] = {}

    def problem(self, row: int | None, position: int | None, message: str) -> None:
        self.plan.problems.append(self.columns.problem(row, position, message))

    # -------------------------------------------------------------- lookups

    def department(self, text: str, *, create: bool) -> Department | None:
        existing, _message = self.departments.find(text)
        if existing is not None:
            return existing
        key = _fold(text)
        if key in self.new_departments:
            return self.new_departments[key]
        if not create:
            return None
        department = Department(
            name=_clean(text), code=department_code_for(_clean(text), self.taken_codes)
        )
        self.new_departments[key] = department
        return department

    def role(self, department: Department, title: str) -> Role:
        key = (id(department) if department.pk is None else department.pk, _fold(title))
        if department.pk is not None and (department.pk, _fold(title)) in self.roles:
            return self.roles[(department.pk, _fold(title))]
        if key not in self.new_roles:
            self.new_roles[key] = Role(department=department, title=_clean(title))
        return self.new_roles[key]

    # -------------------------------------------------------------- rows

    def run(self) -> PeoplePlan:
        positions = {name: self.columns.find(name) for name in PEOPLE_COLUMNS}
        positions |= {name: self.columns.find(name) for name in PEOPLE_OPTIONAL_COLUMNS}
        missing = [name for name in PEOPLE_COLUMNS if positions[name] is None]
        for name in missing:
            self.plan.problems.append(
                Problem(
                    self.table.header_row,
                    "",
                    name,
                    _(
                        "The column “%(name)s” is missing. A people file needs the columns %(columns)s."
                    )
                    % {"name": name, "columns": ", ".join(PEOPLE_COLUMNS)},
                )
            )
        if missing:
            return self.plan
        if not self.table.rows:
            self.problem(self.table.header_row, None, _("The file has a header but no rows."))
        rows = [(row, self.read_row(row, positions)) for row in self.table.rows]
        # Managers are resolved after every row is read: a manager may appear further down.
        for row, role in rows:
            if role is not None and row.get(positions["manager_email"]):
                self.manager(row, positions["manager_email"], role)
        self.check_parent_cycles()
        self.check_manager_cycles()
        self.finish()
        self.plan.problems.sort(key=_problem_order)
        return self.plan

    def read_row(self, row: SheetRow, positions: dict[str, int | None]) -> Role | None:
        failed = False
        email = row.get(positions["email"]).strip()
        name = _clean(row.get(positions["name"]))
        department_text = _clean(row.get(positions["department"]))
        title = _clean(row.get(positions["role"]))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.problem(
                    row.number,
                    positions["email"],
                    _("“%(email)s” is not a valid email address.") % {"email": email},
                )
                failed = True
        elif name:
            self.problem(
                row.number,
                positions["email"],
                _(
                    "%(name)s has no email address: give one, or leave the name empty for an open position."
                )
                % {"name": name},
            )
            failed = True
        if not department_text:
            self.problem(row.number, positions["department"], _("Give the department."))
            failed = True
        elif len(department_text) > DEPARTMENT_NAME_MAX:
            self.problem(
                row.number,
                positions["department"],
                _("The department name is longer than %(max)s characters.")
                % {"max": DEPARTMENT_NAME_MAX},
            )
            failed = True
        if not title:
            self.problem(row.number, positions["role"], _("Give the role."))
            failed = True
        elif len(title) > ROLE_TITLE_MAX:
            self.problem(
                row.number,
                positions["role"],
                _("The role title is longer than %(max)s characters.") % {"max": ROLE_TITLE_MAX},
            )
            failed = True
        active = _parse_active(row.get(positions["active"]))
        if active == "invalid":
            self.problem(
                row.number,
                positions["active"],
                _("“%(value)s” is not yes or no.") % {"value": row.get(positions["active"])},
            )
            failed = True
        manager_email = row.get(positions["manager_email"]).strip()
        if manager_email:
            try:
                validate_email(manager_email)
            except ValidationError:
                self.problem(
                    row.number,
                    positions["manager_email"],
                    _("“%(email)s” is not a valid email address.") % {"email": manager_email},
                )
                failed = True
        parent_text = _clean(row.get(positions["parent_department"]))
        if failed:
            return None

        department = self.department(department_text, create=True)
        if parent_text:
            self.parent(row, positions["parent_department"], department, parent_text)
        role = self.role(department, title)
        if active is not None:
            first = self.active_of.setdefault(id(role), (active, row.number))
            if first[0] != active:
                self.problem(
                    row.number,
                    positions["active"],
                    _("Row %(first)s says this role is %(other)s.")
                    % {"first": first[1], "other": _("active") if first[0] else _("inactive")},
                )
        if not email:
            self.plan.vacant_rows += 1
            return role
        person = self.person(row, positions, email, name)
        if person is None:
            return role
        self.file_roles[email.casefold()].append(role)
        key = (id(role), email.casefold())
        if key not in self.holding_keys:
            self.holding_keys.add(key)
            held_now = (
                person.user is not None
                and person.user.pk is not None
                and role.pk is not None
                and role.pk in self.holdings.get(person.user.pk, ())
            )
            if not held_now:
                self.plan.new_holdings.append((role, person))
        return role

    def person(
        self, row: SheetRow, positions: dict[str, int | None], email: str, name: str
    ) -> PersonEntry | None:
        key = email.casefold()
        entry = self.people.get(key)
        if entry is not None:
            if name and entry.name and name != entry.name:
                self.problem(
                    row.number,
                    positions["name"],
                    _("%(email)s is named “%(other)s” on row %(first)s; one person has one name.")
                    % {"email": email, "other": entry.name, "first": entry.row},
                )
                return None
            return entry
        accounts = self.users_by_email.get(key, [])
        if len(accounts) > 1:
            self.problem(
                row.number,
                positions["email"],
                _("Several accounts have the address %(email)s (%(usernames)s); fix that first.")
                % {
                    "email": email,
                    "usernames": ", ".join(sorted(a.get_username() for a in accounts)),
                },
            )
            return None
        entry = PersonEntry(email=email, name=name, row=row.number)
        if accounts:
            entry.user = accounts[0]
            entry.username = entry.user.get_username()
            current = self.display_names.get(entry.user.pk, "")
            if name and name != current:
                entry.renamed_from = current
                self.plan.renamed_people.append(entry)
        else:
            username = username_for(email, self.taken_usernames)
            if username is None:
                self.problem(
                    row.number,
                    positions["email"],
                    _("No free username can be made from %(email)s.") % {"email": email},
                )
                return None
            entry.username = username
            entry.created = True
            self.plan.new_people.append(entry)
        self.people[key] = entry
        return entry

    def parent(
        self, row: SheetRow, position: int | None, department: Department, text: str
    ) -> None:
        parent = self.department(text, create=False)
        if parent is None:
            self.problem(
                row.number,
                position,
                _(
                    "Unknown parent department “%(name)s”: it is neither an existing department nor one in this file."
                )
                % {"name": text},
            )
            return
        if parent is department:
            self.problem(row.number, position, _("A department cannot be its own parent."))
            return
        first = self.parent_of.setdefault(id(department), (parent, row.number))
        if first[0] is not parent:
            self.problem(
                row.number,
                position,
                _("Row %(first)s puts %(department)s under %(other)s.")
                % {"first": first[1], "department": department.name, "other": first[0].name},
            )

    def manager(self, row: SheetRow, position: int | None, role: Role) -> None:
        email = row.get(position).strip()
        key = email.casefold()
        # The roles the person holds: in the file (once each), then already in orgmap.
        candidates: list[Role] = list({id(r): r for r in self.file_roles.get(key, [])}.values())
        accounts = self.users_by_email.get(key, [])
        if len(accounts) == 1:
            for role_id in self.holdings.get(accounts[0].pk, ()):
                held = self.roles_by_pk.get(role_id)
                if held is not None and held not in candidates:
                    candidates.append(held)
        if not candidates:
            message = (
                _("%(email)s holds no role, so nobody can report to them.")
                if key in self.people or accounts
                else _("No person with the address %(email)s, in this file or in orgmap.")
            )
            self.problem(row.number, position, message % {"email": email})
            return
        if len(candidates) > 1:
            heads = [r for r in candidates if r.pk is not None and r.pk in self.heads]
            if len(heads) != 1:
                self.problem(
                    row.number,
                    position,
                    _(
                        "%(email)s holds several roles (%(roles)s); which one is the manager is unclear."
                    )
                    % {"email": email, "roles": ", ".join(r.title for r in candidates)},
                )
                return
            candidates = heads
        manager_role = candidates[0]
        if manager_role is role:
            self.problem(row.number, position, _("A role cannot report to itself."))
            return
        first = self.manager_of.setdefault(id(role), (email, row.number, manager_role))
        if first[2] is not manager_role:
            self.problem(
                row.number,
                position,
                _("Row %(first)s says this role reports to %(other)s.")
                % {"first": first[1], "other": first[0]},
            )

    # -------------------------------------------------------------- whole-file checks

    def check_parent_cycles(self) -> None:
        def parent_of(department: Department) -> Department | None:
            if id(department) in self.parent_of:
                return self.parent_of[id(department)][0]
            if department.pk is None or self.parents.get(department.pk) is None:
                return None
            return self.departments.by_pk.get(self.parents[department.pk])

        departments = {id(d): d for d in self.departments.by_pk.values()}
        departments |= {id(d): d for d in self.new_departments.values()}
        position = self.columns.find("parent_department")
        for key, (_parent, row) in self.parent_of.items():
            department, seen, current = departments[key], set(), departments[key]
            while current is not None and id(current) not in seen:
                seen.add(id(current))
                current = parent_of(current)
                if current is department:
                    self.problem(
                        row,
                        position,
                        _("This would put %(department)s under itself (a loop of parents).")
                        % {"department": department.name},
                    )
                    break

    def check_manager_cycles(self) -> None:
        def manager_of(role: Role) -> Role | None:
            if id(role) in self.manager_of:
                return self.manager_of[id(role)][2]
            return self.roles_by_pk.get(role.reports_to_id) if role.reports_to_id else None

        roles = {id(r): r for r in self.roles.values()} | {
            id(r): r for r in self.new_roles.values()
        }
        position = self.columns.find("manager_email")
        for key, (_email, row, _manager) in self.manager_of.items():
            role, seen, current = roles[key], set(), roles[key]
            while current is not None and id(current) not in seen:
                seen.add(id(current))
                current = manager_of(current)
                if current is role:
                    self.problem(
                        row,
                        position,
                        _("This would make %(role)s report to itself (a loop of managers).")
                        % {"role": role.title},
                    )
                    break

    def finish(self) -> None:
        plan = self.plan
        plan.new_departments = list(self.new_departments.values())
        departments = {id(d): d for d in self.departments.by_pk.values()}
        departments |= {id(d): d for d in plan.new_departments}
        for key, (parent, _row) in self.parent_of.items():
            department = departments[key]
            if department.pk is None or self.parents.get(department.pk) != parent.pk:
                plan.parent_changes.append((department, parent))
        plan.new_roles = list(self.new_roles.values())
        roles = {id(r): r for r in self.roles.values()} | {id(r): r for r in plan.new_roles}
        for key, (active, _row) in self.active_of.items():
            role = roles[key]
            # A new role is active unless the file says otherwise.
            if role.active != active:
                plan.active_changes.append((role, active))
        for key, (_email, _row, manager) in self.manager_of.items():
            role = roles[key]
            if role.pk is None or manager.pk is None or role.reports_to_id != manager.pk:
                plan.manager_changes.append((role, manager))
        plan.departments_moved = sum(1 for d, _parent in plan.parent_changes if d.pk is not None)
        plan.roles_updated = len(
            {
                role.pk
                for role, _value in [*plan.active_changes, *plan.manager_changes]
                if role.pk is not None
            }
        )


def plan_people(table: Table) -> PeoplePlan:
    """Check a people table against the database and list what an import would do."""
    return _PeoplePlanner(table).run()


def apply_people_plan(plan: PeoplePlan) -> None:
    """Write a valid plan in bulk: departments, roles, people, profiles, holdings."""
    if not plan.valid:
        raise ValueError("A plan with problems cannot be applied.")
    Department.objects.bulk_create(plan.new_departments)
    moved = []
    for department, parent in plan.parent_changes:
        department.parent = parent
        moved.append(department)
    Department.objects.bulk_update(moved, ["parent"])
    for role, active in plan.active_changes:
        role.active = active
    # Assigning the (now saved) department again sets department_id on the new roles.
    for role in plan.new_roles:
        role.department = role.department
    Role.objects.bulk_create(plan.new_roles, batch_size=1000)
    new_role_ids = {id(role) for role in plan.new_roles}
    existing_changed = [
        role for role, _active in plan.active_changes if id(role) not in new_role_ids
    ]
    Role.objects.bulk_update(existing_changed, ["active"], batch_size=1000)
    reporting = []
    for role, manager in plan.manager_changes:
        role.reports_to = manager
        reporting.append(role)
    Role.objects.bulk_update(reporting, ["reports_to"], batch_size=1000)

    User = get_user_model()
    unusable = make_password(None)  # they set a password through "forgot password"
    users = []
    for entry in plan.new_people:
        user = User(email=entry.email, is_active=True, password=unusable)
        setattr(user, User.USERNAME_FIELD, entry.username)
        entry.user = user
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    # bulk_create sends no post_save, so the profiles the signal would make are made here.
    Profile.objects.bulk_create(
        [Profile(user=entry.user, display_name=entry.name) for entry in plan.new_people],
        batch_size=1000,
    )
    renamed = {entry.user.pk: entry.name for entry in plan.renamed_people}
    profiles = list(Profile.objects.filter(user_id__in=renamed))
    for profile in profiles:
        profile.display_name = renamed[profile.user_id]
    Profile.objects.bulk_update(profiles, ["display_name"], batch_size=1000)
    today = timezone.localdate()
    RoleHolder.objects.bulk_create(
        [
            RoleHolder(role=role, person=entry.user, since=today)
            for role, entry in plan.new_holdings
        ],
        batch_size=1000,
    )
    plan.applied = True


def people_import(table: Table, *, dry_run: bool = False) -> PeoplePlan:
    if dry_run:
        return plan_people(table)
    try:
        with transaction.atomic():
            plan = plan_people(table)
            if plan.valid:
                apply_people_plan(plan)
    except IntegrityError:
        plan.applied = False
        plan.problems.append(
            Problem(
                None,
                "",
                "",
                _(
                    "The organisation changed while the file was being imported; nothing was written. Try again."
                ),
            )
        )
    return plan
