"""The header's "please confirm your role" prompt: one indexed count, only when a page
shows the header (lazy)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import open_request_count


def confirmation_prompt(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"open_confirmations": SimpleLazyObject(lambda: open_request_count(user))}
