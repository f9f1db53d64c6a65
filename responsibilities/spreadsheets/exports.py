"""Matrix exports: XLSX and CSV, in the shapes the importer reads back.

- wide (a department's or a project's matrix, as on the page): a header row "Duty",
  then one column per role, then one row per duty with "R", "A", "C", "I" or "A/R" in
  the cells. A role of another department is written "Role (CODE)"; in a project every
  role is, since a project has no department of its own. A project's file has a
  "Department" column (the owning department of each duty) and a department's file a
  "Project" column when some of its duties belong to a project, so that an import
  puts every duty back where it was.
- long (the whole organisation, or any scope on request): one row per assignment with
  the columns department, duty, role, role_department, letter, project. A wide sheet
  of every duty × every role would be thousands of columns, mostly empty.

Every text cell goes through spreadsheets.neutralise() against formula injection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Role

from .. import raci, selectors
from ..models import Assignment
from .sheets import csv_lines, neutralise

WIDE = "wide"
LONG = "long"
SHAPES = (WIDE, LONG)
FORMATS = ("xlsx", "csv")

# Column names of the long shape, as the importer reads them (not translated: they are
# the file format, like CSV headers of any system).
LONG_COLUMNS = ("department", "duty", "role", "role_department", "letter", "project")
DUTY_COLUMN = "Duty"
DEPARTMENT_COLUMN = "Department"
PROJECT_COLUMN = "Project"

# The page's colours (static/css/orgmap.css), as ARGB hex for openpyxl.
LETTER_COLOURS = {
    raci.R: "FF1F6FEB",
    raci.A: "FFB42318",
    raci.AR: "FF7C3AED",
    raci.C: "FF9A6700",
    raci.I: "FF57606A",
}
_LABEL_TO_LETTER = {label: letter for letter, label in raci.LETTER_LABELS.items()}


@dataclass
class Sheet:
    """The matrix as rows of text, ready for CSV or XLSX."""

    shape: str
    header: list[str]
    rows: Iterable[list[str]]
    first_letter_column: int  # wide: letters from this column on; long: the letter column


def role_header(title: str, department_code: str, *, qualify: bool) -> str:
    return f"{title} ({department_code})" if qualify else title


def _looks_qualified(title: str) -> bool:
    # An own role titled "Analyst (Level 2)" must be written "Analyst (Level 2) (SALES)",
    # or the importer would read "Level 2" as a department.
    return title.rstrip().endswith(")")


@dataclass
class _WideColumn:
    role_id: int
    title: str
    department_code: str
    own: bool


def _wide_columns(scope: selectors.Scope, assignments: list[dict]) -> list[_WideColumn]:
    """The roles of a wide sheet, in the matrix page's order (own roles first, the head
    first among them, then by department and title): the department's roles (a retired
    one only while something is assigned to it) or a project's active roles of its
    departments, then every other role assigned in the scope."""
    assigned_ids = {row["role_id"] for row in assignments}
    if scope.project is not None:
        own_roles = Role.objects.filter(
            department__in=scope.project.departments.all(), active=True, pk__in=assigned_ids
        )
    else:
        own_roles = Role.objects.filter(department=scope.department)
    columns: dict[int, _WideColumn] = {}
    for role in own_roles.values("pk", "title", "department__code", "active"):
        if role["active"] or role["pk"] in assigned_ids:
            columns[role["pk"]] = _WideColumn(
                role["pk"], role["title"], role["department__code"], own=True
            )
    for row in assignments:
        if row["role_id"] not in columns:
            columns[row["role_id"]] = _WideColumn(
                row["role_id"], row["role__title"], row["role__department__code"], own=False
            )
    head_id = scope.department.head_id if scope.department is not None else None
    return sorted(
        columns.values(),
        key=lambda c: (not c.own, c.role_id != head_id, c.department_code, c.title.casefold()),
    )


def wide_sheet(scope: selectors.Scope) -> Sheet:
    """A department's or project's matrix as rows of letters: three queries (duties,
    cells, own roles) and nothing else; the findings are not computed here, since only
    the workbook shows them (write_xlsx asks for them on its own)."""
    duty_rows = list(
        scope.duties()
        .order_by("title", "pk")
        .values_list("pk", "title", "department__code", "project__code")
    )
    assignments = list(
        Assignment.objects.filter(duty__in=scope.duties().values("pk")).values(
            "duty_id", "role_id", "letter", "role__title", "role__department__code"
        )
    )
    columns = _wide_columns(scope, assignments)
    in_project = scope.project is not None
    headers = [
        role_header(
            column.title,
            column.department_code,
            qualify=in_project or not column.own or _looks_qualified(column.title),
        )
        for column in columns
    ]
    extra: list[str] = []
    if in_project:
        extra = [DEPARTMENT_COLUMN]
    elif any(project_code for _pk, _title, _dept, project_code in duty_rows):
        extra = [PROJECT_COLUMN]
    letters: dict[int, dict[int, str]] = defaultdict(dict)
    for row in assignments:
        letters[row["duty_id"]][row["role_id"]] = raci.LETTER_LABELS[row["letter"]]
    role_ids = [column.role_id for column in columns]

    def rows() -> Iterator[list[str]]:
        for pk, title, department_code, project_code in duty_rows:
            first = [title]
            if in_project:
                first.append(department_code)
            elif extra:
                first.append(project_code or "")
            cells = letters.get(pk, {})
            yield first + [cells.get(role_id, "") for role_id in role_ids]

    return Sheet(
        shape=WIDE,
        header=[DUTY_COLUMN, *extra, *headers],
        rows=rows(),
        first_letter_column=1 + len(extra),
    )


def long_sheet(scope: selectors.Scope) -> Sheet:
    # One query, streamed: the whole organisation is tens of thousands of rows.
    assignments = (
        Assignment.objects.filter(duty__in=scope.duties().values("pk"))
        .order_by(
            "duty__department__code",
            "duty__project__code",
            "duty__title",
            "duty_id",
            "role__department__code",
            "role__title",
        )
        .values_list(
            "duty__department__code",
            "duty__title",
            "role__title",
            "role__department__code",
            "letter",
            "duty__project__code",
        )
    )

    def rows() -> Iterator[list[str]]:
        for department, duty, role, role_department, letter, project in assignments.iterator(
            chunk_size=2000
        ):
            yield [
                department,
                duty,
                role,
                role_department,
                raci.LETTER_LABELS[letter],
                project or "",
            ]

    return Sheet(shape=LONG, header=list(LONG_COLUMNS), rows=rows(), first_letter_column=4)


def sheet_for(scope: selectors.Scope, shape: str) -> Sheet:
    if shape == WIDE and (scope.department is not None or scope.project is not None):
        return wide_sheet(scope)
    return long_sheet(scope)


def default_shape(scope: selectors.Scope) -> str:
    return WIDE if scope.department is not None or scope.project is not None else LONG


def filename(scope: selectors.Scope, fmt: str, shape: str) -> str:
    if scope.project is not None:
        name = f"raci-project-{scope.project.code}"
    elif scope.department is not None:
        name = f"raci-{scope.department.code}"
    else:
        name = "raci-organisation"
    if shape != default_shape(scope):
        name += f"-{shape}"
    return f"{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def scope_label(scope: selectors.Scope) -> str:
    if scope.project is not None:
        return _("Project %(name)s (%(code)s)") % {
            "name": scope.project.name,
            "code": scope.project.code,
        }
    if scope.department is not None:
        return _("Department %(name)s (%(code)s)") % {
            "name": scope.department.name,
            "code": scope.department.code,
        }
    return _("The whole organisation")


# ------------------------------------------------------------------ CSV


def csv_stream(scope: selectors.Scope, shape: str) -> Iterator[str]:
    sheet = sheet_for(scope, shape)
    return csv_lines(_with_header(sheet))


def _with_header(sheet: Sheet) -> Iterator[list[str]]:
    yield sheet.header
    yield from sheet.rows


def write_csv(scope: selectors.Scope, shape: str, out: IO[str]) -> int:
    """Write the CSV to a text file; returns the number of rows after the header."""
    lines = 0
    for line in csv_stream(scope, shape):
        out.write(line)
        lines += 1
    return max(lines - 2, 0)  # the BOM and the header


# ------------------------------------------------------------------ XLSX


def write_xlsx(scope: selectors.Scope, shape: str, out: IO[bytes]) -> int:
    """Write the workbook (RACI, Legend and Findings sheets) to a binary file.

    Write-only mode streams rows to the file instead of keeping every cell in memory.
    Returns the number of matrix rows written.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = sheet_for(scope, shape)
    workbook = Workbook(write_only=True)
    matrix_ws = workbook.create_sheet("RACI")
    legend_ws = workbook.create_sheet(_("Legend"))
    findings_ws = workbook.create_sheet(_("Findings"))

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="FFEEF1F7")
    wrap = Alignment(wrap_text=True, vertical="bottom")
    centre = Alignment(horizontal="center")
    letter_fonts = {
        raci.LETTER_LABELS[letter]: Font(bold=True, color=colour)
        for letter, colour in LETTER_COLOURS.items()
    }

    def text(value: object) -> str:
        # openpyxl refuses control characters that XML 1.0 cannot carry.
        return ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))

    def header_cells(ws, values: list[str]) -> list:
        cells = []
        for value in values:
            cell = WriteOnlyCell(ws, value=text(value))
            cell.font, cell.fill, cell.alignment = header_font, header_fill, wrap
            cells.append(cell)
        return cells

    # Column widths and frozen panes must be set before the first row is written.
    if sheet.shape == WIDE:
        matrix_ws.column_dimensions["A"].width = 60
        for index in range(1, len(sheet.header)):
            matrix_ws.column_dimensions[_letter(index)].width = (
                14 if index >= sheet.first_letter_column else 16
            )
    else:
        for index, width in enumerate((16, 60, 40, 16, 8, 14)):
            matrix_ws.column_dimensions[_letter(index)].width = width
    matrix_ws.freeze_panes = "B2"
    matrix_ws.append(header_cells(matrix_ws, sheet.header))
    # Rows are plain values: no cell object or style per cell (a department of 2,000
    # duties × 400 roles is most of a million cells). The letters' colours come from one
    # conditional format per letter over the letter columns, added once all rows are in.
    if sheet.shape == WIDE:
        first_letter, last_letter = sheet.first_letter_column, len(sheet.header) - 1
    else:
        first_letter = last_letter = sheet.first_letter_column
    count = 0
    for row in sheet.rows:
        matrix_ws.append(
            [
                (value if first_letter <= index <= last_letter else text(value)) if value else None
                for index, value in enumerate(row)
            ]
        )
        count += 1
    if count and first_letter <= last_letter:
        letter_range = f"{_letter(first_letter)}2:{_letter(last_letter)}{count + 1}"
        for label, font in letter_fonts.items():
            matrix_ws.conditional_formatting.add(
                letter_range,
                CellIsRule(operator="equal", formula=[f'"{label}"'], font=font),
            )

    legend_ws.column_dimensions["A"].width = 12
    legend_ws.column_dimensions["B"].width = 80
    legend_ws.append(header_cells(legend_ws, [_("Letter"), _("Meaning")]))
    meanings = {
        raci.R: _("Responsible: does the work"),
        raci.A: _("Accountable: owns the outcome (exactly one per duty)"),
        raci.AR: _("Accountable and responsible: owns the outcome and does the work"),
        raci.C: _("Consulted: asked before, two-way"),
        raci.I: _("Informed: told after, one-way"),
    }
    for letter in (raci.R, raci.A, raci.AR, raci.C, raci.I):
        label = raci.LETTER_LABELS[letter]
        cell = WriteOnlyCell(legend_ws, value=label)
        cell.font, cell.alignment = letter_fonts[label], centre
        legend_ws.append([cell, text(meanings[letter])])
    legend_ws.append([])
    notes = [
        (_("Scope"), scope_label(scope)),
        (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        (
            _("Layout"),
            _(
                "One row per duty and one column per role; a role of another department is written “Role (CODE)”."
            )
            if sheet.shape == WIDE
            else _(
                "One row per assignment: department, duty, role, role_department, letter, project."
            ),
        ),
        (
            _("Import"),
            _(
                "This file can be imported back as it is. Empty cells are left unchanged by an import; it never clears a cell."
            ),
        ),
    ]
    for label, value in notes:
        legend_ws.append([text(label), text(value)])

    found = selectors.findings(scope)
    finding_columns = [
        _("rule"),
        _("severity"),
        _("department"),
        _("project"),
        _("duty"),
        _("roles"),
        _("message"),
        _("suggestion"),
    ]
    for index, width in enumerate((26, 10, 14, 12, 50, 36, 70, 70)):
        findings_ws.column_dimensions[_letter(index)].width = width
    findings_ws.freeze_panes = "A2"
    findings_ws.append(header_cells(findings_ws, finding_columns))
    for finding in found:
        findings_ws.append(
            [
                text(finding.rule),
                text(finding.severity),
                text(finding.department_code),
                text(finding.project_code or ""),
                text(finding.duty_title or ""),
                text(", ".join(f"{role.title} ({role.department_code})" for role in finding.roles)),
                text(finding.message),
                text(finding.suggestion),
            ]
        )
    workbook.save(out)
    return count


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
