"""Rows of the UI authorization table (tests/test_authorization_table.py) for the API
tokens panel of the profile page. The API's own endpoints have their table in
tests/api/authz_table.py."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from orgmap.api import tokens


def profile_token_rows(h) -> dict[str, tuple[str, dict]]:
    member = get_user_model().objects.get(username="member")
    token, _raw = tokens.token_create(user=member, name="HR sync", expires_at=None)
    return {
        # An empty form: 400 with the form's errors, for everyone logged in.
        "profile-token-create": (
            reverse("profile-token-create"),
            {**{p: (405, 400) for p in h.LOGGED_IN}, "anonymous": (h.LOGIN, h.LOGIN)},
        ),
        # Only the token's own person may revoke it; for others it does not exist.
        "profile-token-revoke": (
            reverse("profile-token-revoke", args=[token.pk]),
            {
                **{p: (405, 404) for p in h.LOGGED_IN},
                "member": (405, 302),
                "anonymous": (h.LOGIN, h.LOGIN),
            },
        ),
    }
