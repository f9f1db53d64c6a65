"""A real Celery prefork worker on Redis and a real HTTP receiver on localhost: a cell
edit produces exactly one signed assignment.changed delivery whose signature verifies;
a receiver failing twice and then succeeding gets the same event id three times, and
the delivery log shows the three attempts.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (CI sets both); the worker is
a separate process reading the test database."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from werkzeug import Response

from orgmap.webhooks import delivery, services
from orgmap.webhooks.models import Delivery, DeliveryAttempt
from responsibilities import raci
from responsibilities import services as cell_services
from tests.celery_worker import celery_worker, is_idle, needs_worker, wait_for
from tests.factories import DepartmentFactory, DutyFactory, RoleFactory

pytestmark = [pytest.mark.django_db(transaction=True), needs_worker]

RETRY_BASE_SECONDS = 0.5


@pytest.fixture
def worker(tmp_path, settings):
    """A prefork worker (one pool process, tests/celery_worker.py); yields its log."""
    assert connection.vendor == "postgresql"
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    with celery_worker(
        tmp_path,
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        WEBHOOK_RETRY_BASE_SECONDS=str(RETRY_BASE_SECONDS),
    ) as log:
        # Starting takes a while on a busy machine (Django, the pool process).
        assert wait_for(lambda: "ready." in log.read_text(), 120), log.read_text()[-3000:]
        yield log


@pytest.fixture
def cell():
    department = DepartmentFactory(code="SALES", name="Sales")
    role = RoleFactory(department=department, title="Head of Sales")
    duty = DutyFactory(department=department, title="Plan the budget")
    return duty, role


def test_a_cell_edit_makes_exactly_one_signed_delivery(worker, httpserver, cell):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    endpoint, secret = services.endpoint_create(
        url=httpserver.url_for("/hook"), events=["assignment.changed"], by=None
    )
    duty, role = cell

    cell_services.assignment_set(duty=duty, role=role, letter=raci.AR, expected_version=0, by=None)

    assert wait_for(lambda: len(httpserver.log) >= 1), worker.read_text()[-3000:]
    assert wait_for(
        lambda: Delivery.objects.filter(endpoint=endpoint, status="delivered").exists(), 10
    )
    # A duplicate, if there were one, would have been sent by the time the worker has
    # finished every task it received.
    assert wait_for(lambda: is_idle(worker)), worker.read_text()[-3000:]
    [(request, _response)] = httpserver.log
    assert request.headers["X-Orgmap-Event"] == "assignment.changed"
    assert delivery.verify_signature(secret, request.headers["X-Orgmap-Signature"], request.data)
    body = json.loads(request.data)
    assert body["id"] == request.headers["X-Orgmap-Event-Id"]
    assert body["data"]["after"] == {"letter": "AR", "version": 1}
    assert body["data"]["duty"]["title"] == "Plan the budget"
    [sent] = Delivery.objects.filter(endpoint=endpoint)
    assert (sent.status, sent.attempts) == ("delivered", 1)


def test_a_receiver_failing_twice_gets_the_same_event_three_times(worker, httpserver, cell):
    answers = iter([500, 502, 200])

    def flaky(request):
        return Response("ok", status=next(answers, 200))

    httpserver.expect_request("/flaky", method="POST").respond_with_handler(flaky)
    endpoint, secret = services.endpoint_create(
        url=httpserver.url_for("/flaky"), events=["assignment.changed"], by=None
    )
    duty, role = cell

    cell_services.assignment_set(duty=duty, role=role, letter=raci.R, expected_version=0, by=None)

    assert wait_for(
        lambda: Delivery.objects.filter(endpoint=endpoint, status="delivered").exists()
    ), worker.read_text()[-3000:]
    assert wait_for(lambda: is_idle(worker)), worker.read_text()[-3000:]
    event_ids = [request.headers["X-Orgmap-Event-Id"] for request, _ in httpserver.log]
    assert len(event_ids) == 3 and len(set(event_ids)) == 1
    for request, _response in httpserver.log:
        assert delivery.verify_signature(
            secret, request.headers["X-Orgmap-Signature"], request.data
        )
    [sent] = Delivery.objects.filter(endpoint=endpoint)
    assert (sent.status, sent.attempts, str(sent.event_id)) == ("delivered", 3, event_ids[0])
    log = list(DeliveryAttempt.objects.filter(delivery=sent).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 500), (2, 502), (3, 200)]
    # Backed off: the second retry waited about twice as long as the first.
    first_wait = (log[1].at - log[0].at).total_seconds()
    second_wait = (log[2].at - log[1].at).total_seconds()
    assert first_wait >= RETRY_BASE_SECONDS
    assert second_wait >= 2 * RETRY_BASE_SECONDS
