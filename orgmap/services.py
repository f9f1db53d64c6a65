"""Writes to the organisation. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from . import permissions
from .models import AccessChange, Department, Heartbeat, Project, Role, RoleHolder
from .webhooks import events as webhooks


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


@transaction.atomic
def role_holder_add(*, role: Role, person: AbstractBaseUser, since: datetime.date) -> RoleHolder:
    holding = RoleHolder(role=role, person=person, since=since)
    holding.full_clean()
    holding.save()
    webhooks.role_holder_changed(holding, before=None)
    return holding


@transaction.atomic
def role_holder_end(*, holding: RoleHolder, until: datetime.date) -> RoleHolder:
    before = webhooks.role_holder_snapshot(holding)
    holding.until = until
    holding.full_clean()
    holding.save(update_fields=["until"])
    webhooks.role_holder_changed(holding, before=before)
    return holding


class AccessRefused(Exception):
    """A grant or revoke that nobody may make; `code` says why."""

    SELF = "self"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# (right, the guardian permission it is, the keyword its target goes in on the log row)
_RIGHTS = {
    AccessChange.Right.MANAGER: (f"orgmap.{permissions.MANAGE_DEPARTMENT}", "department"),
    AccessChange.Right.COORDINATOR: (f"orgmap.{permissions.COORDINATE_PROJECT}", "project"),
}


def _right_change(*, action: str, right: str, person, target, by) -> None:
    """Grant or revoke one right, logged in the same transaction (AccessChange)."""
    if by is not None and person.pk == by.pk:
        # Nobody changes their own rights: HR could otherwise make itself a manager.
        raise AccessRefused(AccessRefused.SELF)
    perm, target_field = _RIGHTS[right]
    AccessChange.objects.create(
        by=by, action=action, right=right, person=person, **{target_field: target}
    )
    change = assign_perm if action == AccessChange.Action.GRANT else remove_perm
    change(perm, person, target)


@transaction.atomic
def manager_grant(
    *, person: AbstractBaseUser, department: Department, by: AbstractBaseUser | None
) -> None:
    _right_change(
        action=AccessChange.Action.GRANT,
        right=AccessChange.Right.MANAGER,
        person=person,
        target=department,
        by=by,
    )


@transaction.atomic
def manager_revoke(
    *, person: AbstractBaseUser, department: Department, by: AbstractBaseUser | None
) -> None:
    _right_change(
        action=AccessChange.Action.REVOKE,
        right=AccessChange.Right.MANAGER,
        person=person,
        target=department,
        by=by,
    )


@transaction.atomic
def coordinator_grant(
    *, person: AbstractBaseUser, project: Project, by: AbstractBaseUser | None
) -> None:
    _right_change(
        action=AccessChange.Action.GRANT,
        right=AccessChange.Right.COORDINATOR,
        person=person,
        target=project,
        by=by,
    )


@transaction.atomic
def coordinator_revoke(
    *, person: AbstractBaseUser, project: Project, by: AbstractBaseUser | None
) -> None:
    _right_change(
        action=AccessChange.Action.REVOKE,
        right=AccessChange.Right.COORDINATOR,
        person=person,
        target=project,
        by=by,
    )
