"""A department's matrix as a draft has it, as XLSX: the rows of the draft's CSV (the
long shape, one row per letter, with the draft's name on each), under a first row
"DRAFT: name" on a sheet named after the draft, and the department's findings as the
draft has them. Written with the live exports' XLSX writer and letter colours; a
draft's workbook cannot pass for the live matrix (nor be imported as it is)."""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department
from responsibilities import raci, selectors
from responsibilities.spreadsheets import xlsx_writer
from responsibilities.spreadsheets.exports import LETTER_COLOURS
from responsibilities.spreadsheets.sheets import column_letter, neutralise

from .exports import draft_matrix_rows
from .impact import identity
from .overlay import DraftState
from .pages_in_draft import watermark

WIDTHS = (16, 60, 40, 16, 8, 14, 30)
FINDINGS_WIDTHS = (26, 10, 14, 12, 50, 36, 70)


def _workbook() -> xlsx_writer.Workbook:
    return xlsx_writer.Workbook(
        {raci.LETTER_LABELS[letter]: colour for letter, colour in LETTER_COLOURS.items()}
    )


def _matrix(book: xlsx_writer.Workbook, state: DraftState, department: Department) -> None:
    # A sheet name holds at most 31 characters.
    sheet = book.sheet(watermark(state)[:31], widths=WIDTHS, freeze="A3")
    title = f"{watermark(state)} · {department.name} ({department.code})"
    sheet.append_styled([(neutralise(title), xlsx_writer.HEADER)])
    rows = draft_matrix_rows(state.draft, department)
    header = next(rows)
    sheet.append_styled((neutralise(value), xlsx_writer.HEADER) for value in header)
    count = 0
    for row in rows:
        sheet.append([neutralise(str(value)) for value in row])
        count += 1
    if count:
        letter = column_letter(header.index("letter"))
        sheet.colour_letters(f"{letter}3:{letter}{count + 2}")


def _findings(book: xlsx_writer.Workbook, state: DraftState, department: Department) -> None:
    sheet = book.sheet(_("Findings"), widths=FINDINGS_WIDTHS, freeze="A3")
    sheet.append_styled([(neutralise(watermark(state)), xlsx_writer.HEADER)])
    columns = [_("rule"), _("severity"), _("department"), _("project"), _("duty")]
    columns += [_("roles"), _("message")]
    sheet.append_styled((neutralise(value), xlsx_writer.HEADER) for value in columns)
    closed = {identity(finding) for finding in state.impact.closed}
    found = [
        finding
        for finding in selectors.stored_findings(selectors.Scope(department=department))
        if identity(finding) not in closed
    ]
    found += [f for f in state.impact.opened if f.department_id == department.pk]
    for finding in raci.sort_findings(found):
        roles = ", ".join(f"{role.title} ({role.department_code})" for role in finding.roles)
        values = (
            finding.rule,
            finding.severity,
            finding.department_code,
            finding.project_code or "",
            finding.duty_title or "",
            roles,
            finding.message,
        )
        sheet.append([neutralise(value) for value in values])
    sheet.append([])
    exported = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    sheet.append([neutralise(_("Exported")), neutralise(exported)])


def write_draft_xlsx(state: DraftState, department: Department, out: IO[bytes]) -> None:
    book = _workbook()
    _matrix(book, state, department)
    _findings(book, state, department)
    book.save(out)
