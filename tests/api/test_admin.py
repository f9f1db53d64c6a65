"""Org admins see every token in the admin and can revoke them; nobody adds one there."""

from __future__ import annotations

import pytest

from orgmap.api.models import ApiToken

from .conftest import token_client, token_for

pytestmark = pytest.mark.django_db


def test_admin_lists_and_revokes_tokens_without_their_secret(admin_user, member, client_for):
    raw = token_for(member)
    client = client_for(admin_user)
    page = client.get("/admin/api/apitoken/")
    assert page.status_code == 200 and "test" in page.text
    assert raw.split("_", 2)[2] not in page.text
    assert client.get("/admin/api/apitoken/add/").status_code == 403
    token = ApiToken.objects.get(user=member)
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert token_client(raw).get("/api/v1/departments/").json()["code"] == "token_revoked"
