"""The webhook events of duties, cells and findings (orgmap/webhooks, docs/webhooks.md).

The writers call these with what they already hold; each returns at once, without a
query, when no active endpoint subscribed to its events (`events.wanted`). Payloads
carry the object before and after the change (None for "did not exist")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_save, pre_save

from orgmap.models import Role
from orgmap.webhooks import events
from orgmap.webhooks.models import (
    ASSIGNMENT_CHANGED,
    DUTY_CHANGED,
    DUTY_CREATED,
    DUTY_RETIRED,
    FINDING_CLOSED,
    FINDING_OPENED,
)

from .models import AssignmentChange, Duty, Finding

# ------------------------------------------------------------------ cells


def _duty_ref(duty: Duty) -> dict[str, Any]:
    return {
        "id": duty.pk,
        "title": duty.title,
        "department": duty.department.code,
        "project": duty.project.code if duty.project_id else None,
    }


def _role_ref(role: Role) -> dict[str, Any]:
    return {
        "id": role.pk,
        "title": role.title,
        "department": role.department.code if role.department_id else None,
    }


def _cell_payload(change: AssignmentChange, duty: dict, role: dict, by: str | None) -> dict:
    return {
        "duty": duty,
        "role": role,
        "before": {"letter": change.before, "version": change.version - 1}
        if change.before
        else None,
        "after": {"letter": change.after, "version": change.version} if change.after else None,
        "changed_by": by,
        "changed_at": change.changed_at,
        "source": change.source,
    }


def assignment_changed(change: AssignmentChange, *, duty: Duty, role: Role) -> None:
    """One cell written by the cell service (its history row says what changed)."""
    if events.wanted(ASSIGNMENT_CHANGED):
        by = change.changed_by.get_username() if change.changed_by_id else None
        events.publish(
            ASSIGNMENT_CHANGED, _cell_payload(change, _duty_ref(duty), _role_ref(role), by)
        )


def raci_imported(history: list[AssignmentChange], *, new_duties: list[Duty], by) -> None:
    """A RACI import's cells and new duties: one bulk insert per event type; the
    worker creates the deliveries."""
    if not events.wanted(ASSIGNMENT_CHANGED, DUTY_CREATED):
        return
    duty_ids = {change.duty_id for change in history} | {duty.pk for duty in new_duties}
    duties = {
        row["pk"]: {
            "id": row["pk"],
            "title": row["title"],
            "department": row["department__code"],
            "project": row["project__code"],
        }
        for row in Duty.objects.filter(pk__in=duty_ids).values(
            "pk", "title", "department__code", "project__code"
        )
    }
    username = by.get_username() if by is not None else None
    if events.wanted(DUTY_CREATED):
        events.publish_many(
            DUTY_CREATED,
            (
                {"before": None, "after": _duty_payload_from_ref(duties[duty.pk], duty)}
                for duty in new_duties
            ),
        )
    if events.wanted(ASSIGNMENT_CHANGED):
        roles = {
            row["pk"]: {
                "id": row["pk"],
                "title": row["title"],
                "department": row["department__code"],
            }
            for row in Role.objects.filter(pk__in={c.role_id for c in history}).values(
                "pk", "title", "department__code"
            )
        }
        events.publish_many(
            ASSIGNMENT_CHANGED,
            (
                _cell_payload(change, duties[change.duty_id], roles[change.role_id], username)
                for change in history
            ),
        )


# ------------------------------------------------------------------ duties

_DUTY_VALUES = (
    "title",
    "description",
    "department__code",
    "project__code",
    "frequency",
    "kpis",
    "active",
)


def _duty_payload(duty: Duty) -> dict[str, Any]:
    return {
        **_duty_ref(duty),
        "description": duty.description,
        "frequency": duty.frequency,
        "kpis": duty.kpis,
        "active": duty.active,
    }


def _duty_payload_from_ref(ref: dict, duty: Duty) -> dict[str, Any]:
    return {
        **ref,
        "description": duty.description,
        "frequency": duty.frequency,
        "kpis": duty.kpis,
        "active": duty.active,
    }


def _duty_pre_save(sender, instance: Duty, raw: bool = False, **kwargs) -> None:
    instance._webhook_before = None
    if raw or instance.pk is None or not events.wanted(DUTY_CHANGED, DUTY_RETIRED):
        return
    row = Duty.objects.filter(pk=instance.pk).values(*_DUTY_VALUES).first()
    if row is not None:
        instance._webhook_before = {
            "id": instance.pk,
            "title": row["title"],
            "department": row["department__code"],
            "project": row["project__code"],
            "description": row["description"],
            "frequency": row["frequency"],
            "kpis": row["kpis"],
            "active": row["active"],
        }


def _duty_post_save(sender, instance: Duty, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, "_webhook_before", None)
    instance._webhook_before = None
    if created:
        if events.wanted(DUTY_CREATED):
            events.publish(DUTY_CREATED, {"before": None, "after": _duty_payload(instance)})
        return
    if before is None:
        return
    after = _duty_payload(instance)
    if after == before:
        return
    retired = before["active"] and not after["active"]
    event_type = DUTY_RETIRED if retired else DUTY_CHANGED
    if events.wanted(event_type):
        events.publish(event_type, {"before": before, "after": after})


def connect() -> None:
    """Called once from the app config's ready()."""
    pre_save.connect(_duty_pre_save, sender=Duty, dispatch_uid="webhooks.duty.pre")
    post_save.connect(_duty_post_save, sender=Duty, dispatch_uid="webhooks.duty.post")


# ------------------------------------------------------------------ findings

_FINDING_VALUES = (
    "rule",
    "severity",
    "department_code",
    "project_code",
    "duty_id",
    "duty_title",
    "role_id",
    "roles",
    "texts",
)


def _finding(values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    role_ids = [role[0] for role in values["roles"]]
    key = f"{values['rule']}:{values['duty_id'] or ''}:{'-'.join(map(str, role_ids))}"
    message = (values["texts"].get(settings.LANGUAGE_CODE) or [""])[0]
    return key, {
        "key": key,
        "rule": values["rule"],
        "severity": values["severity"],
        "department": values["department_code"],
        "project": values["project_code"] or None,
        "duty": {"id": values["duty_id"], "title": values["duty_title"]}
        if values["duty_id"]
        else None,
        "roles": [{"id": role[0], "title": role[1]} for role in values["roles"]],
        "message": message,
    }


def findings_before(stale: Q) -> dict[str, dict] | None:
    """The stored findings a refresh is about to replace (None: nobody subscribed)."""
    if not events.wanted(FINDING_OPENED, FINDING_CLOSED):
        return None
    return dict(_finding(row) for row in Finding.objects.filter(stale).values(*_FINDING_VALUES))


def findings_after(before: dict[str, dict] | None, rows: Iterable[Finding]) -> None:
    """Publish the findings that appeared and those that went, compared by their key
    (rule, duty, roles): a refresh that stores the same findings again publishes none."""
    if before is None:
        return
    after = dict(_finding({name: getattr(row, name) for name in _FINDING_VALUES}) for row in rows)
    opened = [payload for key, payload in after.items() if key not in before]
    closed = [payload for key, payload in before.items() if key not in after]
    if opened:
        events.publish_many(FINDING_OPENED, ({"before": None, "after": f} for f in opened))
    if closed:
        events.publish_many(FINDING_CLOSED, ({"before": f, "after": None} for f in closed))
