"""A role description as lines: what a version stores, fingerprints and compares.

Each line has a stable key (what it is about: the purpose, one duty, one duty's
measures), a section (the letter, or "purpose", "measure"…) and its text. A duty that
changes letter, title, department or project keeps its key, so a diff says "changed"
rather than "removed + added". The holders and the "works with" list are not part of
the description a holder confirms: a new colleague changes neither.

The lines of many roles are read in two queries (their rows, their cells on active
duties), in the order of the role description page (role_documents.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from orgmap.models import Role

from .. import raci
from ..models import Assignment

Line = dict  # {"key": str, "section": str, "text": str}

TITLE, DEPARTMENT, PURPOSE, MEASURE = "title", "department", "purpose", "measure"
# The role description page's groups, in its order (A/R sits between A and R).
LETTER_ORDER = (raci.A, raci.AR, raci.R, raci.C, raci.I)


def _duty_text(title: str, department: str, project: str | None) -> str:
    where = f"{department} · {project}" if project else department
    return f"{title} ({where})"


def role_lines(role_ids: Iterable[int]) -> dict[int, list[Line]]:
    """{role id: its description's lines}, in two queries for any number of roles."""
    role_ids = set(role_ids)
    if not role_ids:
        return {}
    roles = Role.objects.filter(pk__in=role_ids).values(
        "pk", "title", "purpose", "department__name"
    )
    cells: dict[int, list[dict]] = defaultdict(list)
    for cell in Assignment.objects.filter(role_id__in=role_ids, duty__active=True).values(
        "role_id",
        "letter",
        "duty_id",
        "duty__title",
        "duty__kpis",
        "duty__department__name",
        "duty__project__name",
    ):
        cells[cell["role_id"]].append(cell)
    return {role["pk"]: _lines(role, cells[role["pk"]]) for role in roles}


def _lines(role: dict, cells: list[dict]) -> list[Line]:
    lines = [
        {"key": TITLE, "section": TITLE, "text": role["title"]},
        {"key": DEPARTMENT, "section": DEPARTMENT, "text": role["department__name"]},
        {"key": PURPOSE, "section": PURPOSE, "text": role["purpose"].strip()},
    ]
    order = {letter: position for position, letter in enumerate(LETTER_ORDER)}
    cells = sorted(cells, key=lambda c: (order[c["letter"]], *raci.title_key(c["duty__title"])))
    for cell in cells:
        text = _duty_text(
            cell["duty__title"], cell["duty__department__name"], cell["duty__project__name"]
        )
        lines.append({"key": f"duty:{cell['duty_id']}", "section": cell["letter"], "text": text})
    for cell in cells:
        if cell["letter"] != raci.I and cell["duty__kpis"].strip():
            text = f"{cell['duty__title']}: {cell['duty__kpis'].strip()}"
            lines.append({"key": f"kpis:{cell['duty_id']}", "section": MEASURE, "text": text})
    return lines


def fingerprint(lines: list[Line]) -> str:
    """sha256 of the lines' canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(lines, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ differences

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"


@dataclass(frozen=True)
class DiffRow:
    kind: str  # added, removed, changed, same
    key: str
    before: Line | None
    after: Line | None


def diff(before: list[Line], after: list[Line]) -> list[DiffRow]:
    """The two versions side by side, in the newer one's order with removed lines
    where they stood: one row per key."""
    old = {line["key"]: line for line in before}
    new_keys = {line["key"] for line in after}
    rows: list[DiffRow] = []
    removed_after: dict[str | None, list[Line]] = defaultdict(list)
    previous: str | None = None
    for line in before:
        if line["key"] not in new_keys:
            removed_after[previous].append(line)
        else:
            previous = line["key"]
    rows += [DiffRow(REMOVED, line["key"], line, None) for line in removed_after[None]]
    for line in after:
        was = old.get(line["key"])
        if was is None:
            rows.append(DiffRow(ADDED, line["key"], None, line))
        elif was == line:
            rows.append(DiffRow(SAME, line["key"], was, line))
        else:
            rows.append(DiffRow(CHANGED, line["key"], was, line))
        rows += [DiffRow(REMOVED, gone["key"], gone, None) for gone in removed_after[line["key"]]]
    return rows


def summary(rows: Iterable[DiffRow]) -> dict[str, int]:
    counts = {ADDED: 0, REMOVED: 0, CHANGED: 0}
    for row in rows:
        if row.kind in counts:
            counts[row.kind] += 1
    return counts
