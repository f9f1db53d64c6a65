"""Publishing events: what writers call.

`publish(event_type, payload)` records one Event in the caller's transaction and,
once that transaction commits, enqueues the task that creates its deliveries. A write
that rolls back takes its event with it: nothing is sent. `publish_many()` records a
bulk write's events with one INSERT and enqueues one fan-out task.

Most organisations register no endpoint, and a cell edit must not pay for webhooks it
does not have: `wanted()` answers from the cache which event types some active endpoint
subscribed to, and a type nobody wants is not recorded at all (no query). The cache is
cleared when an endpoint changes (at once and again on commit); without Redis (one cache
per process) another process notices within WEBHOOK_SUBSCRIPTIONS_CACHE_SECONDS.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from ..models import Role, RoleHolder
from .models import ROLE_HOLDER_CHANGED, Endpoint, Event

logger = logging.getLogger(__name__)

SUBSCRIPTIONS_KEY = "orgmap:webhooks:subscribed-types"
# The fan-out task, by its registered name (tasks.py imports this module).
FAN_OUT_TASK = "orgmap.webhooks.fan_out"


def subscribed_types() -> frozenset[str]:
    """Event types at least one active endpoint subscribed to (cached)."""
    types = cache.get(SUBSCRIPTIONS_KEY)
    if types is None:
        types = set()
        for events in Endpoint.objects.filter(active=True).values_list("events", flat=True):
            types.update(events or ())
        types = sorted(types)
        cache.set(SUBSCRIPTIONS_KEY, types, settings.WEBHOOK_SUBSCRIPTIONS_CACHE_SECONDS)
    return frozenset(types)


def wanted(*event_types: str) -> bool:
    """Whether an event of one of these types would go anywhere: writers ask before
    they read anything to build a payload."""
    return bool(subscribed_types() & set(event_types))


def subscriptions_changed() -> None:
    cache.delete(SUBSCRIPTIONS_KEY)
    # Again after the commit: a publish in between may have cached the old state.
    transaction.on_commit(partial(cache.delete, SUBSCRIPTIONS_KEY))


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    # Dates, decimals and UUIDs as DjangoJSONEncoder writes them, once, here: the
    # stored payload is exactly what receivers get.
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def _enqueue_fan_out(event_ids: list[str]) -> None:
    current_app.tasks[FAN_OUT_TASK].delay(event_ids)


def publish(event_type: str, payload: dict[str, Any]) -> Event | None:
    """Record an event in the caller's transaction; its deliveries go out after the
    commit. None when no active endpoint subscribed to the type."""
    if not wanted(event_type):
        return None
    event = Event.objects.create(type=event_type, payload=_jsonable(payload))
    transaction.on_commit(partial(_enqueue_fan_out, [str(event.pk)]))
    return event


def publish_many(event_type: str, payloads: Iterable[dict[str, Any]]) -> list[Event]:
    """Many events of one type (a bulk write): one INSERT, one fan-out task. The worker
    creates the deliveries, in batches."""
    if not wanted(event_type):
        return []
    now = timezone.now()
    events = [
        Event(type=event_type, occurred_at=now, payload=_jsonable(payload)) for payload in payloads
    ]
    if not events:
        return []
    Event.objects.bulk_create(events, batch_size=1000)
    transaction.on_commit(partial(_enqueue_fan_out, [str(event.pk) for event in events]))
    return events


# ------------------------------------------------------------------ role holders


def _role_holder(holding: RoleHolder) -> dict[str, Any]:
    role, person = holding.role, holding.person
    return {
        "id": holding.pk,
        "role": {
            "id": role.pk,
            "title": role.title,
            "department": role.department.code if role.department_id else None,
        },
        "person": {"id": person.pk, "username": person.get_username(), "email": person.email},
        "since": holding.since,
        "until": holding.until,
    }


def role_holder_snapshot(holding: RoleHolder) -> dict[str, Any] | None:
    """The holding before a change, for the event's "before" (None if unwanted)."""
    if not wanted(ROLE_HOLDER_CHANGED):
        return None
    return _role_holder(holding)


def role_holder_changed(holding: RoleHolder, *, before: dict[str, Any] | None) -> None:
    """A holding added (before None) or ended (its `until` set)."""
    if wanted(ROLE_HOLDER_CHANGED):
        publish(ROLE_HOLDER_CHANGED, {"before": before, "after": _role_holder(holding)})


def role_holders_added(holdings: list[RoleHolder]) -> None:
    """Holdings made in bulk (the people import): one INSERT for their events."""
    if not holdings or not wanted(ROLE_HOLDER_CHANGED):
        return
    departments = dict(
        Role.objects.filter(pk__in={holding.role_id for holding in holdings}).values_list(
            "pk", "department__code"
        )
    )
    publish_many(
        ROLE_HOLDER_CHANGED,
        (
            {
                "before": None,
                "after": {
                    "id": holding.pk,
                    "role": {
                        "id": holding.role_id,
                        "title": holding.role.title,
                        "department": departments.get(holding.role_id),
                    },
                    "person": {
                        "id": holding.person_id,
                        "username": holding.person.get_username(),
                        "email": holding.person.email,
                    },
                    "since": holding.since,
                    "until": holding.until,
                },
            }
            for holding in holdings
        ),
    )


# ------------------------------------------------------------------ signals


def _endpoint_changed(sender, **kwargs) -> None:
    subscriptions_changed()


def connect() -> None:
    """Called once from the app config's ready()."""
    post_save.connect(_endpoint_changed, sender=Endpoint, dispatch_uid="webhooks.endpoint.save")
    post_delete.connect(_endpoint_changed, sender=Endpoint, dispatch_uid="webhooks.endpoint.delete")
