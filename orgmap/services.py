"""Writes to the organisation. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from . import permissions
from .models import Department, Heartbeat, Project, Role, RoleHolder


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


@transaction.atomic
def manager_grant(*, person: AbstractBaseUser, department: Department) -> None:
    assign_perm(f"orgmap.{permissions.MANAGE_DEPARTMENT}", person, department)


@transaction.atomic
def manager_revoke(*, person: AbstractBaseUser, department: Department) -> None:
    remove_perm(f"orgmap.{permissions.MANAGE_DEPARTMENT}", person, department)


@transaction.atomic
def coordinator_grant(*, person: AbstractBaseUser, project: Project) -> None:
    assign_perm(f"orgmap.{permissions.COORDINATE_PROJECT}", person, project)


@transaction.atomic
def coordinator_revoke(*, person: AbstractBaseUser, project: Project) -> None:
    remove_perm(f"orgmap.{permissions.COORDINATE_PROJECT}", person, project)
