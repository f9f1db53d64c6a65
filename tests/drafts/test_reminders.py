"""Approvers who have not answered are reminded after DRAFT_APPROVAL_REMINDER_DAYS, once
per period."""

from __future__ import annotations

import datetime

from django.utils import timezone

from collaboration.drafts import services
from collaboration.drafts.reminders import approvals_remind
from collaboration.reminders.models import Notification, ReminderDelivery

from .factories import DraftFactory


def test_an_unanswered_approval_is_reminded_once_per_period(
    world, sales_manager, production_manager, settings
):
    settings.DRAFT_APPROVAL_REMINDER_DAYS = 3
    draft = DraftFactory(author=sales_manager, name="Waiting")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    services.draft_submit(draft=draft, by=sales_manager)
    approval = draft.approvals.get()
    asked = approval.requested_at

    assert approvals_remind(now=asked + datetime.timedelta(days=2)) == []
    assert approvals_remind(now=asked + datetime.timedelta(days=3, hours=1)) == [approval.pk]
    assert approvals_remind(now=asked + datetime.timedelta(days=3, hours=2)) == []  # done
    assert approvals_remind(now=asked + datetime.timedelta(days=6, hours=2)) == [approval.pk]

    deliveries = ReminderDelivery.objects.filter(recipient=production_manager).order_by("pk")
    assert deliveries.count() == 3  # asked, reminded twice
    assert "still waiting" in deliveries.last().texts["en"][0]
    assert Notification.objects.filter(recipient=production_manager).count() == 3


def test_an_answered_approval_is_not_reminded(world, sales_manager, production_manager):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    services.draft_submit(draft=draft, by=sales_manager)
    services.draft_answer(
        approval=draft.approvals.get(), by=production_manager, decision="approved"
    )
    assert approvals_remind(now=timezone.now() + datetime.timedelta(days=30)) == []
