"""A department's matrix as a draft has it, as CSV in the long shape (one row per
letter, the columns the RACI importer reads) with a last column "draft" naming the
draft on every row, and "draft" in the file's name: a draft's export cannot pass for
the live matrix."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from orgmap.models import Department
from responsibilities.models import Assignment, Duty
from responsibilities.spreadsheets.exports import LONG_COLUMNS
from responsibilities.spreadsheets.sheets import csv_lines

from .exports_new import new_duty_rows
from .models import Draft

CHUNK = 2000


def _duties(draft: Draft, department: Department) -> list[dict]:
    """The department's duties as the draft has them (moved in and out, renamed,
    retired), by title: two queries."""
    changes = {c.duty_id: c for c in draft.duties.select_related("department", "project")}
    moved_in = [pk for pk, c in changes.items() if c.department_id == department.pk]
    rows = list(
        Duty.objects.filter(Q(department=department) | Q(pk__in=moved_in)).values(
            "pk", "title", "department__code", "project__code"
        )
    )
    duties = []
    for row in rows:
        change = changes.get(row["pk"])
        if change is not None:
            if change.department_id != department.pk:
                continue  # moved out by the draft
            row = {
                **row,
                "title": change.title,
                "department__code": change.department.code,
                "project__code": change.project.code if change.project_id else None,
            }
        duties.append(row)
    return sorted(duties, key=lambda row: (row["title"], row["pk"]))


def draft_matrix_rows(draft: Draft, department: Department) -> Iterator[list]:
    yield [*LONG_COLUMNS, "draft"]
    duties = _duties(draft, department)
    for start in range(0, len(duties), CHUNK):
        chunk = {row["pk"]: row for row in duties[start : start + CHUNK]}
        cells: dict[int, dict[int, tuple]] = {pk: {} for pk in chunk}
        for cell in Assignment.objects.filter(duty_id__in=chunk).values(
            "duty_id", "role_id", "letter", "role__title", "role__department__code"
        ):
            cells[cell["duty_id"]][cell["role_id"]] = (
                cell["role__title"],
                cell["role__department__code"],
                cell["letter"],
            )
        changes = draft.cells.filter(duty_id__in=chunk).select_related(
            "role__department", "new_role__department"
        )
        for change in changes:
            role = change.role or change.new_role  # a role the draft adds: exports_new.py
            cells[change.duty_id][change.role_ref] = (
                role.title,
                role.department.code,
                change.letter,
            )
        for pk, duty in chunk.items():
            for title, code, letter in sorted(cells[pk].values()):
                if letter:
                    yield [
                        duty["department__code"],
                        duty["title"],
                        title,
                        code,
                        letter,
                        duty["project__code"] or "",
                        draft.name,
                    ]
    yield from new_duty_rows(draft, department)


def draft_matrix_csv(draft: Draft, department: Department) -> Iterator[str]:
    return csv_lines(draft_matrix_rows(draft, department))
