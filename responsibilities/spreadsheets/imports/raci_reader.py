"""Reading a RACI sheet, long or wide, into cells: which duty, which role, which letter,
from which row and column. What the cells mean for the database is raci_import.py's."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orgmap.models import Department, Project, Role

from ... import raci
from ..sheets import SheetRow, Table, column_letter
from .common import (
    DEPARTMENT_HEADERS,
    DUTY_TITLE_MAX,
    LONG,
    LONG_MARKERS,
    PROJECT_HEADERS,
    WIDE,
    MayImport,
    Problem,
    _clean,
    _Columns,
    _Departments,
    _fold,
    _header_key,
)


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

    def long_positions(self) -> dict[str, int | None] | None:
        """The columns of a long file, or None (and a problem each) when some are missing."""
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
        return None if missing else positions

    def long_cells(self) -> list[_Cell]:
        positions = self.long_positions()
        if positions is None:
            return []
        cells = (self.long_cell(row, positions) for row in self.table.rows)
        return [cell for cell in cells if cell is not None]

    def long_cell(self, row: SheetRow, positions: dict[str, int | None]) -> _Cell | None:
        """One row of a long file; every problem of the row is reported, not the first."""
        title = self.duty_title(row, positions["duty"])
        department, bad_department = self.row_department(row, positions["department"])
        project, bad_project = self.row_project(row, positions["project"])
        letter, bad_letter = self.letter(row, positions["letter"])
        if letter is None and not bad_letter:
            self.problem(row.number, positions["letter"], _("No letter: write R, A, C, I or A/R."))
            bad_letter = True
        role = self.long_role(row, positions["role"], positions["role_department"], department)
        if title is None or role is None or bad_department or bad_project or bad_letter:
            return None
        return _Cell(
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
