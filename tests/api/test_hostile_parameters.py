"""Hostile parameters in the API's paths and query strings answer 400 or 404 (JSON),
never a 500: each read of the API table with each filter the API reads, and each
detail URL with its id or code, set to a NUL byte, a slash, a long value, a non-number,
a number too large for the database and a superscript digit."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from orgmap.api.throttling import PerTokenThrottle

from ..test_hostile_parameters import HOSTILE
from .authz_table import rows

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
_READS = re.compile(
    r"""(?:query_params\.get|query_\w+\(self\.request,|_param\(self\.request,|_param\(request,)\s*\(?["']([a-z_]+)["']"""
)

DETAILS = [
    "/api/v1/departments/{}/",
    "/api/v1/roles/{}/",
    "/api/v1/roles/{}/description/",
    "/api/v1/people/{}/",
    "/api/v1/role-holders/{}/",
    "/api/v1/projects/{}/",
    "/api/v1/duties/{}/",
    "/api/v1/cells/{}/1/",
    "/api/v1/meetings/{}/",
]


def api_query_parameters() -> set[str]:
    names = {"department", "project", "q", "cursor", "page_size", "dry_run"}
    for path in [
        *(ROOT / "orgmap" / "api").glob("*.py"),
        *(ROOT / "responsibilities" / "api").glob("*.py"),
        ROOT / "collaboration" / "meetings" / "api.py",
    ]:
        names |= set(_READS.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_scan_finds_the_filters_we_know_of():
    assert {
        "rule",
        "severity",
        "letter",
        "role",
        "duty",
        "active",
        "starts_from",
    } <= api_query_parameters()


def test_hostile_query_parameters_never_answer_500(org, admin_user, api_client_for, monkeypatch):
    monkeypatch.setattr(PerTokenThrottle, "rate", "100000/min", raising=False)
    client = api_client_for(admin_user, "session")
    reads = [row.url.split("?")[0] for row in rows(org) if row.method == "get"]
    failures = []
    for url in reads:
        for name in sorted(api_query_parameters()):
            for label, value in HOSTILE.items():
                response = client.get(f"{url}?{urlencode({name: value})}")
                if response.status_code >= 500 or response.status_code not in (200, 400, 404):
                    failures.append(f"{url} {name}={label}: {response.status_code}")
    assert not failures, "\n".join(failures[:50])


def test_hostile_path_parameters_answer_404(org, admin_user, api_client_for):
    client = api_client_for(admin_user, "session")
    failures = []
    for pattern in DETAILS:
        for label, value in HOSTILE.items():
            url = pattern.format(quote(value, safe=""))
            response = client.get(url)
            if response.status_code not in (400, 404):
                failures.append(f"{url[:80]} ({label}): {response.status_code}")
    assert not failures, "\n".join(failures)
