"""Data every page's header needs from the reminders: the bell's unread count."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def notification_bell(request: HttpRequest) -> dict:
    """The bell's count comes with the page (one query, only when a page shows the bell)
    instead of an extra request after every page load."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
