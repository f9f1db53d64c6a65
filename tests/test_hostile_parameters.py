"""Hostile parameters get 400 or 404, never a 500 (issue 12, item 8).

Generated from the URL confs: every URL of the authorization table (which a test keeps
equal to the URL confs), with each of its path parameters and then every query
parameter the code reads (found by scanning the views' source) replaced by a NUL
byte, a slash, a very long value, a non-numeric id and a number too large for the
database, fetched as an org admin and as a member.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import resolve
from django.utils import timezone

from collaboration.routines.models import FEEDBACK_TARGETS
from orgmap.models import Heartbeat

from .test_authorization_table import build_table

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = {
    "nul": "\x00",
    "slash": "a/b",
    "long": "x" * 5000,
    "non-numeric": "abc",
    "overflow": "9" * 30,
    "superscript": "²",
}
_READS = re.compile(r"""request\.(?:GET|POST)\.(?:get|getlist)\(\s*["']([A-Za-z_]+)["']""")


def known_query_parameters() -> set[str]:
    """Every parameter name a view reads from the query string or form, by name."""
    names = set(FEEDBACK_TARGETS)  # read by feedback_create through a loop over models
    for package in ("orgmap", "responsibilities", "collaboration"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(_READS.findall(path.read_text(encoding="utf-8")))
    return names


def test_the_scan_finds_the_parameters_we_know_of():
    assert {"department", "project", "page", "q", "version", "focus"} <= known_query_parameters()


def _with_path_parameter(url: str, name: str, value: str) -> str | None:
    """`url` with its path parameter `name` replaced by `value`, built from the route."""
    match = resolve(urlsplit(url).path)
    route = "/" + match.route
    if f":{name}>" not in route and f"<{name}>" not in route:
        return None
    path = route
    for key, current in match.kwargs.items():
        text = value if key == name else str(current)
        path = re.sub(rf"<(?:\w+:)?{key}>", lambda _m, t=text: quote(t, safe="/"), path)
    return path


def hostile_urls() -> list[tuple[str, str]]:
    """(label, url) for every table URL × parameter × hostile value."""
    urls = []
    names = sorted(known_query_parameters())
    for url_name, (url, _expected) in build_table().items():
        if url_name.startswith("admin:"):
            continue
        base = urlsplit(url).path
        for parameter in resolve(base).kwargs:
            for label, value in HOSTILE.items():
                built = _with_path_parameter(url, parameter, value)
                if built:
                    urls.append((f"{url_name} <{parameter}>={label}", built))
        for label, value in HOSTILE.items():
            query = urlencode(dict.fromkeys(names, value))
            urls.append((f"{url_name} ?*={label}", f"{base}?{query}"))
    return urls


@pytest.mark.parametrize("username", ["admin", "member"])
def test_no_hostile_parameter_makes_a_500(username, demo_duties, client):
    Heartbeat.objects.create(name="beat", at=timezone.now())  # /healthz: 200, not 503
    client.raise_request_exception = False
    client.force_login(get_user_model().objects.get(username=username))
    failures = []
    urls = hostile_urls()
    assert len(urls) > 500
    for label, url in urls:
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {label}: {url[:120]}")
    assert not failures, f"{len(failures)} URLs answered 5xx:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "url",
    ["/departments/%00/", "/findings/?department=%00", "/search/?q=a%00b", "/feedback/?x=%00"],
)
def test_a_nul_byte_is_a_bad_request(url, admin_user, client):
    client.raise_request_exception = False
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 400
