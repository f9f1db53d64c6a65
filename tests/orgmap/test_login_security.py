"""Login hardening: throttled failed logins, fresh sessions, deactivated users."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def _login(client: Client, password: str, username: str = "member"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_repeated_wrong_passwords_throttle_then_cool_off_allows_login(member, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "wrong")
        assert response.status_code == 200
        assert "did not match" in response.text
    response = _login(client, "wrong")
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    # While locked, even the right password is refused.
    assert _login(client, "demo").status_code == 429
    assert "_auth_user_id" not in client.session

    # After the cool-off the right password works.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - settings.AXES_COOLOFF_TIME * 2
    )
    response = _login(client, "demo")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_lockout_is_per_username_and_address(member, hr, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    # Another person from the same address, and the same person elsewhere, may log in.
    assert _login(Client(), "demo", username="hr").status_code == 302
    response = Client().post(
        reverse("login"), {"username": "member", "password": "demo"}, REMOTE_ADDR="10.0.0.8"
    )
    assert response.status_code == 302


def test_login_starts_a_new_session(member):
    client = Client()
    client.get(reverse("login"))
    before = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    session_before = client.session.session_key
    assert _login(client, "demo").status_code == 302
    assert client.session.session_key != session_before
    assert before is None or client.cookies["csrftoken"].value != before


def test_deactivated_user_is_logged_out_at_the_next_request(member, client_for):
    client = client_for(member)
    assert client.get(reverse("org-overview")).status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    response = client.get(reverse("org-overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_password_validators_refuse_a_weak_password(member, client_for):
    response = client_for(member).post(
        reverse("password_change"),
        {"old_password": "demo", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.text
    member.refresh_from_db()
    assert member.check_password("demo")
