"""Writes to the organisation. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from . import permissions
from .models import AccessChange, Department, Heartbeat, Project, Role, RoleHolder


def heartbeat_record(*, name: str) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


@transaction.atomic
def role_holder_add(*, role: Role, person: AbstractBaseUser, since: datetime.date) -> RoleHolder:
    holding = RoleHolder(role=role, person=person, since=since)
    holding.full_clean()
    holding.save()
    return holding


@transaction.atomic
def role_holder_end(*, holding: RoleHolder, until: datetime.date) -> RoleHolder:
    holding.until = until
    holding.full_clean()
    holding.save(update_fields=["until"])
    return holding


class AccessRefused(Exception):
    """A grant or revoke that nobody may make; `code` says why."""

    SELF = "self"

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _audit(*, by, action: str, right: str, person, department=None, project=None) -> None:
    if by is not None and person.pk == by.pk:
        # Nobody changes their own rights: HR could otherwise make itself a manager.
        raise AccessRefused(AccessRefused.SELF)
    AccessChange.objects.create(
        by=by, action=action, right=right, person=person, department=department, project=project
    )


@transaction.atomic
def manager_grant(
    *, person: AbstractBaseUser, department: Department, by: AbstractBaseUser | None
) -> None:
    _audit(
        by=by,
        action=AccessChange.Action.GRANT,
        right=AccessChange.Right.MANAGER,
        person=person,
        department=department,
    )
    assign_perm(f"orgmap.{permissions.MANAGE_DEPARTMENT}", person, department)


@transaction.atomic
def manager_revoke(
    *, person: AbstractBaseUser, department: Department, by: AbstractBaseUser | None
) -> None:
    _audit(
        by=by,
        action=AccessChange.Action.REVOKE,
        right=AccessChange.Right.MANAGER,
        person=person,
        department=department,
    )
    remove_perm(f"orgmap.{permissions.MANAGE_DEPARTMENT}", person, department)


@transaction.atomic
def coordinator_grant(
    *, person: AbstractBaseUser, project: Project, by: AbstractBaseUser | None
) -> None:
    _audit(
        by=by,
        action=AccessChange.Action.GRANT,
        right=AccessChange.Right.COORDINATOR,
        person=person,
        project=project,
    )
    assign_perm(f"orgmap.{permissions.COORDINATE_PROJECT}", person, project)


@transaction.atomic
def coordinator_revoke(
    *, person: AbstractBaseUser, project: Project, by: AbstractBaseUser | None
) -> None:
    _audit(
        by=by,
        action=AccessChange.Action.REVOKE,
        right=AccessChange.Right.COORDINATOR,
        person=person,
        project=project,
    )
    remove_perm(f"orgmap.{permissions.COORDINATE_PROJECT}", person, project)
