"""The coverage as CSV or XLSX: one row per role with its department, its holders and
how many of them accepted the current version, are pending, declined or overdue."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..spreadsheets import xlsx_writer
from ..spreadsheets.sheets import csv_lines, neutralise
from .selectors import ACCEPTED, DECLINED, OVERDUE, PENDING, DepartmentCoverage

WIDTHS = (14, 30, 40, 10, 10, 10, 10, 10, 10, 12)


def _header() -> list[str]:
    return [
        _("Department code"),
        _("Department"),
        _("Role"),
        _("Version"),
        _("Holders"),
        _("Accepted"),
        _("Pending"),
        _("Declined"),
        _("Overdue"),
        _("Accepted (%)"),
    ]


def rows(departments: list[DepartmentCoverage]) -> list[list[str]]:
    return [
        [
            neutralise(role.department_code),
            neutralise(role.department_name),
            neutralise(role.role_title),
            str(role.version or ""),
            str(role.holders),
            str(role.counts[ACCEPTED]),
            str(role.counts[PENDING]),
            str(role.counts[DECLINED]),
            str(role.counts[OVERDUE]),
            str(role.accepted_share),
        ]
        for department in departments
        for role in department.roles
    ]


def coverage_response(departments: list[DepartmentCoverage], fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    filename = f"confirmation-coverage-{stamp}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines([_header(), *rows(departments)], neutralised=True),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    book = xlsx_writer.Workbook({})
    sheet = book.sheet(_("Coverage"), widths=WIDTHS, freeze="A2")
    sheet.append_styled((neutralise(value), xlsx_writer.HEADER) for value in _header())
    for row in rows(departments):
        sheet.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    book.save(out)
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
