from __future__ import annotations

import functools
import html
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orgmap.links import detail_url
from responsibilities import raci

register = template.Library()


def escape(text) -> str:
    """Django's `escape` (the same entities) without its wrapper for lazy strings, which
    cost more than the escaping: a search page escapes some 900 texts. Callers put the
    result in markup they mark safe."""
    return html.escape(str(text))


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
    "UNCONFIRMED_ACCOUNTABILITY": _("A not confirmed"),
}


@register.filter
def letter_label(letter: str | None) -> str:
    return raci.LETTER_LABELS.get(letter or "", "")


@register.filter
def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)


# ---------------------------------------------------------------- findings' links
#
# The findings page links 200 findings to their duty and to their matrix; reversing
# each address every time was a fifth of the page's time.


@functools.lru_cache(maxsize=4096)
def _matrix_url(project_code: str | None, department_code: str) -> str:
    if project_code:
        return reverse("project-matrix", args=[project_code])
    return reverse("department-matrix", args=[department_code])


@register.filter
def matrix_url(finding: raci.Finding, prefix: str = "") -> str:
    """The address of the matrix a finding's duty is shown in; with a `prefix` (a
    draft's matrices), "<prefix><code>/"."""
    if prefix:
        return f"{prefix}{finding.project_code or finding.department_code}/"
    return _matrix_url(finding.project_code, finding.department_code)


@register.filter
def duty_url(duty_id: int) -> str:
    return detail_url("duty-detail", int(duty_id))


# ---------------------------------------------------------------- matrix cells
#
# A matrix page has up to 50 rows × dozens of columns (57 on the largest O*NET page:
# 2,850 cells). One function writes a cell's markup, for whole rows on the page and for
# the single cell an edit returns, and writes only what differs from cell to cell:
# what every cell shares lives once on the page. The table carries the scope
# (data-scope) and matrix.js turns a click on a cell's link into the htmx request for its
# editor; the spoken name points at the row's and the column's titles and at the
# page's hidden letter names (aria-labelledby) instead of repeating a 200-character duty
# title in every cell; the link's `next` is written only when the page has filters that
# the cell page's own way back (the matrix at that duty) would lose.


def _cell_html(
    duty_id: int,
    role_id: int,
    cell: dict | None,
    editable: bool,
    next_query: str,
    message: str = "",
    prefix: str = "",
) -> str:
    letter = cell["letter"] if cell else ""
    label = raci.LETTER_LABELS.get(letter, "")
    classes = f"cell has-letter letter-{letter}" if letter else "cell"
    if cell and cell.get("drafted"):
        classes += " drafted"  # a letter a draft changes (collaboration/drafts)
    cell_id = f"cell-{duty_id}-{role_id}"
    # "<duty title> <role title> <letter or none>": ids in the row header, the column
    # header and the page's letter names (matrix.html).
    named = f'aria-labelledby="dt-{duty_id} rt-{role_id} lt-{letter}"'
    # A grid cell (the matrix is an ARIA grid, matrix.js moves the focus): the screen
    # reader hears the letter, then the row's flags (aria-describedby the flags cell).
    described = f"flags-{duty_id}"
    # A refused edit says why right beside the cell, not at the top of the page.
    warning = ""
    if message:
        close = escape(gettext("Dismiss"))
        warning = (
            f'<div class="cell-warning" role="alert" id="{cell_id}-warning">{escape(message)} '
            f'<button type="button" class="cell-warning-close" aria-label="{close}">×</button></div>'
        )
        described += f" {cell_id}-warning"
    if not editable:
        return (
            f'<td class="{classes}" id="{cell_id}" role="gridcell" {named} '
            f'aria-describedby="{described}"><span class="cell-value">{label}</span>'
            f"{warning}</td>"
        )
    version = f' data-version="{cell["version"]}"' if cell else ""
    return (
        f'<td class="{classes}" id="{cell_id}" role="gridcell"><a class="cell-button" '
        f'href="{prefix or _cell_url_prefix()}{duty_id}/{role_id}/{next_query}"{version} {named} '
        f'aria-describedby="{described}">{label}</a>{warning}</td>'
    )


@functools.cache
def _cell_url_prefix() -> str:
    # reverse() once per page rather than once per cell: "/matrix/cells/".
    return reverse("matrix-cell", args=[0, 0]).removesuffix("0/0/")


def _next_query(next_url: str) -> str:
    return escape("?" + urlencode({"next": next_url})) if next_url else ""


@register.simple_tag
def raci_cells(row, columns, editable: set, next_url: str, prefix: str = "") -> str:
    """Every cell of one matrix row, in column order (`prefix`: where its cells are
    edited, when not live: "/drafts/3/cells/")."""
    next_query = _next_query(next_url)
    duty_id = row.duty["pk"]
    can_edit = duty_id in editable
    # Safe: _cell_html escapes every value it writes (ids are numbers, labels constants).
    return mark_safe(
        "".join(
            _cell_html(
                duty_id,
                column.role.id,
                row.assigned.get(column.role.id),
                can_edit,
                next_query,
                prefix=prefix,
            )
            for column in columns
        )
    )


@register.simple_tag
def raci_cell(
    duty, role, cell, editable: set, next_url: str, message: str = "", prefix: str = ""
) -> str:
    """One cell, as an edit returns it (with the edit's warning, if it was refused)."""
    # Safe: _cell_html escapes every value it writes.
    return mark_safe(
        _cell_html(
            duty["pk"],
            role.id,
            cell,
            duty["pk"] in editable,
            _next_query(next_url),
            message or "",
            prefix=prefix or "",
        )
    )


@register.simple_tag
def letter_names() -> str:
    """The hidden names of the letters that every cell's aria-labelledby ends with."""
    names = [
        ("", gettext("none")),
        *((letter, raci.LETTER_LABELS[letter]) for letter in raci.LETTERS),
    ]
    return mark_safe(
        "".join(f'<span hidden id="lt-{letter}">{escape(name)}</span>' for letter, name in names)
    )


# ---------------------------------------------------------------- matrix headers
#
# The PRODUCTION page of the O*NET organisation has 57 role columns and 50 duty rows,
# each with its findings: written by the template's tags, the headers and flags cost as
# much as the 2,850 cells (about 20 of the page's 60 ms of rendering). One function each
# writes them, escaped as the template did.


def _flag_html(finding, suggestion: bool) -> str:
    body = f"<p>{escape(finding.message)}</p>"
    if suggestion and finding.suggestion:
        body += f'<p class="muted">{escape(finding.suggestion)}</p>'
    return (
        f'<details class="flag flag-{escape(finding.severity)}" data-rule="{escape(finding.rule)}">'
        f"<summary>{escape(rule_label(finding.rule))}</summary>"
        f'<div class="flag-body">{body}</div></details>'
    )


@register.simple_tag
def column_heads(columns, scope) -> str:
    """The matrix's role column headers: the role (linked, or to a draft's page for a
    role new in it), its department's code where it is another department's or the
    matrix is a project's, "vacant" / "inactive", and the role's findings."""
    vacant, inactive = escape(gettext("vacant")), escape(gettext("inactive"))
    heads = []
    for column in columns:
        role = column.role
        classes = "role-head"
        if not column.own:
            classes += " foreign"
        if not role.active:
            classes += " inactive"
        url = column.variant_url or detail_url("role-detail", role.id)
        markup = (
            f'<th scope="col" role="columnheader" class="{classes}" id="role-{role.id}">\n'
            f'<a href="{escape(url)}" id="rt-{role.id}">{escape(role.title)}</a>\n'
        )
        if column.variant_note:
            markup += f'<span class="badge badge-draft">{escape(column.variant_note)}</span>\n'
        if not column.own or scope.project:
            markup += f'<span class="dept-code">{escape(role.department_code)}</span>\n'
        if role.vacant and role.active:
            markup += f'<span class="badge badge-warn">{vacant}</span>\n'
        if not role.active:
            markup += f'<span class="badge">{inactive}</span>\n'
        markup += "".join(_flag_html(finding, suggestion=False) for finding in column.findings)
        heads.append(markup + "</th>")
    return mark_safe("\n".join(heads))


@register.simple_tag
def duty_head(duty: dict, variant=None) -> str:
    """A matrix row's header: the duty (linked, or in a draft to the draft's page of
    it), its project, "inactive", and a draft's note and edit link."""
    url = (variant and duty.get("variant_url")) or detail_url("duty-detail", duty["pk"])
    markup = (
        '<th scope="row" role="rowheader" class="duty-cell">\n'
        f'<a href="{escape(url)}" id="dt-{duty["pk"]}">{escape(duty["title"])}</a>\n'
    )
    if duty.get("project__code"):
        markup += f'<span class="badge">{escape(duty["project__code"])}</span>\n'
    if not duty.get("active"):
        markup += f'<span class="badge">{escape(gettext("inactive"))}</span>\n'
    if variant:
        if duty.get("variant_note"):
            markup += f'<span class="badge badge-draft">{escape(duty["variant_note"])}</span>\n'
        if duty.get("variant_edit_url"):
            label = escape(variant.context.get("edit_duty_label", ""))
            markup += (
                f'<a class="variant-edit small" href="{escape(duty["variant_edit_url"])}">'
                f"{label}</a>\n"
            )
    return mark_safe(markup + "</th>")


@register.simple_tag
def row_flags(duty: dict, findings, oob: bool = False) -> str:
    """A matrix row's findings cell (also swapped out of band after a cell edit)."""
    swap = ' hx-swap-oob="true"' if oob else ""
    flags = "\n".join(_flag_html(finding, suggestion=True) for finding in findings)
    return mark_safe(
        f'<td class="flags" role="gridcell" id="flags-{duty["pk"]}"{swap}>\n{flags}\n</td>'
    )


@register.simple_tag
def matrix_rows(rows, columns, editable: set, next_url: str, prefix: str = "", variant=None):
    """Every row of a matrix page: the duty's header, its findings and its cells (the
    template's loop around the three cost as much as the headers and flags: 1.5 ms for
    50 rows)."""
    markup = []
    for row in rows:
        duty = row.duty
        inactive = "" if duty.get("active") else ' class="inactive"'
        markup.append(
            f'<tr id="duty-{duty["pk"]}"{inactive}>\n'
            f"{duty_head(duty, variant)}\n{row_flags(duty, row.findings)}\n"
            f"{raci_cells(row, columns, editable, next_url, prefix)}\n</tr>"
        )
    # Safe: each part is escaped by the function that writes it.
    return mark_safe("\n".join(markup))


# ---------------------------------------------------------------- search results
#
# A search page lists up to 30 duties, each with its Accountable and Responsible roles
# and the people holding them: an included template per owner cost the page most of
# its rendering (about 20 of 30 ms on the O*NET organisation). One function writes an
# owner, escaped like the template did it.


def _holder_html(holder) -> str:
    markup = f'<a href="{escape(holder.url)}">{escape(holder.name)}</a>'
    if holder.email:
        email = escape(holder.email)
        markup += f' <a class="small" href="mailto:{email}">{email}</a>'
    if holder.phone:
        markup += f' <span class="small">{escape(holder.phone)}</span>'
    return markup


@register.simple_tag
def search_owner(owner, plain: bool = False) -> str:
    """An owner of a duty in the search results (a `search.Owner`): its role (linked,
    with its department) and the people holding it now (linked, with e-mail and
    phone), or "vacant". `plain`: as text for the header's live results, where every
    option is one link already."""
    department = escape(owner.department.name)
    if plain:
        people = ", ".join(
            escape(holder.name) + (f" {escape(holder.email)}" if holder.email else "")
            for holder in owner.holders
        )
        return mark_safe(
            f"{escape(owner.title)} ({department}): {people or escape(gettext('vacant'))}"
        )
    people = "; ".join(_holder_html(holder) for holder in owner.holders)
    if not people:
        people = f'<span class="badge badge-warn">{escape(gettext("vacant"))}</span>'
    return mark_safe(
        f'<span class="owner"><a href="{escape(owner.url)}">{escape(owner.title)}</a>'
        f' <span class="muted">({department})</span>:\n{people}</span>\n'
    )  # the newline: owners listed one after another stay apart
