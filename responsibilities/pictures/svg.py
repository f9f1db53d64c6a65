"""The whole org chart as one SVG picture (and, through WeasyPrint, a PDF): the layout is
computed here, top-down, each department a box listing its roles and holders.

The layout is a simple tidy tree: leaves side by side in name order, a parent centred
over its children, each level as tall as its tallest box. No JavaScript is involved, so
the file is the same in a browser, a PDF and an email attachment.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .orgchart import GAP, OVERLAP, OVERLOAD, Chart, DepartmentCard

BOX_WIDTH = 250
PADDING = 8
LINE = 15
HEAD = 42  # name and the roles / vacancies line
BADGE_LINE = 18
GAP_X = 24
GAP_Y = 44
MARGIN = 16
FONT_SIZE = 11
COLOURS = {GAP: "#b42318", OVERLAP: "#9a6700", OVERLOAD: "#6d28d9"}
FONT_FAMILY = "DejaVu Sans, Noto Sans CJK SC, Noto Sans, sans-serif"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of the drawn width: wide (CJK) characters count double."""
    return sum(size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6) for ch in text)


def fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


@dataclass
class Box:
    card: DepartmentCard
    x: float = 0
    y: float = 0
    height: float = 0


def _badge_text(kind: str, count: int) -> str:
    if kind == GAP:
        return ngettext("%(count)d gap", "%(count)d gaps", count) % {"count": count}
    if kind == OVERLAP:
        return ngettext("%(count)d overlap", "%(count)d overlaps", count) % {"count": count}
    return ngettext("%(count)d overloaded", "%(count)d overloaded", count) % {"count": count}


def _box_height(card: DepartmentCard) -> float:
    roles = len(card.roles or [])
    return HEAD + (BADGE_LINE if card.badges else 0) + roles * LINE + PADDING


def layout(chart: Chart) -> tuple[list[Box], float, float]:
    """Boxes with their positions, and the picture's width and height."""
    boxes: dict[int, Box] = {card.pk: Box(card, height=_box_height(card)) for card in chart.walk()}
    row_height: dict[int, float] = {}
    for box in boxes.values():
        row_height[box.card.depth] = max(row_height.get(box.card.depth, 0), box.height)
    row_top = {}
    top = MARGIN
    for depth in sorted(row_height):
        row_top[depth] = top
        top += row_height[depth] + GAP_Y
    cursor = MARGIN

    def place(card: DepartmentCard) -> float:
        nonlocal cursor
        box = boxes[card.pk]
        box.y = row_top[card.depth]
        if card.children:
            centres = [place(child) for child in card.children]
            box.x = (centres[0] + centres[-1]) / 2 - BOX_WIDTH / 2
        else:
            box.x = cursor
            cursor += BOX_WIDTH + GAP_X
        return box.x + BOX_WIDTH / 2

    for root in chart.roots:
        place(root)
    width = max(cursor - GAP_X + MARGIN, BOX_WIDTH + 2 * MARGIN)
    height = top - GAP_Y + MARGIN
    return list(boxes.values()), width, height


def _text(x: float, y: float, text: str, *, full: str = "", **attributes) -> str:
    """A <text>; when `text` was shortened, the `full` text is its tooltip and name."""
    extra = "".join(
        f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items()
    )
    tooltip = f"<title>{escape(full)}</title>" if full and full != text else ""
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{tooltip}{escape(text)}</text>'


def _connectors(boxes: list) -> list[str]:
    """Parent's bottom to child's top, elbowed; drawn first, under the boxes."""
    by_pk = {box.card.pk: box for box in boxes}
    parts = []
    for box in boxes:
        parent = by_pk.get(box.card.parent_id)
        if parent is None:
            continue
        x1, y1 = parent.x + BOX_WIDTH / 2, parent.y + parent.height
        x2, y2 = box.x + BOX_WIDTH / 2, box.y
        middle = y2 - GAP_Y / 2
        parts.append(
            f'<path d="M{x1:.0f} {y1:.0f} V{middle:.0f} H{x2:.0f} V{y2:.0f}" '
            'fill="none" stroke="#9aa4b8" stroke-width="1.2"/>'
        )
    return parts


def _box_head(box) -> list[str]:
    """A department's frame, name and its code with role and vacancy counts."""
    card, x, y = box.card, box.x, box.y
    inner = BOX_WIDTH - 2 * PADDING
    meta = ngettext("%(count)d role", "%(count)d roles", card.role_count) % {
        "count": card.role_count
    }
    if card.vacant_count:
        meta += " · " + ngettext("%(count)d vacant", "%(count)d vacant", card.vacant_count) % {
            "count": card.vacant_count
        }
    return [
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{BOX_WIDTH}" height="{box.height:.0f}" '
        'rx="6" fill="#f7f9fc" stroke="#3b5bdb" stroke-width="1.2"/>',
        _text(
            x + PADDING,
            y + 17,
            fit(card.name, inner, 13),
            full=card.name,
            font_size="13",
            font_weight="bold",
        ),
        _text(x + PADDING, y + 33, fit(f"{card.code} · {meta}", inner), fill="#5b6478"),
    ]


def _badges(box, line_y: float) -> list[str]:
    parts = []
    badge_x = box.x + PADDING
    for badge in box.card.badges:
        label = _badge_text(badge.kind, badge.count)
        badge_width = text_width(label, 10) + 10
        parts.append(
            f'<rect x="{badge_x:.0f}" y="{line_y - 2:.0f}" width="{badge_width:.0f}" '
            f'height="15" rx="7" fill="{COLOURS[badge.kind]}"/>'
        )
        parts.append(_text(badge_x + 5, line_y + 9, label, font_size="10", fill="#ffffff"))
        badge_x += badge_width + 4
    return parts


def _role_line(box, role, line_y: float) -> list[str]:
    """A role's title on the left, its holders (or "vacant") on the right."""
    inner = BOX_WIDTH - 2 * PADDING
    holder = (
        ", ".join(role.holders) if role.holders else (_("vacant") if role.active else _("inactive"))
    )
    holder_width = min(text_width(holder), inner * 0.45)
    return [
        _text(
            box.x + PADDING,
            line_y + 10,
            fit(role.title, inner - holder_width - 6),
            full=role.title,
            font_weight="bold" if role.is_head else "normal",
            fill="#1d2433" if role.active else "#8a93a6",
        ),
        _text(
            box.x + BOX_WIDTH - PADDING,
            line_y + 10,
            fit(holder, holder_width),
            full=holder,
            text_anchor="end",
            fill="#b42318" if role.vacant else "#5b6478",
        ),
    ]


def _box(box) -> list[str]:
    parts = [f'<g id="{box.card.dom_id}">', *_box_head(box)]
    line_y = box.y + HEAD
    if box.card.badges:
        parts += _badges(box, line_y)
        line_y += BADGE_LINE
    for role in box.card.roles or []:
        parts += _role_line(box, role, line_y)
        line_y += LINE
    parts.append("</g>")
    return parts


def chart_svg(chart: Chart, *, title: str) -> tuple[str, float, float]:
    """The chart (every department open) as a standalone SVG document, with its width
    and height in pixels."""
    boxes, width, height = layout(chart)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-labelledby="chart-title" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
        *_connectors(boxes),
    ]
    for box in boxes:
        parts += _box(box)
    parts.append("</svg>")
    return "\n".join(parts), width, height


def chart_pdf_html(svg: str, *, width: float, height: float, font_family: str) -> str:
    """An HTML page exactly the picture's size, for WeasyPrint."""
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width:.0f}px {height:.0f}px; margin: 0; }}"
        f"html, body {{ margin: 0; font-family: {font_family}; }} svg {{ display: block; }}"
        f"</style></head><body>{svg}</body></html>"
    )
