from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from orgmap.models import Heartbeat
from orgmap.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_healthy_after_a_heartbeat(client_for):
    heartbeat.delay()  # eager in tests: runs the real task
    response = client_for(None).get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["broker"]["ok"] is True


def test_healthz_fails_without_a_heartbeat(client_for):
    response = client_for(None).get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {"ok": False, "error": "no heartbeat yet"}


def test_healthz_fails_when_beat_is_stale(client_for, settings):
    Heartbeat.objects.create(name="beat", at=timezone.now() - datetime.timedelta(minutes=10))
    settings.HEARTBEAT_MAX_AGE_SECONDS = 300
    response = client_for(None).get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["beat"]["ok"] is False


def test_healthz_fails_when_broker_is_unreachable(client_for):
    heartbeat.delay()
    with mock.patch("kombu.Connection.ensure_connection", side_effect=OSError("refused")):
        response = client_for(None).get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"ok": False, "error": "OSError"}
