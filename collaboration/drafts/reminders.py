"""Reminding approvers who have not answered a draft in DRAFT_APPROVAL_REMINDER_DAYS.

Beat runs the task every hour. An approval is reminded when its last request or reminder
is that old; the reminder's key (reminders' PlannedReminder.topic) carries its number, so
a run repeated, or two at once, send it once (ON CONFLICT DO NOTHING on the key), and
`reminded_at` is set with a conditional UPDATE so that two runs do not both count it."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import notices
from .models import Draft, DraftApproval


def approvals_remind(*, now: datetime.datetime) -> list[int]:
    """Remind the approvers of every pending approval left unanswered too long; returns
    the ids of the approvals reminded."""
    due = now - datetime.timedelta(days=settings.DRAFT_APPROVAL_REMINDER_DAYS)
    approvals = list(
        DraftApproval.objects.filter(
            status=DraftApproval.Status.PENDING, draft__status=Draft.Status.SUBMITTED
        )
        .filter(Q(reminded_at__lte=due) | Q(reminded_at__isnull=True, requested_at__lte=due))
        .select_related("draft__author__profile", "department", "project")
    )
    reminded = []
    for approval in approvals:
        with transaction.atomic():
            # The claim: only the run whose UPDATE changes the row reminds.
            claimed = DraftApproval.objects.filter(
                pk=approval.pk, reminded_at=approval.reminded_at
            ).update(reminded_at=now)
            if not claimed:
                continue
            number = int(
                (now - approval.requested_at)
                / datetime.timedelta(days=settings.DRAFT_APPROVAL_REMINDER_DAYS)
            )
            notices.approvals_requested(approval.draft, [approval], reminder=max(number, 1))
            reminded.append(approval.pk)
    return reminded


@shared_task(name="drafts.remind_approvers", ignore_result=True)
def remind_approvers() -> None:
    approvals_remind(now=timezone.now())
