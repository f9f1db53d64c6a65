"""The matrix page in a draft: the live page (responsibilities/matrix_page.py) with the
draft's letters, duties and findings laid over it, by a matrix_page.Variant."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from responsibilities import findings_compute, matrix_page, raci, selectors
from responsibilities.models import Assignment

from . import overlay_new
from .impact import Impact, identity
from .impact_cache import cached_impact
from .models import Draft, DraftCell, DraftDuty


@dataclass
class DraftState:
    """What a page in a draft needs: its changes and its impact, read once."""

    draft: Draft
    cells: list[DraftCell]
    duties: list[DraftDuty]
    impact: Impact

    @classmethod
    def read(cls, draft: Draft) -> DraftState:
        cells = list(draft.cells.select_related("duty__department", "role__department"))
        duties = list(draft.duties.select_related("department", "project", "duty__department"))
        return cls(draft=draft, cells=cells, duties=duties, impact=cached_impact(draft))


def _in_scope(row: dict, scope: selectors.Scope) -> bool:
    if scope.project is not None:
        return row["project_id"] == scope.project.pk
    return row["department_id"] == scope.department.pk


def adjusted_summary(summary: dict[str, int], impact: Impact, scope: selectors.Scope):
    """A scope's live summary with the draft's opened and closed findings counted in."""
    counts = dict(summary)

    def inside(finding: raci.Finding) -> bool:
        if scope.project is not None:
            return finding.project_id == scope.project.pk
        return finding.department_id == scope.department.pk

    for finding in impact.opened:
        if inside(finding):
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
    for finding in impact.closed:
        if inside(finding):
            counts[finding.rule] = counts.get(finding.rule, 0) - 1
    return {code: counts[code] for code in raci.RULES if counts.get(code, 0) > 0}


def row_findings(live: list[raci.Finding], duty_id: int, impact: Impact) -> list[raci.Finding]:
    closed = {identity(finding) for finding in impact.closed}
    kept = [finding for finding in live if identity(finding) not in closed]
    return raci.sort_findings(kept + [f for f in impact.opened if f.duty_id == duty_id])


def _moved_in_rows(state: DraftState, scope: selectors.Scope, shown: set[int]):
    """Rows of the duties the draft brings into this matrix (moved here)."""
    ids = [
        pk
        for pk, row in state.impact.duties.items()
        if pk > 0 and pk not in shown and _in_scope(row, scope)  # new duties: overlay_new
    ]
    if not ids:
        return []
    assigned: dict[int, dict] = defaultdict(dict)
    for cell in findings_compute.cells(set(ids)):
        assigned[cell["duty_id"]][cell["role_id"]] = {
            "letter": cell["letter"],
            "version": cell["version"],
        }
    live = defaultdict(list)
    for finding in selectors.stored_findings(duty_ids=ids):
        live[finding.duty_id].append(finding)
    rows = []
    for pk in ids:
        duty = dict(state.impact.duties[pk])
        duty["variant_note"] = _("moved here in this draft")
        rows.append(matrix_page.Row(duty=duty, assigned=assigned[pk], findings=live[pk]))
    return rows


def overlay(state: DraftState, scope: selectors.Scope, *, can_edit: bool):
    """The function that turns a live MatrixPage into the draft's."""
    by_duty: dict[int, list[DraftCell]] = defaultdict(list)
    for cell in state.cells:
        by_duty[cell.duty_ref].append(cell)  # a new duty's or role's: minus its pk

    def apply(matrix: matrix_page.MatrixPage) -> None:
        rows = list(matrix.page.object_list)
        rows += _moved_in_rows(state, scope, {row.duty["pk"] for row in rows})
        rows += overlay_new.new_rows(state.draft, state.impact, scope)
        for row in rows:
            pk = row.duty["pk"]
            if pk in state.impact.duties:
                draft_row = state.impact.duties[pk]
                if not _in_scope(draft_row, scope):
                    row.duty["variant_note"] = _("moves to %(code)s in this draft") % {
                        "code": draft_row["project__code"] or draft_row["department__code"]
                    }
                row.duty = {**row.duty, "title": draft_row["title"], "active": draft_row["active"]}
            if can_edit:
                row.duty["variant_edit_url"] = overlay_new.duty_edit_url(state.draft, pk)
            for cell in by_duty.get(pk, ()):
                row.assigned[cell.role_ref] = {
                    "letter": cell.letter,
                    "version": 0,
                    "drafted": True,
                }
            row.findings = row_findings(row.findings, pk, state.impact)
        matrix.page.object_list = rows
        matrix.columns.extend(overlay_new.new_columns(state.draft, state.impact, scope, rows))
        closed = {identity(finding) for finding in state.impact.closed}
        for column in matrix.columns:
            column.findings = [f for f in column.findings if identity(f) not in closed] + [
                f
                for f in state.impact.opened
                if f.duty_id is None and f.roles[0].id == column.role.id
            ]
        matrix.summary = adjusted_summary(matrix.summary, state.impact, scope)

    return apply


def extra_role_ids(state: DraftState, scope: selectors.Scope) -> set[int]:
    """Roles shown as columns beside the page's own: those the draft gives a letter on
    this matrix's duties, and those assigned live to the duties it moves here (one
    query, only when it moves some)."""
    here = {pk for pk, row in state.impact.duties.items() if _in_scope(row, scope)}
    roles = {
        cell.role_id
        for cell in state.cells
        if cell.letter and cell.role_id and cell.duty_ref in here
    }
    moved_in = {change.duty_id for change in state.duties if change.duty_id in here}
    if moved_in:
        roles |= set(
            Assignment.objects.filter(duty_id__in=moved_in).values_list("role_id", flat=True)
        )
    return roles
