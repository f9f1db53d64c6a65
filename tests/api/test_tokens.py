"""Personal API tokens: the profile page's panel, hashing, expiry, revocation, last use,
and throttling per token."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from orgmap.api import tokens
from orgmap.api.models import ApiToken
from orgmap.api.throttling import PerTokenThrottle

from .conftest import token_client, token_for

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_stored_hashed(member, client_for):
    client = client_for(member)
    response = client.post("/profile/tokens/", {"name": "HR sync", "expires_in": "30"})
    assert response.status_code == 201
    raw = response.context["new_token"]
    assert raw.startswith("om_") and raw in response.text
    token = ApiToken.objects.get(user=member)
    assert token.name == "HR sync"
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.split("_", 2)[2] not in str(list(ApiToken.objects.values()))
    assert token.expires_at - timezone.now() > datetime.timedelta(days=29)
    # Never again: the page lists the token by its prefix only.
    page = client.get("/profile/")
    assert raw not in page.text and f"om_{token.prefix}_" in page.text
    # And it works.
    assert token_client(raw).get("/api/v1/departments/").status_code == 200


def test_a_token_without_a_name_is_refused(member, client_for):
    response = client_for(member).post("/profile/tokens/", {"name": "  ", "expires_in": ""})
    assert response.status_code == 400
    assert response.context["token_form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_the_token_acts_as_its_person(org, member, sales_manager):
    response = token_client(token_for(member)).put(
        f"/api/v1/cells/{org['duty'].pk}/{org['analyst'].pk}/",
        {"letter": "R", "version": 0},
        format="json",
    )
    assert response.status_code == 403
    response = token_client(token_for(sales_manager)).put(
        f"/api/v1/cells/{org['duty'].pk}/{org['analyst'].pk}/",
        {"letter": "R", "version": 0},
        format="json",
    )
    assert response.status_code == 200


def test_an_expired_token_is_refused(org, expired_token):
    response = token_client(expired_token).get("/api/v1/departments/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(member, client_for):
    raw = token_for(member)
    token = ApiToken.objects.get(user=member)
    response = client_for(member).post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = token_client(raw).get("/api/v1/departments/")
    assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"


def test_nobody_revokes_someone_elses_token(member, sales_manager, client_for):
    token_for(member)
    token = ApiToken.objects.get(user=member)
    assert client_for(sales_manager).post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_of_an_inactive_person_is_refused(member):
    raw = token_for(member)
    member.is_active = False
    member.save(update_fields=["is_active"])
    answer = token_client(raw).get("/api/v1/departments/")
    assert answer.status_code == 401 and answer.json()["code"] == "account_inactive"


@pytest.mark.parametrize(
    "header, code",
    [
        ("Bearer", "token_malformed"),
        ("Bearer a b", "token_malformed"),
        ("Bearer om_nothing", "token_malformed"),
        ("Bearer om_abcdef012345_wrongsecret", "token_unknown"),
        ("Bearer tokén", "token_malformed"),
    ],
)
def test_malformed_and_unknown_tokens_answer_401(db, header, code):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/departments/")
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_a_right_prefix_with_a_wrong_secret_is_refused(member):
    raw = token_for(member)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    assert token_client(forged).get("/api/v1/departments/").json()["code"] == "token_unknown"


def test_last_use_is_recorded_at_most_once_a_minute(member, django_assert_num_queries):
    raw = token_for(member)
    token = ApiToken.objects.get(user=member)
    assert token.last_used_at is None
    tokens.token_authenticate(raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup; no write within the minute
        tokens.token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first


def test_throttling_answers_429_per_token(member, monkeypatch):
    monkeypatch.setattr(PerTokenThrottle, "rate", "3/min", raising=False)
    first, second = token_client(token_for(member)), token_client(token_for(member))
    statuses = [first.get("/api/v1/departments/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = first.get("/api/v1/departments/")
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["details"]["retry_after"] > 0
    # Another token of the same person has its own budget.
    assert second.get("/api/v1/departments/").status_code == 200


def test_session_requests_need_the_csrf_token_for_writes(org, sales_manager):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(sales_manager)
    assert client.get("/api/v1/departments/").status_code == 200
    response = client.put(
        f"/api/v1/cells/{org['duty'].pk}/{org['analyst'].pk}/",
        {"letter": "R", "version": 0},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_tokens_table_keeps_no_plain_secret(member):
    raw = token_for(member)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        stored = repr(cursor.fetchall())
    assert raw.split("_", 2)[2] not in stored
