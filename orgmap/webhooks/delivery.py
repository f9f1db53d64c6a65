"""Delivering events: fan-out, signed POSTs, retries with backoff, disabling.

After a write commits, `fan_out()` (a task) creates one Delivery per event and
subscribed active endpoint and enqueues them in batches, one task per endpoint and
WEBHOOK_BATCH_SIZE deliveries (`deliver_batch()`). `deliver()` claims its
delivery with a conditional UPDATE (pending and due -> sending), so a task delivered
twice posts once; it checks the URL again (guard.py) and connects to the address it
checked, POSTs the signed event without following redirects, logs the attempt, and
either marks the delivery delivered, or plans the next attempt (exponential backoff
with jitter, WEBHOOK_MAX_ATTEMPTS in all), or marks it failed. Every failed attempt
counts against its endpoint; WEBHOOK_DISABLE_AFTER_FAILURES in a row disable it and the
org admins get an email. Beat's `sweep()` catches what a lost task or a dead worker
left behind: that, and a receiver that answered too late, may deliver an event twice,
never zero times (at-least-once; receivers deduplicate by the event id).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

import urllib3
from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from . import guard
from .events import subscriptions_changed
from .models import PING, Delivery, DeliveryAttempt, Endpoint, Event

logger = logging.getLogger(__name__)

Status = Delivery.Status

DELIVER_TASK = "orgmap.webhooks.deliver"
DELIVER_BATCH_TASK = "orgmap.webhooks.deliver_batch"
BATCH = 1000
# What is kept of a receiver's answer for the log.
ANSWER_SHOWN = 300


# ------------------------------------------------------------------ signing


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret."""
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (docs/webhooks.md): the signature matches and the
    timestamp is recent (a replayed old request is refused)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(fields.get("v1", ""), signature(secret, timestamp, body))


def body(event: Event) -> bytes:
    """The JSON a receiver gets: the same bytes on every attempt."""
    envelope = {
        "id": str(event.pk),
        "type": event.type,
        "time": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": event.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()


# ------------------------------------------------------------------ fan-out


def enqueue_deliveries(delivery_ids: Iterable[int], countdown: float | None = None) -> None:
    task = current_app.tasks[DELIVER_TASK]
    for delivery_id in delivery_ids:
        if countdown:
            task.apply_async((delivery_id,), countdown=countdown)
        else:
            task.delay(delivery_id)


def enqueue_batches(deliveries: Iterable[tuple[int, int]]) -> None:
    """(delivery id, endpoint id) pairs as one task per endpoint and BATCH_SIZE
    deliveries: enqueueing a task costs about a millisecond, and an import can make
    thousands of deliveries."""
    by_endpoint: dict[int, list[int]] = defaultdict(list)
    for delivery_id, endpoint_id in deliveries:
        by_endpoint[endpoint_id].append(delivery_id)
    task = current_app.tasks[DELIVER_BATCH_TASK]
    for ids in by_endpoint.values():
        for start in range(0, len(ids), settings.WEBHOOK_BATCH_SIZE):
            task.delay(ids[start : start + settings.WEBHOOK_BATCH_SIZE])


def fan_out(event_ids: Iterable[str], *, now=None) -> list[int]:
    """Create the deliveries of these events (those not fanned out yet) and enqueue
    them after the commit. Returns the new deliveries' ids."""
    now = now or timezone.now()
    endpoints = [
        (endpoint_id, set(events or ()))
        for endpoint_id, events in Endpoint.objects.filter(active=True).values_list("pk", "events")
    ]
    event_ids = list(event_ids)
    created: list[int] = []
    for start in range(0, len(event_ids), BATCH):
        chunk = event_ids[start : start + BATCH]
        with transaction.atomic():
            # Locked (and skipped if locked): two fan-outs of one event create its
            # deliveries once; the unique constraint backs this up.
            events = list(
                Event.objects.select_for_update(skip_locked=True)
                .filter(pk__in=chunk, fanned_out_at__isnull=True)
                .values_list("pk", "type")
            )
            if not events:
                continue
            Delivery.objects.bulk_create(
                [
                    Delivery(endpoint_id=endpoint_id, event_id=event_id, next_attempt_at=now)
                    for event_id, event_type in events
                    for endpoint_id, types in endpoints
                    if event_type in types
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
            ids = [event_id for event_id, _type in events]
            Event.objects.filter(pk__in=ids).update(fanned_out_at=now)
            new = list(
                Delivery.objects.filter(event_id__in=ids, status=Status.PENDING, attempts=0)
                .order_by("pk")
                .values_list("pk", "endpoint_id")
            )
            transaction.on_commit(partial(enqueue_batches, new))
            created += [delivery_id for delivery_id, _endpoint in new]
    return created


# ------------------------------------------------------------------ one attempt


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pool(target: guard.Target) -> urllib3.HTTPConnectionPool:
    # Connect to the checked address; the name goes in the Host header and, for
    # https, in SNI and the certificate check.
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            maxsize=1,
            retries=False,
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, maxsize=1, retries=False)


def _host_header(target: guard.Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(endpoint: Endpoint, event: Event, *, timestamp: int) -> Outcome:
    """One signed POST of an event to an endpoint, or the reason it was not sent."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = guard.check_url(endpoint.url)
    except guard.UrlRefused as refused:
        return Outcome(None, f"Refused by the address guard: {refused}", elapsed())
    content = body(event)
    headers = {
        "Host": _host_header(target),
        "Content-Type": "application/json",
        "User-Agent": "orgmap-webhooks/1",
        "X-Orgmap-Event": event.type,
        "X-Orgmap-Event-Id": str(event.pk),
        "X-Orgmap-Timestamp": str(timestamp),
        "X-Orgmap-Signature": signature_header(endpoint.secret, timestamp, content),
    }
    pool = _pool(target)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=content,
            headers=headers,
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
            preload_content=False,
        )
        try:
            answer = response.read(ANSWER_SHOWN, decode_content=False)
        finally:
            response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        return Outcome(None, f"{type(error).__name__}: {error}", elapsed())
    finally:
        pool.close()
    if 200 <= response.status < 300:
        return Outcome(response.status, "", elapsed())
    error = f"HTTP {response.status}"
    if 300 <= response.status < 400:
        error += " (redirects are not followed)"
    text = answer.decode("utf-8", "replace").strip()
    return Outcome(response.status, f"{error}: {text}" if text else error, elapsed())


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: the base doubled
    each time, capped, plus up to a quarter more so that retries do not arrive in step."""
    delay = min(
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1),
        settings.WEBHOOK_RETRY_MAX_SECONDS,
    )
    return delay * random.uniform(1.0, 1.25)


def _claim(delivery_id: int, now) -> bool:
    due = Q(pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now)
    # A disabled endpoint's deliveries wait until it is enabled again; a test event
    # goes to the endpoint it was asked for, enabled or not.
    reachable = Q(endpoint__active=True) | Q(event__type=PING)
    return bool(
        Delivery.objects.filter(due & reachable).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def deliver(delivery_id: int, *, now=None) -> str:
    """Claim a delivery and make one attempt. Returns the status it was left in, or
    "" if it was not ours (already delivered, not due, being sent, endpoint disabled)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return ""
    delivery = Delivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    outcome = post(delivery.endpoint, delivery.event, timestamp=int(now.timestamp()))
    ours = Delivery.objects.filter(pk=delivery_id, status=Status.SENDING, claimed_at=now)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
        )
        state = {"last_status_code": outcome.status_code, "last_error": outcome.error}
        if outcome.succeeded:
            ours.update(
                status=Status.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None, **state
            )
            Endpoint.objects.filter(pk=delivery.endpoint_id).exclude(failure_count=0).update(
                failure_count=0
            )
            return Status.DELIVERED
        _endpoint_failed(delivery.endpoint_id, now=now, error=outcome.error)
        if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or delivery.event.type == PING:
            logger.warning("webhook delivery %s failed for good: %s", delivery_id, outcome.error)
            ours.update(status=Status.FAILED, next_attempt_at=None, **state)
            return Status.FAILED
        delay = backoff(delivery.attempts)
        retry_at = now + datetime.timedelta(seconds=delay)
        logger.info(
            "webhook delivery %s failed (attempt %d), retrying in %.1fs: %s",
            delivery_id,
            delivery.attempts,
            delay,
            outcome.error,
        )
        ours.update(status=Status.PENDING, next_attempt_at=retry_at, **state)
        transaction.on_commit(partial(enqueue_deliveries, [delivery_id], countdown=delay))
    return Status.PENDING


def deliver_batch(delivery_ids: Iterable[int]) -> dict[str, int]:
    """Deliveries of one endpoint, one after the other (the fan-out groups them): the
    receiver sees them roughly in order and is not flooded; once it is disabled, the
    rest are skipped at their claim."""
    outcomes: dict[str, int] = defaultdict(int)
    for delivery_id in delivery_ids:
        outcomes[deliver(delivery_id)] += 1
    return dict(outcomes)


# ------------------------------------------------------------------ disabling


def _endpoint_failed(endpoint_id: int, *, now, error: str) -> None:
    Endpoint.objects.filter(pk=endpoint_id).update(failure_count=F("failure_count") + 1)
    # Conditional: of two failing attempts at once, one disables and notifies.
    disabled = Endpoint.objects.filter(
        pk=endpoint_id,
        active=True,
        failure_count__gte=settings.WEBHOOK_DISABLE_AFTER_FAILURES,
    ).update(active=False, disabled_at=now, disabled_reason=error[:300])
    if disabled:
        logger.warning("webhook endpoint %s disabled after repeated failures", endpoint_id)
        subscriptions_changed()
        transaction.on_commit(partial(notify_admins_disabled, endpoint_id))


def notify_admins_disabled(endpoint_id: int) -> int:
    """Email the org admins that an endpoint was disabled. Returns the messages sent."""
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    recipients = [admin.email for admin in permissions.org_admins() if admin.email]
    if endpoint is None or not recipients:
        return 0
    page = f"{settings.SITE_URL}/webhooks/{endpoint.pk}/"
    subject = _("Webhook endpoint disabled: %(url)s") % {"url": endpoint.url}
    text = _(
        "orgmap stopped sending events to %(url)s after %(count)d failed attempts in a "
        "row.\n\nLast error: %(error)s\n\nEvents are kept: enable the endpoint again on "
        "%(page)s once its receiver works, and what waited is delivered."
    ) % {
        "url": endpoint.url,
        "count": endpoint.failure_count,
        "error": endpoint.disabled_reason or "—",
        "page": page,
    }
    try:
        return send_mail(subject, text, None, recipients)
    except Exception:  # the page shows the endpoint as disabled either way
        logger.exception("could not email the org admins about endpoint %s", endpoint_id)
        return 0


# ------------------------------------------------------------------ sweeping


@dataclass
class SweepResult:
    fanned_out: int = 0
    requeued: int = 0
    reclaimed: int = 0
    purged: int = 0


def sweep(*, now=None) -> SweepResult:
    """Beat's safety net, safe to run twice at once: events whose fan-out task was
    lost, deliveries whose retry task was lost, attempts whose worker died (sent
    again: at-least-once), and old events."""
    now = now or timezone.now()
    result = SweepResult()
    grace = datetime.timedelta(seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    unfanned = list(
        Event.objects.filter(fanned_out_at__isnull=True, occurred_at__lt=now - grace)
        .order_by("occurred_at")
        .values_list("pk", flat=True)[: BATCH * 5]
    )
    if unfanned:
        result.fanned_out = len(fan_out([str(pk) for pk in unfanned], now=now))
    stuck = now - datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 60)
    with transaction.atomic():
        reclaimed = list(
            Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=stuck).values_list(
                "pk", flat=True
            )[:BATCH]
        )
        result.reclaimed = Delivery.objects.filter(
            pk__in=reclaimed, status=Status.SENDING, claimed_at__lt=stuck
        ).update(status=Status.PENDING, next_attempt_at=now)
        due = list(
            Delivery.objects.filter(
                Q(pk__in=reclaimed) | Q(next_attempt_at__lt=now - grace),
                status=Status.PENDING,
                endpoint__active=True,
            ).values_list("pk", "endpoint_id")[:BATCH]
        )
        transaction.on_commit(partial(enqueue_batches, due))
        result.requeued = len(due)
    retention = now - datetime.timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    old = Event.objects.filter(occurred_at__lt=retention).exclude(
        deliveries__status__in=[Status.PENDING, Status.SENDING]
    )
    purge = list(old.values_list("pk", flat=True)[:BATCH])
    if purge:
        _total, by_model = Event.objects.filter(pk__in=purge).delete()
        result.purged = by_model.get(Event._meta.label, 0)
    return result
