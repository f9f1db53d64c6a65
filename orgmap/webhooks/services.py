"""Writes to webhook endpoints: what the org admins' pages do."""

from __future__ import annotations

import secrets
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from . import guard
from .delivery import enqueue_batches, enqueue_deliveries
from .models import EVENT_TYPE_NAMES, PING, Delivery, Endpoint, Event


def secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _checked(url: str, events: list[str]) -> list[str]:
    guard.check_url(url)  # raises UrlRefused
    unknown = set(events) - set(EVENT_TYPE_NAMES)
    if unknown:
        raise ValueError(f"Unknown event types: {sorted(unknown)}")
    return [name for name in EVENT_TYPE_NAMES if name in events]


@transaction.atomic
def endpoint_create(
    *, url: str, events: list[str], description: str = "", by: AbstractBaseUser | None
) -> tuple[Endpoint, str]:
    """A new active endpoint and its secret (shown to the admin this once)."""
    secret = secret_new()
    endpoint = Endpoint.objects.create(
        url=url,
        events=_checked(url, events),
        description=description,
        secret=secret,
        created_by=by,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *, endpoint: Endpoint, url: str, events: list[str], description: str, active: bool
) -> Endpoint:
    if active and not endpoint.active:
        endpoint_enable(endpoint=endpoint)
    endpoint.url = url
    endpoint.events = _checked(url, events)
    endpoint.description = description
    fields = ["url", "events", "description"]
    if not active and endpoint.active:
        # Switched off by hand: not an automatic disabling, so no reason is shown.
        endpoint.active = False
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        fields += ["active", "disabled_at", "disabled_reason"]
    endpoint.save(update_fields=fields)
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: Endpoint) -> str:
    """A new secret, used from the next attempt on; the old one stops working at once."""
    endpoint.secret = secret_new()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


@transaction.atomic
def endpoint_enable(*, endpoint: Endpoint) -> int:
    """Enable an endpoint (after an automatic disabling, say) with a clean failure
    count; the deliveries that waited meanwhile go out now. Returns how many."""
    now = timezone.now()
    endpoint.active = True
    endpoint.failure_count = 0
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.save(update_fields=["active", "failure_count", "disabled_at", "disabled_reason"])
    waiting = list(
        Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=waiting).update(next_attempt_at=now)
    transaction.on_commit(partial(enqueue_batches, [(pk, endpoint.pk) for pk in waiting]))
    return len(waiting)


@transaction.atomic
def test_event_send(*, endpoint: Endpoint, by: AbstractBaseUser | None) -> Delivery:
    """A "webhook.test" event to this endpoint only, tried once."""
    now = timezone.now()
    event = Event.objects.create(
        type=PING,
        occurred_at=now,
        fanned_out_at=now,
        payload={
            "message": "A test event sent from orgmap's webhooks page.",
            "endpoint": endpoint.pk,
            "sent_by": by.get_username() if by is not None else None,
        },
    )
    delivery = Delivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now)
    transaction.on_commit(partial(enqueue_deliveries, [delivery.pk]))
    return delivery
