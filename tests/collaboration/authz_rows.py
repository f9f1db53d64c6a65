"""Rows of the authorization table (tests/test_authorization_table.py) for the
meeting, calendar, review and notification URLs. Same format as build_table()."""

from __future__ import annotations


def meeting_rows(helpers) -> dict:
    return {}
