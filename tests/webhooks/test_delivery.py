"""Delivering: retries with exponential backoff and the same event id, the log of
attempts, giving up, disabling an endpoint after repeated failures (and telling the org
admins), enabling it again, no redirects, timeouts, and the sweep's safety net."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone
from werkzeug import Response

from orgmap.webhooks import delivery, events, services
from orgmap.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event

pytestmark = pytest.mark.django_db

Status = Delivery.Status


def _pending(endpoint: Endpoint, event_type: str = "assignment.changed") -> Delivery:
    event = Event.objects.create(type=event_type, payload={"n": 1}, fanned_out_at=timezone.now())
    return Delivery.objects.create(
        endpoint=endpoint, event=event, next_attempt_at=event.occurred_at
    )


def test_a_receiver_failing_twice_gets_the_same_event_three_times(make_endpoint, httpserver):
    endpoint, _secret = make_endpoint()
    for status in (500, 503, 200):
        httpserver.expect_ordered_request("/hook", method="POST").respond_with_data(
            "busy" if status != 200 else "ok", status=status
        )
    pending = _pending(endpoint)
    now = timezone.now()

    assert delivery.deliver(pending.pk, now=now) == Status.PENDING
    pending.refresh_from_db()
    assert 1 <= (pending.next_attempt_at - now).total_seconds() <= 1.25
    assert delivery.deliver(pending.pk, now=now) == ""  # not due yet: nothing sent
    now = pending.next_attempt_at
    assert delivery.deliver(pending.pk, now=now) == Status.PENDING
    pending.refresh_from_db()
    assert 2 <= (pending.next_attempt_at - now).total_seconds() <= 2.5
    assert delivery.deliver(pending.pk, now=pending.next_attempt_at) == Status.DELIVERED

    ids = [request.headers["X-Orgmap-Event-Id"] for request, _ in httpserver.log]
    assert ids == [str(pending.event_id)] * 3
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.last_status_code) == ("delivered", 3, 200)
    log = list(
        DeliveryAttempt.objects.filter(delivery=pending).values_list("number", "status_code")
    )
    assert log == [(1, 500), (2, 503), (3, 200)]
    assert "busy" in DeliveryAttempt.objects.get(delivery=pending, number=1).error
    endpoint.refresh_from_db()
    assert endpoint.failure_count == 0  # reset by the success


def test_backoff_doubles_with_jitter_and_a_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 60
    for attempts, base in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        delays = {delivery.backoff(attempts) for _ in range(20)}
        assert all(base <= delay <= base * 1.25 for delay in delays)
        assert len(delays) > 1  # jittered


def test_a_delivery_fails_for_good_after_the_last_attempt(make_endpoint, httpserver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    endpoint, _secret = make_endpoint()
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    pending = _pending(endpoint)
    assert delivery.deliver(pending.pk) == Status.PENDING
    pending.refresh_from_db()
    assert delivery.deliver(pending.pk, now=pending.next_attempt_at) == Status.FAILED
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.next_attempt_at) == ("failed", 2, None)
    assert delivery.deliver(pending.pk, now=timezone.now() + datetime.timedelta(days=1)) == ""


def test_an_endpoint_is_disabled_after_n_failures_and_the_admins_are_told(
    make_endpoint, httpserver, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    endpoint, _secret = make_endpoint(events=["assignment.changed"])
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    deliveries = [_pending(endpoint) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for pending in deliveries[:3]:
            assert delivery.deliver(pending.pk) == Status.PENDING
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_at is not None
    assert endpoint.auto_disabled
    assert "HTTP 410" in endpoint.disabled_reason
    # The email goes out after the commit (run the notification callback only).
    notifications = [
        c for c in callbacks if getattr(c, "func", None) is delivery.notify_admins_disabled
    ]
    assert len(notifications) == 1
    notifications[0]()
    [message] = mail.outbox
    assert message.to == [admin_user.email]
    assert endpoint.url in message.subject
    assert "HTTP 410" in message.body
    # A disabled endpoint gets no new events and its waiting deliveries wait.
    assert not events.wanted("assignment.changed")
    assert delivery.deliver(deliveries[3].pk) == ""
    assert len(httpserver.log) == 3


def test_enabling_again_sends_what_waited(
    make_endpoint, httpserver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 1
    endpoint, _secret = make_endpoint()
    httpserver.expect_ordered_request("/hook").respond_with_data("down", status=500)
    first = _pending(endpoint)
    waiting = _pending(endpoint)
    delivery.deliver(first.pk)
    endpoint.refresh_from_db()
    assert not endpoint.active
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.endpoint_enable(endpoint=endpoint) == 2
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failure_count, endpoint.disabled_at) == (True, 0, None)
    waiting.refresh_from_db()
    assert waiting.status == Status.DELIVERED
    first.refresh_from_db()
    assert first.status == Status.DELIVERED and first.attempts == 2


def test_redirects_are_not_followed(make_endpoint, httpserver):
    endpoint, _secret = make_endpoint()
    httpserver.expect_request("/hook").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/elsewhere")})
    )
    pending = _pending(endpoint)
    assert delivery.deliver(pending.pk) == Status.PENDING
    assert [request.path for request, _ in httpserver.log] == ["/hook"]
    pending.refresh_from_db()
    assert pending.last_status_code == 302
    assert "redirects are not followed" in pending.last_error


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    make_endpoint, httpserver, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    endpoint, _secret = make_endpoint()

    def slow(request):
        time.sleep(1)
        return Response("late")

    httpserver.expect_request("/hook").respond_with_handler(slow)
    pending = _pending(endpoint)
    assert delivery.deliver(pending.pk) == Status.PENDING
    pending.refresh_from_db()
    assert pending.last_status_code is None
    assert "Timeout" in pending.last_error
    # Let the receiver finish the request, so that it is not logged in the next test.
    deadline = time.monotonic() + 5
    while not httpserver.log and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_test_event_goes_to_one_endpoint_even_when_disabled(
    make_endpoint, httpserver, django_capture_on_commit_callbacks, admin_user
):
    endpoint, secret = make_endpoint()
    other, _ = make_endpoint(path="/other")
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False)
    httpserver.expect_request("/hook").respond_with_data("ok")
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.test_event_send(endpoint=endpoint, by=admin_user)
    [(request, _response)] = httpserver.log
    assert request.headers["X-Orgmap-Event"] == "webhook.test"
    assert delivery.verify_signature(secret, request.headers["X-Orgmap-Signature"], request.data)
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    assert not Delivery.objects.filter(endpoint=other).exists()


def test_rotating_the_secret_signs_with_the_new_one(
    make_endpoint, httpserver, django_capture_on_commit_callbacks
):
    endpoint, old = make_endpoint()
    new = services.endpoint_rotate_secret(endpoint=endpoint)
    assert new != old and new.startswith("whsec_")
    httpserver.expect_request("/hook").respond_with_data("ok")
    delivery.deliver(_pending(endpoint).pk)
    [(request, _response)] = httpserver.log
    header = request.headers["X-Orgmap-Signature"]
    assert delivery.verify_signature(new, header, request.data)
    assert not delivery.verify_signature(old, header, request.data)


def test_the_sweep_fans_out_lost_events_and_resends_a_dead_workers_attempt(
    make_endpoint, httpserver, settings, django_capture_on_commit_callbacks
):
    endpoint, _secret = make_endpoint()
    httpserver.expect_request("/hook").respond_with_data("ok")
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    lost = Event.objects.create(type="assignment.changed", payload={}, occurred_at=long_ago)
    stuck = _pending(endpoint)
    Delivery.objects.filter(pk=stuck.pk).update(
        status=Status.SENDING, claimed_at=long_ago, attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = delivery.sweep()
    assert (result.fanned_out, result.reclaimed) == (1, 1)
    assert Delivery.objects.get(event=lost).status == Status.DELIVERED
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Status.DELIVERED, 2)
    assert len(httpserver.log) == 2


def test_the_sweep_purges_old_finished_events(make_endpoint, settings):
    settings.WEBHOOK_RETENTION_DAYS = 30
    endpoint, _secret = make_endpoint()
    old = timezone.now() - datetime.timedelta(days=31)
    done = _pending(endpoint)
    Delivery.objects.filter(pk=done.pk).update(status=Status.DELIVERED)
    waiting = _pending(endpoint)
    Event.objects.filter(pk__in=[done.event_id, waiting.event_id]).update(occurred_at=old)
    Delivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert delivery.sweep().purged == 1
    assert list(Event.objects.values_list("pk", flat=True)) == [waiting.event_id]


def test_the_fan_out_enqueues_one_task_per_endpoint_and_batch(
    make_endpoint, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from celery import current_app

    settings.WEBHOOK_BATCH_SIZE = 3
    first, _ = make_endpoint(events=["duty.created"])
    second, _ = make_endpoint(events=["duty.created"], path="/other")
    events_ = events.publish_many("duty.created", ({"n": n} for n in range(5)))
    batches = []
    task = current_app.tasks[delivery.DELIVER_BATCH_TASK]
    monkeypatch.setattr(task, "delay", lambda ids: batches.append(ids))
    with django_capture_on_commit_callbacks(execute=True):
        created = delivery.fan_out([str(event.pk) for event in events_])
    assert len(created) == 10
    endpoint_of = dict(Delivery.objects.values_list("pk", "endpoint_id"))
    assert sorted(len(batch) for batch in batches) == [2, 2, 3, 3]
    for batch in batches:
        assert len({endpoint_of[pk] for pk in batch}) == 1
    assert {endpoint_of[pk] for batch in batches for pk in batch} == {first.pk, second.pk}


def test_a_batch_stops_posting_once_its_endpoint_is_disabled(make_endpoint, httpserver, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    endpoint, _secret = make_endpoint()
    httpserver.expect_request("/hook").respond_with_data("down", status=500)
    batch = [_pending(endpoint).pk for _ in range(5)]
    assert delivery.deliver_batch(batch) == {Status.PENDING: 2, "": 3}
    assert len(httpserver.log) == 2
