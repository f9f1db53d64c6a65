"""UNCONFIRMED_ACCOUNTABILITY in the stored findings: the duties a role is accountable
for are refreshed (findings_store) when its confirmations change what the rule sees:
an overdue request answered, superseded or withdrawn, or a request passing its due
date (the sweep, since no write happens then)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from .. import findings_store, raci
from ..models import Assignment
from .models import ConfirmationRequest


def refresh_accountable(role_ids: Iterable[int]) -> int:
    """Refresh the findings of the duties these roles are accountable for."""
    role_ids = set(role_ids)
    if not role_ids:
        return 0
    duty_ids = set(
        Assignment.objects.filter(
            role_id__in=role_ids, letter__in=raci.ACCOUNTABLE_LETTERS
        ).values_list("duty_id", flat=True)
    )
    findings_store.findings_refresh(duty_ids=duty_ids)
    return len(duty_ids)


def overdue_roles(requests) -> set[int]:
    """The roles of the open requests among these that are past their due date."""
    today = timezone.localdate()
    return set(
        requests.filter(status__in=ConfirmationRequest.OPEN, due_on__lt=today).values_list(
            "role_id", flat=True
        )
    )


def newly_overdue_roles(today: datetime.date) -> set[int]:
    """Roles with an open request that became overdue yesterday or today (the sweep
    runs hourly; two days cover a missed run)."""
    return set(
        ConfirmationRequest.objects.filter(
            status__in=ConfirmationRequest.OPEN,
            due_on__gte=today - datetime.timedelta(days=2),
            due_on__lt=today,
        ).values_list("role_id", flat=True)
    )
