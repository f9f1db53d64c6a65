from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's: every page needs a signed-in person, except those marked
    `login_not_required`. An htmx request of an expired session (a cell edit, a live
    search) is sent to the login page as a whole page, coming back to the page it was
    made from — not the login form swapped into a table cell."""

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        page = request.htmx.current_url_abs_path or "/"
        if not url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()}):
            page = "/"
        query = QueryDict(mutable=True)
        query[self.get_redirect_field_name(view_func) or REDIRECT_FIELD_NAME] = page
        login = resolve_url(self.get_login_url(view_func))
        return HttpResponseClientRedirect(f"{login}?{query.urlencode(safe='/')}")


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
