"""The header's language switch: Django's set_language for everyone, and for a
signed-in person the profile language too (ProfileLanguageMiddleware would otherwise
bring the old language back on the next page)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    # set_language checks the language and the "next" address (same host only) and
    # sets the cookie; an unknown language changes nothing and just redirects.
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in LANGUAGE_CODES:
        profile = user.profile
        if profile.language != language:
            profile.language = language
            profile.save(update_fields=["language"])
    return response
