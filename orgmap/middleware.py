from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class ProfileLanguageMiddleware:
    """Speak the language a signed-in person chose in their profile, whatever their
    browser asks for; without a choice, and for anonymous visitors, LocaleMiddleware's
    (the browser's) language stands."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = user.profile.language  # empty: LocaleMiddleware's choice stands
            if language and language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class ProfileTimeZoneMiddleware:
    """Show dates and times in the time zone a signed-in person chose in their profile;
    without a choice (and for anonymous visitors) the organisation's TIME_ZONE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated and user.profile.time_zone:
            try:
                zone = zoneinfo.ZoneInfo(user.profile.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None  # a zone the system no longer knows: the organisation's
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
