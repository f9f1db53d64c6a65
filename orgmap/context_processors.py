from __future__ import annotations

from django.http import HttpRequest

from . import permissions


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "can_manage_access_nav": user is not None and permissions.can_manage_access(user),
        "can_manage_webhooks_nav": user is not None and permissions.can_manage_webhooks(user),
    }
