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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Role

from .. import raci, selectors
from ..models import Assignment
from . import xlsx_writer
from .sheets import column_letter, csv_lines, neutralise

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

# The page's colours (static/css/orgmap.css), as ARGB hex (xlsx_writer.py).
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
    """The matrix as rows, ready for CSV or XLSX: text already neutralised (against
    formula injection), None for an empty cell."""

    shape: str
    header: list[str]
    make_rows: Callable[[bool], Iterator[list[str | None]]]  # trim: end at the last filled cell
    first_letter_column: int  # wide: letters from this column on; long: the letter column
    text_columns: tuple[int, ...]  # the columns of free text (titles, codes)

    @property
    def rows(self) -> Iterator[list[str | None]]:
        return self.make_rows(False)


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


def _wide_rows(
    duty_rows: list[tuple],
    assignments: list[dict],
    columns: list[_WideColumn],
    first_letter: int,
    *,
    second: list[str],
) -> Callable[[bool], Iterator[list[str | None]]]:
    """The rows of a wide sheet, each built from a blank row in the cost of its letters,
    not of its hundreds of columns. `second`: the Department or Project column, if any."""
    index = {column.role_id: first_letter + i for i, column in enumerate(columns)}
    filled: dict[int, list[tuple[int, str]]] = defaultdict(list)  # duty -> (column, label)
    for row in assignments:
        filled[row["duty_id"]].append((index[row["role_id"]], raci.LETTER_LABELS[row["letter"]]))
    blank: list[str | None] = [None] * (first_letter + len(columns))

    def rows(trim: bool) -> Iterator[list[str | None]]:
        for pk, title, department_code, project_code in duty_rows:
            cells = filled.get(pk, ())
            end = max((i for i, _label in cells), default=first_letter - 1) + 1
            row = blank[:end] if trim else blank[:]
            row[0] = neutralise(title)
            if second == [DEPARTMENT_COLUMN]:
                row[1] = neutralise(department_code)
            elif second:
                row[1] = neutralise(project_code) if project_code else None
            for position, label in cells:
                row[position] = label
            yield row

    return rows


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
    first_letter = 1 + len(extra)
    rows = _wide_rows(duty_rows, assignments, columns, first_letter, second=extra[:1])
    return Sheet(
        shape=WIDE,
        header=[neutralise(text) for text in [DUTY_COLUMN, *extra, *headers]],
        make_rows=rows,
        first_letter_column=first_letter,
        text_columns=tuple(range(first_letter)),
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

    def rows(trim: bool) -> Iterator[list[str | None]]:
        for department, duty, role, role_department, letter, project in assignments.iterator(
            chunk_size=2000
        ):
            yield [
                neutralise(department),
                neutralise(duty),
                neutralise(role),
                neutralise(role_department),
                raci.LETTER_LABELS[letter],
                neutralise(project) if project else None,
            ]

    return Sheet(
        shape=LONG,
        header=list(LONG_COLUMNS),
        make_rows=rows,
        first_letter_column=4,
        text_columns=(0, 1, 2, 3, 5),
    )


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
    return csv_lines(_with_header(sheet), neutralised=True)


def _with_header(sheet: Sheet) -> Iterator[list[str | None]]:
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

LETTER_WIDTH, CODE_WIDTH, TITLE_WIDTH = 14, 16, 60
LONG_WIDTHS = (16, 60, 40, 16, 8, 14)
FINDINGS_WIDTHS = (26, 10, 14, 12, 50, 36, 70, 70)


def _new_workbook() -> xlsx_writer.Workbook:
    """A workbook whose letter styles are the page's colours; no style per matrix cell:
    the letters are coloured by one conditional format per letter."""
    return xlsx_writer.Workbook(
        {raci.LETTER_LABELS[letter]: colour for letter, colour in LETTER_COLOURS.items()}
    )


def _header(worksheet: xlsx_writer.Sheet, values: list[str]) -> None:
    worksheet.append_styled((neutralise(value), xlsx_writer.HEADER) for value in values)


def _matrix_widths(sheet: Sheet) -> list[int]:
    if sheet.shape == LONG:
        return list(LONG_WIDTHS)
    return [TITLE_WIDTH] + [
        LETTER_WIDTH if index >= sheet.first_letter_column else CODE_WIDTH
        for index in range(1, len(sheet.header))
    ]


def _write_matrix(book: xlsx_writer.Workbook, sheet: Sheet) -> int:
    worksheet = book.sheet("RACI", widths=_matrix_widths(sheet), freeze="B2")
    _header(worksheet, sheet.header)
    count = 0
    for row in sheet.make_rows(True):
        worksheet.append(row)
        count += 1
    if sheet.shape == WIDE:
        first, last = sheet.first_letter_column, len(sheet.header) - 1
    else:
        first = last = sheet.first_letter_column
    if count and first <= last:
        worksheet.colour_letters(f"{column_letter(first)}2:{column_letter(last)}{count + 1}")
    return count


def _legend_notes(scope: selectors.Scope, sheet: Sheet) -> list[tuple[str, str]]:
    if sheet.shape == WIDE:
        layout = _(
            "One row per duty and one column per role; a role of another department is written “Role (CODE)”."
        )
    else:
        layout = _(
            "One row per assignment: department, duty, role, role_department, letter, project."
        )
    return [
        (_("Scope"), scope_label(scope)),
        (_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")),
        (_("Layout"), layout),
        (
            _("Import"),
            _(
                "This file can be imported back as it is. Empty cells are left unchanged by an import; it never clears a cell."
            ),
        ),
    ]


def _write_legend(book: xlsx_writer.Workbook, scope: selectors.Scope, sheet: Sheet) -> None:
    worksheet = book.sheet(_("Legend"), widths=(12, 80))
    _header(worksheet, [_("Letter"), _("Meaning")])
    meanings = {
        raci.R: _("Responsible: does the work"),
        raci.A: _("Accountable: owns the outcome (exactly one per duty)"),
        raci.AR: _("Accountable and responsible: owns the outcome and does the work"),
        raci.C: _("Consulted: asked before, two-way"),
        raci.I: _("Informed: told after, one-way"),
    }
    for letter in (raci.R, raci.A, raci.AR, raci.C, raci.I):
        label = raci.LETTER_LABELS[letter]
        worksheet.append_styled([(label, label), (neutralise(meanings[letter]), None)])
    worksheet.append([])
    for label, value in _legend_notes(scope, sheet):
        worksheet.append([neutralise(label), neutralise(value)])


def _write_findings(book: xlsx_writer.Workbook, scope: selectors.Scope) -> None:
    worksheet = book.sheet(_("Findings"), widths=FINDINGS_WIDTHS, freeze="A2")
    _header(
        worksheet,
        [
            _("rule"),
            _("severity"),
            _("department"),
            _("project"),
            _("duty"),
            _("roles"),
            _("message"),
            _("suggestion"),
        ],
    )
    # The stored findings (findings_store keeps them current): read, not computed.
    for finding in selectors.findings(scope):
        roles = ", ".join(f"{role.title} ({role.department_code})" for role in finding.roles)
        values = (
            finding.rule,
            finding.severity,
            finding.department_code,
            finding.project_code or "",
            finding.duty_title or "",
            roles,
            finding.message,
            finding.suggestion,
        )
        worksheet.append([neutralise(value) for value in values])


def write_xlsx(scope: selectors.Scope, shape: str, out: IO[bytes]) -> int:
    """Write the workbook (RACI, Legend and Findings sheets) to a binary file; returns
    the number of matrix rows written."""
    sheet = sheet_for(scope, shape)
    book = _new_workbook()
    count = _write_matrix(book, sheet)
    _write_legend(book, scope, sheet)
    _write_findings(book, scope)
    book.save(out)
    return count
