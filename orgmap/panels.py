"""Panels that the higher layers add to the organisation's pages.

orgmap is the lowest layer: its department, project and role pages may not import the
duties (responsibilities) or the routines (collaboration). Each of those apps registers,
in its AppConfig.ready(), a function that renders its part of a page; the page's view
asks for the panels of a slot and shows them in order. The page works, with fewer
panels, if an app is not installed.

Slots: "<page>-actions" (buttons in the page head), "<page>-facts" (<dt>/<dd> pairs in
the page's facts list) and "<page>" (sections in the body), for the pages "department",
"project" and "role".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

# A panel function receives the request and the page's subject (a Department, a Project,
# a Role) and returns rendered HTML, or "" when it has nothing to show.
PanelFunction = Callable[[HttpRequest, Any], str]

_panels: dict[str, list[tuple[int, PanelFunction]]] = defaultdict(list)


def register(slot: str, function: PanelFunction, *, order: int = 100) -> None:
    """Add a panel to a slot; lower `order` comes first. Registering twice is harmless."""
    if any(existing is function for _, existing in _panels[slot]):
        return
    _panels[slot].append((order, function))
    _panels[slot].sort(key=lambda entry: entry[0])


def render_slot(slot: str, request: HttpRequest, subject: Any) -> SafeString:
    """The HTML of every panel of a slot, in order."""
    parts = [function(request, subject) for _, function in _panels[slot]]
    return mark_safe("".join(part for part in parts if part))


@dataclass
class PageVariant:
    """A department or role page shown other than live, e.g. in a draft
    (collaboration/drafts): `panels` replaces the panels of some slots (a function
    there may still render the slot's own panels with render_slot), `url` gives the
    address of a department or role it links to (so that links stay in the draft),
    `banner` is a template shown above the page with `context`."""

    banner: str
    url: Callable[[Any], str]
    panels: dict[str, PanelFunction] = field(default_factory=dict)
    context: dict = field(default_factory=dict)


def page_panels(
    page: str, request: HttpRequest, subject: Any, variant: PageVariant | None = None
) -> dict[str, SafeString]:
    """The slots of a page, for its template: `panels.<page>_actions` (buttons in the
    page head), `panels.<page>_facts` (inside its facts list) and `panels.<page>`
    (sections in the body); a `variant`'s own panels in place of those it replaces."""
    replaced = variant.panels if variant is not None else {}

    def slot(name: str) -> SafeString:
        if name in replaced:
            return mark_safe(replaced[name](request, subject))
        return render_slot(name, request, subject)

    return {
        f"{page}_actions": slot(f"{page}-actions"),
        f"{page}_facts": slot(f"{page}-facts"),
        page: slot(page),
    }
