"""Helpers for the webhook tests: endpoints on a local receiver (pytest-httpserver),
allowed by WEBHOOK_ALLOWED_NETWORKS, and a clean subscription cache around each test."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from orgmap.webhooks import services
from orgmap.webhooks.events import SUBSCRIPTIONS_KEY
from orgmap.webhooks.models import EVENT_TYPE_NAMES


@pytest.fixture(autouse=True)
def _subscriptions_cache():
    # An endpoint made by a test is rolled back with it; the cached list of subscribed
    # types must not outlive it, or later tests (of other apps) would record events.
    cache.delete(SUBSCRIPTIONS_KEY)
    yield
    cache.delete(SUBSCRIPTIONS_KEY)


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
