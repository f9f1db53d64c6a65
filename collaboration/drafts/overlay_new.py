"""The duties and roles a draft adds, on the matrix in the draft (overlay.py): a new
duty is a row of its department's matrix, a new role a column, both marked "new in
this draft", under their synthetic ids (minus their pk, as in the impact). Their cells
are edited like the others (matrix.js posts to the draft's cell prefix with those ids:
views/matrix_new.py). Read from the impact the page computes anyway: no query."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from responsibilities import matrix_page, selectors

from .impact import Impact
from .models import Draft


def duty_edit_url(draft: Draft, duty_ref: int) -> str:
    """Where a row's duty is changed in the draft: a live duty's move/rename page, or
    the page of a duty the draft adds."""
    if duty_ref < 0:
        return reverse("draft-new-duty", args=[draft.pk, -duty_ref])
    return reverse("draft-duty", args=[draft.pk, duty_ref])


def _in_scope(row: dict, scope: selectors.Scope) -> bool:
    if scope.project is not None:
        return row["project_id"] == scope.project.pk
    return row["department_id"] == scope.department.pk


def new_rows(draft: Draft, impact: Impact, scope: selectors.Scope) -> list[matrix_page.Row]:
    """Rows of the new duties of this matrix, by title (after the page's own rows)."""
    rows = []
    for pk, row in sorted(impact.duties.items(), key=lambda item: item[1]["title"].casefold()):
        if pk < 0 and _in_scope(row, scope):
            duty = {
                **row,
                "variant_note": _("new in this draft"),
                "variant_url": reverse("draft-new-duty", args=[draft.pk, -pk]),
            }
            rows.append(matrix_page.Row(duty=duty, assigned={}, findings=[]))
    return rows


def new_columns(
    draft: Draft, impact: Impact, scope: selectors.Scope, rows: list[matrix_page.Row]
) -> list[matrix_page.Column]:
    """Columns of the new roles of this matrix's department, and of other new roles
    with a letter on the page's rows."""
    lettered = {role_id for row in rows for role_id in row.assigned if role_id < 0}
    department_id = scope.department.pk if scope.department is not None else None
    columns = []
    for change in impact.loads:  # every new role has a load (impact_new.add_loads)
        ref = change.role
        own = ref.department_id == department_id
        if ref.id < 0 and (own or ref.id in lettered):
            column = matrix_page.Column(role=ref, own=own)
            column.variant_note = _("new in this draft")
            column.variant_url = reverse("draft-new-role", args=[draft.pk, -ref.id])
            columns.append(column)
    return sorted(columns, key=lambda column: (not column.own, column.role.title.casefold()))
