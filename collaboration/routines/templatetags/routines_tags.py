"""The rich-text filter: user rich text, sanitised, is how charters are shown."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from .. import richtext

register = template.Library()


@register.filter
def richtext_html(text: str) -> SafeString:
    """User rich text, sanitised (richtext.py): the only way charters are shown."""
    return richtext.render(text or "")
