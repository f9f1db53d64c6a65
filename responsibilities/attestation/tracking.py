"""Which role descriptions a write touched, versioned once the write commits.

Model signals (cells, duties, roles, departments, projects, holdings) and the bulk
imports (which send none: they call `roles_touched` / `holders_added`) add role ids
to a per-thread set; one `transaction.on_commit` callback then enqueues one task that
runs versions.record_versions() for all of them in a transaction of its own (on the
worker: the write's request does not wait for it). A long run of
writes in one transaction (a seed, an import) therefore versions each role once, and a
write that rolls back versions nothing (a rolled-back set is flushed, harmlessly, with
the next commit: an unchanged role gets no version).

A manager's editing session is many transactions: a cell at a time. Each role's
version waits ATTESTATION_VERSION_DELAY_SECONDS after the first of them (a "due" key
per role in the cache, set only if absent, marks a task already on its way), so a burst
of edits to a role makes one version and asks its holders once, not once per click;
the task clears the keys of its roles before it reads them, so a write committed after
that schedules the next version. New holders are asked at once. Without a cache (or
with a delay of 0) every commit enqueues at once, as before: a duplicate task finds the
fingerprint unchanged and writes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from orgmap.models import Department, Role, RoleHolder

from ..models import Assignment, Duty
from . import versions

log = logging.getLogger(__name__)
_local = threading.local()

DUTY_FIELDS = ("title", "department_id", "project_id", "active", "kpis")
ROLE_FIELDS = ("title", "purpose", "department_id")


def _pending() -> tuple[set[int], set[tuple[int, int]]]:
    if not hasattr(_local, "roles"):
        _local.roles, _local.holders = set(), set()
    return _local.roles, _local.holders


# The worker's task (tasks.py), by its registered name.
VERSION_TASK = "attestation.record_versions"


# How long a "due" key outlives its task's countdown: if the task is lost, the next
# write to the role after that schedules a version again (and the hourly sweep versions
# what is still stale).
DUE_KEY_GRACE_SECONDS = 300


def _due_key(role_id: int) -> str:
    return f"attestation:version-due:{role_id}"


def record(role_ids: Iterable[int], holders: Iterable[tuple[int, int]]) -> list:
    """Version the touched roles and ask the new holders (the task's work)."""
    role_ids = set(role_ids)
    try:  # from now on a write to these roles schedules a version of its own
        cache.delete_many([_due_key(role_id) for role_id in role_ids])
    except Exception:  # no cache: nothing was scheduled through it either
        log.warning("could not clear the roles' version keys", exc_info=True)
    with transaction.atomic():
        created = versions.record_versions(role_ids)
        for role_id, person_id in sorted({tuple(pair) for pair in holders}):
            versions.ask_new_holder(role_id=role_id, person_id=person_id)
    return created


def flush() -> None:
    """What the on-commit callback runs: hand the touched roles and new holders to the
    worker. Versioning reads and writes a dozen rows per role; a cell edit's request
    should not wait for it, and a burst of edits should make one version: holders see
    it ATTESTATION_VERSION_DELAY_SECONDS after the burst's first edit (new holders are
    asked at once)."""
    roles, holders = _pending()
    if not roles and not holders:
        return
    touched_roles, new_holders = sorted(roles), sorted(holders)
    roles.clear()
    holders.clear()
    task = current_app.tasks[VERSION_TASK]
    delay = settings.ATTESTATION_VERSION_DELAY_SECONDS
    if new_holders or delay <= 0:
        task.delay(touched_roles, new_holders)  # a new holder is asked now
        return
    try:
        # Only the roles with no version on its way yet: add() sets a key if absent.
        due = [
            role_id
            for role_id in touched_roles
            if cache.add(_due_key(role_id), 1, timeout=delay + DUE_KEY_GRACE_SECONDS)
        ]
    except Exception:  # the cache is down: version now rather than not at all
        log.warning("could not schedule the roles' versions; enqueued now", exc_info=True)
        task.delay(touched_roles, [])
        return
    if due:
        task.apply_async((due, []), countdown=delay)


def _after_commit() -> None:
    # Registered with every touch: the first callback to run flushes everything and the
    # others find nothing to do. (Registering once per transaction would miss a write
    # whose callback list was rolled back with a savepoint.)
    transaction.on_commit(flush, robust=True)


def roles_touched(role_ids: Iterable[int]) -> None:
    role_ids = {role_id for role_id in role_ids if role_id}
    if role_ids:
        _pending()[0].update(role_ids)
        _after_commit()


def holders_added(pairs: Iterable[tuple[int, int]]) -> None:
    """New holdings (role id, person id): their holders are asked once they commit."""
    pairs = set(pairs)
    if pairs:
        _pending()[1].update(pairs)
        _after_commit()


# ------------------------------------------------------------------ signals


def _before(instance, fields: tuple[str, ...]) -> dict | None:
    if instance.pk is None:
        return None
    return type(instance).objects.filter(pk=instance.pk).values(*fields).first()


def _changed(instance, old: dict | None, fields: tuple[str, ...]) -> bool:
    return old is None or any(getattr(instance, name) != old[name] for name in fields)


def _relevant(kwargs: dict, fields: tuple[str, ...]) -> bool:
    if kwargs.get("raw"):
        return False
    update_fields = kwargs.get("update_fields")
    if update_fields is None:
        return True
    names = {name.removesuffix("_id") for name in fields}
    return bool(names & {name.removesuffix("_id") for name in update_fields})


def _remember(fields: tuple[str, ...]):
    def handler(sender, instance, **kwargs) -> None:
        instance._attestation_before = (
            _before(instance, fields) if _relevant(kwargs, fields) else False
        )

    return handler


def _assignment_saved(sender, instance: Assignment, **kwargs) -> None:
    if not kwargs.get("raw"):
        roles_touched({instance.role_id})


def _assignment_deleted(sender, instance: Assignment, **kwargs) -> None:
    roles_touched({instance.role_id})


def _duty_saved(sender, instance: Duty, created: bool, **kwargs) -> None:
    old = getattr(instance, "_attestation_before", False)
    if created or old is False or not _changed(instance, old, DUTY_FIELDS):
        return  # a new duty has no cells yet
    roles_touched(instance.assignments.values_list("role_id", flat=True))


def _role_saved(sender, instance: Role, created: bool, **kwargs) -> None:
    old = getattr(instance, "_attestation_before", False)
    if not kwargs.get("raw") and (
        created or (old is not False and _changed(instance, old, ROLE_FIELDS))
    ):
        roles_touched({instance.pk})


def _department_saved(sender, instance: Department, created: bool, **kwargs) -> None:
    old = getattr(instance, "_attestation_before", False)
    if created or not old or old["name"] == instance.name:
        return
    own = Role.objects.filter(department=instance).values_list("pk", flat=True)
    working = Assignment.objects.filter(duty__department=instance).values_list("role_id", flat=True)
    roles_touched({*own, *working})


def _project_saved(sender, instance, created: bool, **kwargs) -> None:
    old = getattr(instance, "_attestation_before", False)
    if created or not old or old["name"] == instance.name:
        return
    roles_touched(
        Assignment.objects.filter(duty__project=instance).values_list("role_id", flat=True)
    )


def _holding_saved(sender, instance: RoleHolder, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if instance.is_current:
        if created:
            holders_added({(instance.role_id, instance.person_id)})
        return
    if instance.until is not None and instance.until <= timezone.localdate():
        versions.withdraw(role_id=instance.role_id, person_id=instance.person_id)


def _holding_deleted(sender, instance: RoleHolder, **kwargs) -> None:
    versions.withdraw(role_id=instance.role_id, person_id=instance.person_id)


def connect() -> None:
    """Called once from the app config's ready()."""
    uid = "attestation"
    post_save.connect(_assignment_saved, sender=Assignment, dispatch_uid=f"{uid}.cell.post")
    post_delete.connect(_assignment_deleted, sender=Assignment, dispatch_uid=f"{uid}.cell.del")
    pre_save.connect(
        _remember(DUTY_FIELDS), sender=Duty, dispatch_uid=f"{uid}.duty.pre", weak=False
    )
    post_save.connect(_duty_saved, sender=Duty, dispatch_uid=f"{uid}.duty.post")
    pre_save.connect(
        _remember(ROLE_FIELDS), sender=Role, dispatch_uid=f"{uid}.role.pre", weak=False
    )
    post_save.connect(_role_saved, sender=Role, dispatch_uid=f"{uid}.role.post")
    pre_save.connect(
        _remember(("name",)), sender=Department, dispatch_uid=f"{uid}.dept.pre", weak=False
    )
    post_save.connect(_department_saved, sender=Department, dispatch_uid=f"{uid}.dept.post")
    pre_save.connect(
        _remember(("name",)), sender="orgmap.Project", dispatch_uid=f"{uid}.project.pre", weak=False
    )
    post_save.connect(_project_saved, sender="orgmap.Project", dispatch_uid=f"{uid}.project.post")
    post_save.connect(_holding_saved, sender=RoleHolder, dispatch_uid=f"{uid}.holder.post")
    post_delete.connect(_holding_deleted, sender=RoleHolder, dispatch_uid=f"{uid}.holder.del")
