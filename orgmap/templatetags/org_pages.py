"""{{ role|page_url:variant }}: the address of a department or role as the page shows
it: live, or in a panels.PageVariant (a draft's pages link to each other)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def page_url(subject, variant=None) -> str:
    if subject is None:
        return ""
    if variant:
        return variant.url(subject)
    return subject.get_absolute_url()
