"""Refuse requests that carry a NUL byte in their path or query string.

No URL, code, title or id of ours contains one, and PostgreSQL refuses it in any
text it is asked to compare ("A string literal cannot contain NUL"), which turned
`/departments/%00/` or `/findings/?department=%00` into 500s. Answering 400 here,
before any view runs, covers every view and every parameter at once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info or _query_has_nul(request):
            raise BadRequest(_("The address contains a NUL character."))
        return self.get_response(request)


def _query_has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "%00" not in query and "\x00" not in query:
        return False
    return any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
    )
