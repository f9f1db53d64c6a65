from __future__ import annotations

from django import template
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


@register.filter
def cell_at(cells: list, index: int):
    return cells[index]
