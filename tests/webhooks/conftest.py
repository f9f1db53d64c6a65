"""Helpers for the webhook tests: endpoints on a local receiver (pytest-httpserver),
allowed by WEBHOOK_ALLOWED_NETWORKS (tests/conftest.py starts every test with no
subscriptions cached)."""

from __future__ import annotations

import pytest

from orgmap.webhooks import services
from orgmap.webhooks.models import EVENT_TYPE_NAMES


@pytest.fixture
def local_receiver(settings):
    """Webhooks may reach this machine (the receiver of the test)."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def make_endpoint(db, local_receiver, httpserver):
    """make_endpoint(events=[...], path="/hook") -> (endpoint, secret) on the receiver."""

    def make(*, events=tuple(EVENT_TYPE_NAMES), path: str = "/hook", by=None):
        return services.endpoint_create(
            url=httpserver.url_for(path), events=list(events), description="", by=by
        )

    return make
