"""The API's authorization table (tests/api/authz_table.py): every endpoint × persona,
with a token and with the session, and the same decision as the UI page that makes the
same change. Each request runs in a savepoint that is rolled back."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .authz_table import PERSONAS, PUBLIC, covered_names, rows
from .conftest import session_client, token_client, token_for

pytestmark = pytest.mark.django_db


def _call(client, row):
    with transaction.atomic():
        response = getattr(client, row.method)(row.url, row.body, format="json")
        transaction.set_rollback(True)
    return response


def _api_names(resolver=None) -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _api_names(pattern)
        elif isinstance(pattern, URLPattern) and (pattern.name or "").startswith("api-"):
            names.add(pattern.name)
    return names


def test_every_api_url_is_in_the_table(org):
    assert _api_names() == covered_names()
    tested = {row.name for row in rows(org)}
    assert tested == covered_names() - PUBLIC


@pytest.mark.parametrize("mode", ["token", "session"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_api_authorization_table(persona, mode, org):
    user = org["people"][persona]
    client = token_client(token_for(user)) if mode == "token" else session_client(user)
    failures = []
    for row in rows(org):
        want = row.ok if persona in row.allowed else 403
        response = _call(client, row)
        if response.status_code != want:
            failures.append(
                f"{row.method.upper()} {row.url}: {response.status_code}, expected {want} "
                f"{response.content[:200]!r}"
            )
        elif want == 403:
            assert response.json()["code"] == "permission_denied"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_decides_as_the_ui(persona, org):
    """For every write, the persona may make it through the API exactly when one of
    the UI pages that make it lets them in."""
    ui = Client()
    ui.force_login(org["people"][persona])
    failures = []
    for row in rows(org):
        if not row.ui:
            continue
        with transaction.atomic():
            statuses = [getattr(ui, method)(url).status_code for method, url in row.ui]
            transaction.set_rollback(True)
        ui_allows = any(status != 403 for status in statuses)
        if ui_allows != (persona in row.allowed):
            failures.append(
                f"{row.method.upper()} {row.url}: UI {statuses}, API allows {row.allowed}"
            )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "who", ["anonymous", "inactive_token", "inactive_session", "expired_token", "revoked_token"]
)
def test_refused_credentials_answer_401_everywhere(who, org, expired_token, revoked_token):
    inactive = org["inactive"]
    client = {
        "anonymous": lambda: session_client(None),
        "inactive_token": lambda: token_client(token_for(inactive)),
        "inactive_session": lambda: session_client(inactive),
        "expired_token": lambda: token_client(expired_token),
        "revoked_token": lambda: token_client(revoked_token),
    }[who]()
    failures = []
    for row in rows(org):
        response = _call(client, row)
        if response.status_code != 401 or "code" not in response.json():
            failures.append(f"{row.method.upper()} {row.url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_schema_and_its_reference_page_are_public(db):
    client = session_client(None)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
