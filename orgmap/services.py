"""Writes to the organisation. Keyword-only, typed, named <entity>_<action>."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Heartbeat, Role, RoleHolder


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
