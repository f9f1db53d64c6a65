from __future__ import annotations

import functools
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from responsibilities import raci

register = template.Library()

# Short labels for the flags in a matrix row; the full message is shown beside them.
RULE_LABELS = {
    "NO_ACCOUNTABLE": _("no A"),
    "MULTIPLE_ACCOUNTABLE": _("several A"),
    "NO_RESPONSIBLE": _("no R"),
    "VACANT_ACCOUNTABLE": _("A vacant"),
    "VACANT_RESPONSIBLE": _("R vacant"),
    "INACTIVE_ROLE_ASSIGNED": _("inactive role"),
    "CROSS_DEPARTMENT_DUPLICATE": _("R in several departments"),
    "DUPLICATE_DUTY": _("duplicate duty"),
    "ROLE_WITHOUT_DUTIES": _("no duties"),
    "ROLE_OVERLOADED": _("overloaded"),
    "MISSING_HANDOFF": _("no hand-off"),
}


@register.filter
def letter_label(letter: str | None) -> str:
    return raci.LETTER_LABELS.get(letter or "", "")


@register.filter
def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)


# ---------------------------------------------------------------- matrix cells
#
# A matrix page has up to 50 rows × dozens of columns. Rendering each cell through
# template nodes cost seconds on large departments, so one function writes a cell's
# markup, used for whole rows on the page and for the single cell an edit returns.


def _cell_html(
    duty_id: int,
    duty_title: str,
    role,
    cell: dict | None,
    editable: bool,
    scope_query: str,
    next_query: str,
    message: str = "",
) -> str:
    letter = cell["letter"] if cell else ""
    label = raci.LETTER_LABELS.get(letter, "")
    classes = f"cell has-letter letter-{letter}" if letter else "cell"
    spoken = escape(f"{duty_title} · {role.title}: {label or gettext('none')}")
    cell_id = f"cell-{duty_id}-{role.id}"
    # A grid cell (the matrix is an ARIA grid, matrix.js moves the focus): the screen
    # reader hears the letter, then the row's flags (aria-describedby the flags cell).
    described = f"flags-{duty_id}"
    # A refused edit says why right beside the cell, not at the top of the page.
    warning = (
        f'<div class="cell-warning" role="alert" id="{cell_id}-warning">{escape(message)} '
        f'<button type="button" class="cell-warning-close" aria-label="{escape(gettext("Dismiss"))}">×</button></div>'
        if message
        else ""
    )
    if warning:
        described += f" {cell_id}-warning"
    if not editable:
        return (
            f'<td class="{classes}" id="{cell_id}" role="gridcell" aria-label="{spoken}" '
            f'aria-describedby="{described}"><span class="cell-value">{escape(label)}</span>'
            f"{warning}</td>"
        )
    url = f"{_cell_url_prefix()}{duty_id}/{role.id}/"
    version = cell["version"] if cell else 0
    return (
        f'<td class="{classes}" id="{cell_id}" role="gridcell"><a class="cell-button" href="{url}?{scope_query}&amp;{next_query}" '
        f'hx-get="{url}?{scope_query}" hx-target="closest td" hx-swap="outerHTML" '
        f'data-set-url="{url}" data-version="{version}" aria-label="{spoken}" '
        f'aria-describedby="{described}">{escape(label)}</a>{warning}</td>'
    )


@functools.cache
def _cell_url_prefix() -> str:
    # reverse() once per page rather than once per cell: "/matrix/cells/".
    return reverse("matrix-cell", args=[0, 0]).removesuffix("0/0/")


def _queries(scope_token: str, next_url: str) -> tuple[str, str]:
    return escape(urlencode({"scope": scope_token})), escape(urlencode({"next": next_url}))


@register.simple_tag
def raci_cells(row, columns, editable: set, scope_token: str, next_url: str) -> str:
    """Every cell of one matrix row, in column order."""
    scope_query, next_query = _queries(scope_token, next_url)
    duty = row.duty
    can_edit = duty["pk"] in editable
    # Safe: _cell_html escapes every value it writes.
    return mark_safe(
        "".join(
            _cell_html(
                duty["pk"],
                duty["title"],
                column.role,
                row.assigned.get(column.role.id),
                can_edit,
                scope_query,
                next_query,
            )
            for column in columns
        )
    )


@register.simple_tag
def raci_cell(
    duty, role, cell, editable: set, scope_token: str, next_url: str, message: str = ""
) -> str:
    """One cell, as an edit returns it (with the edit's warning, if it was refused)."""
    scope_query, next_query = _queries(scope_token, next_url)
    # Safe: _cell_html escapes every value it writes.
    return mark_safe(
        _cell_html(
            duty["pk"],
            duty["title"],
            role,
            cell,
            duty["pk"] in editable,
            scope_query,
            next_query,
            message or "",
        )
    )
