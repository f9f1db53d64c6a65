"""The duties a draft adds in the CSV of a department's matrix as the draft has it
(exports.py): one row per letter, as the live duties' rows, after them."""

from __future__ import annotations

from collections.abc import Iterator

from orgmap.models import Department

from .models import Draft


def new_duty_rows(draft: Draft, department: Department) -> Iterator[list]:
    """Two queries: the department's new duties, their letters."""
    duties = {
        new_duty.pk: new_duty
        for new_duty in draft.new_duties.filter(department=department).select_related("project")
    }
    if not duties:
        return
    letters: dict[int, list[tuple]] = {pk: [] for pk in duties}
    cells = draft.cells.filter(new_duty_id__in=duties).select_related(
        "role__department", "new_role__department"
    )
    for cell in cells:
        role = cell.role or cell.new_role
        letters[cell.new_duty_id].append((role.title, role.department.code, cell.letter))
    for new_duty in sorted(duties.values(), key=lambda duty: (duty.title, duty.pk)):
        for title, code, letter in sorted(letters[new_duty.pk]):
            if letter:
                yield [
                    department.code,
                    new_duty.title,
                    title,
                    code,
                    letter,
                    new_duty.project.code if new_duty.project_id else "",
                    draft.name,
                ]
