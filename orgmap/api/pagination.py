"""Cursor pagination on every list: stable under inserts, no COUNT over the table."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from .errors import invalid


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 200

    page_size = 50

    def get_page_size(self, request) -> int:
        # The default read at request time (API_PAGE_SIZE), so tests can change it.
        self.page_size = settings.API_PAGE_SIZE
        return super().get_page_size(request)

    def decode_cursor(self, request):
        # A cursor the client altered is bad input (400), not a missing page.
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise invalid({self.cursor_query_param: [_("This cursor is not valid.")]}) from None
