"""Cursor pagination on every list: stable under inserts, no COUNT over the table."""

from __future__ import annotations

from django.conf import settings
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size_query_param = "page_size"
    max_page_size = 200

    @property
    def page_size(self) -> int:  # read at request time, so tests can change it
        return settings.API_PAGE_SIZE
