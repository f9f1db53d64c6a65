"""Rows of the authorization table (tests/test_authorization_table.py) for the
webhooks pages: org admins only. Same format as build_table()."""

from __future__ import annotations

from django.urls import reverse

from orgmap.webhooks.models import Endpoint


def webhook_rows(helpers) -> dict:
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/orgmap", events=["assignment.changed"], secret="whsec_x"
    )
    admins = {"admin"}
    # POST-only actions: 405 for a GET from anyone logged in, 403 for a POST from others.
    post_only = {p: (405, 403) for p in helpers.LOGGED_IN if p not in admins}
    return {
        "webhook-list": (
            reverse("webhook-list"),
            helpers.edit(admins, post=405, denied=(403, 405)),
        ),
        # An empty POST is an incomplete form, shown again with its errors.
        "webhook-create": (reverse("webhook-create"), helpers.edit(admins)),
        "webhook-detail": (reverse("webhook-detail", args=[endpoint.pk]), helpers.edit(admins)),
        "webhook-rotate": (
            reverse("webhook-rotate", args=[endpoint.pk]),
            {**helpers.edit(admins, get=405, post=200), **post_only},
        ),
        "webhook-test": (
            reverse("webhook-test", args=[endpoint.pk]),
            {**helpers.edit(admins, get=405, post=302), **post_only},
        ),
        "webhook-enable": (
            reverse("webhook-enable", args=[endpoint.pk]),
            {**helpers.edit(admins, get=405, post=302), **post_only},
        ),
    }
