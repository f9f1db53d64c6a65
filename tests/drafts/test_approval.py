"""Approval is needed exactly when a draft touches a department or project its author
does not manage; approvers are told in-app (and by email) through the reminders app."""

from __future__ import annotations

import pytest

from collaboration.drafts import services
from collaboration.drafts.models import Draft, DraftApproval
from collaboration.drafts.publish import draft_publish
from collaboration.reminders.models import Notification, ReminderDelivery
from tests import factories

from .factories import DraftFactory


def test_a_draft_inside_the_authors_department_needs_no_approval(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter="A")
    assert services.draft_submit(draft=draft, by=sales_manager) == []
    draft.refresh_from_db()
    assert draft.status == Draft.Status.APPROVED
    assert not Notification.objects.exists()


@pytest.mark.parametrize("change", ["role", "move"])
def test_touching_another_department_asks_its_manager(
    world, sales_manager, production_manager, change
):
    draft = DraftFactory(author=sales_manager, name="Planning help")
    if change == "role":
        services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    else:
        services.draft_duty_change(
            draft=draft,
            duty=world.orders,
            title=world.orders.title,
            department=world.production,
            project=None,
            active=True,
        )
    approvals = services.draft_submit(draft=draft, by=sales_manager)

    assert [(a.department_id, a.status) for a in approvals] == [(world.production.pk, "pending")]
    delivery = ReminderDelivery.objects.get(recipient=production_manager)
    assert delivery.kind == ReminderDelivery.Kind.MESSAGE
    assert delivery.link == draft.get_absolute_url()
    assert "Planning help" in delivery.texts["en"][0] and delivery.texts["zh-hans"][0]
    assert Notification.objects.filter(recipient=production_manager).count() == 1


def test_a_project_the_author_does_not_coordinate_needs_its_coordinator(world, sales_manager):
    coordinator = factories.UserFactory(username="coord")
    project = factories.ProjectFactory(code="LAUNCH2", coordinator=coordinator)
    duty = factories.DutyFactory(department=world.sales, project=project)
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=duty, role=world.sales_rep, letter="R")
    approvals = services.draft_submit(draft=draft, by=sales_manager)
    assert [a.project_id for a in approvals] == [project.pk]
    assert Notification.objects.filter(recipient=coordinator).exists()


def test_org_admins_need_no_approval(world, admin_user):
    draft = DraftFactory(author=admin_user)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    assert services.draft_submit(draft=draft, by=admin_user) == []


def test_approve_reject_and_ask_for_changes(world, sales_manager, production_manager):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    services.draft_submit(draft=draft, by=sales_manager)
    approval = draft.approvals.get()

    services.draft_answer(
        approval=approval, by=production_manager, decision="changes", comment="Make it I"
    )
    draft.refresh_from_db()
    assert draft.status == Draft.Status.CHANGES_REQUESTED and draft.is_editable
    assert Notification.objects.filter(recipient=sales_manager).count() == 1

    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="I")
    services.draft_submit(draft=draft, by=sales_manager)
    approval = draft.approvals.get()
    services.draft_answer(
        approval=approval, by=production_manager, decision="rejected", comment="No"
    )
    draft.refresh_from_db()
    assert draft.status == Draft.Status.REJECTED
    with pytest.raises(services.NotEditable):
        draft_publish(draft=draft, by=sales_manager)

    services.draft_reopen(draft=draft)
    draft.refresh_from_db()
    assert draft.status == Draft.Status.OPEN and not draft.approvals.exists()
    services.draft_submit(draft=draft, by=sales_manager)
    services.draft_answer(
        approval=draft.approvals.get(), by=production_manager, decision="approved"
    )
    draft.refresh_from_db()
    assert draft.status == Draft.Status.APPROVED
    assert draft.approvals.get().status == DraftApproval.Status.APPROVED


def test_the_approval_email_is_in_the_approvers_language(world, sales_manager, production_manager):
    from collaboration.reminders.emails import reminder_email

    production_manager.profile.language = "zh-hans"
    production_manager.profile.save(update_fields=["language"])
    draft = DraftFactory(author=sales_manager, name="Email check")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    services.draft_submit(draft=draft, by=sales_manager)
    delivery = ReminderDelivery.objects.get(recipient=production_manager)

    message = reminder_email(delivery)

    assert message.subject == delivery.texts["zh-hans"][1]
    assert delivery.texts["zh-hans"][0] in message.body
    assert draft.get_absolute_url() in message.body
