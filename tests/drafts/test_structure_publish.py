"""Roles, people and information flows in a draft: conflicts with live (reported, settled
by the author, refusing the publish whole) and publishing them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from collaboration.drafts import services
from collaboration.drafts import services_structure as structure
from collaboration.drafts.models import Draft, DraftHolding
from collaboration.drafts.publish import draft_publish
from collaboration.drafts.selectors_structure import StructureChanges, structure_conflicts
from collaboration.reminders.models import ReminderDelivery
from orgmap.models import Role, RoleHolder
from responsibilities.models import InformationFlow
from tests import factories

from .test_structure import _holders

# ------------------------------------------------------------------ conflicts


def _structure_conflicts(draft):
    return structure_conflicts(StructureChanges.read(draft))


def test_live_changes_made_after_the_drafts_are_conflicts_and_publishing_is_refused_whole(
    world, draft, sales_manager, admin_user
):
    structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Account Manager",
        department=world.sales,
        active=True,
    )
    structure.draft_holding_set(
        draft=draft, role=world.planner, person=sales_manager, action="join"
    )
    flow = factories.InformationFlowFactory(
        from_department=world.production, to_department=world.sales
    )
    structure.draft_flow_remove(draft=draft, flow=flow)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    # Live moves on after the draft's changes.
    world.sales_rep.title = "Sales Executive"
    world.sales_rep.save(update_fields=["title"])
    RoleHolder.objects.create(role=world.planner, person=sales_manager)
    flow.active = False
    flow.save(update_fields=["active"])

    conflicts = _structure_conflicts(draft)
    assert [c.live["title"] for c in conflicts.roles] == ["Sales Executive"]
    assert [c.held for c in conflicts.holdings] == [True]
    assert [c.live["active"] for c in conflicts.flows] == [False]
    holders = RoleHolder.objects.count()
    with pytest.raises(services.PublishConflict):
        draft_publish(draft=draft, by=admin_user)

    world.sales_rep.refresh_from_db()
    assert world.sales_rep.title == "Sales Executive"
    assert RoleHolder.objects.count() == holders
    assert "Planner" not in dict(world.orders.assignments.values_list("role__title", "letter"))
    draft.refresh_from_db()
    assert draft.status == Draft.Status.OPEN


def test_the_author_settles_structure_conflicts(world, draft, sales_manager, admin_user):
    rename = structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Account Manager",
        department=world.sales,
        active=True,
    )
    leave = structure.draft_holding_set(
        draft=draft, role=world.sales_head, person=sales_manager, action="leave"
    )
    world.sales_rep.title = "Sales Executive"
    world.sales_rep.save(update_fields=["title"])
    holding = RoleHolder.objects.current().get(role=world.sales_head, person=sales_manager)
    holding.until = timezone.localdate()
    holding.save(update_fields=["until"])  # left live meanwhile
    assert _structure_conflicts(draft)

    structure.draft_structure_settle(draft=draft, change=rename, keep="draft")
    structure.draft_structure_settle(draft=draft, change=leave, keep="draft")

    assert not _structure_conflicts(draft)
    assert not draft.holdings.exists()  # live already did what the draft proposed
    draft_publish(draft=draft, by=admin_user)
    world.sales_rep.refresh_from_db()
    assert world.sales_rep.title == "Account Manager"


# ------------------------------------------------------------------ publishing


def test_publishing_applies_roles_people_and_flows_and_tells_the_people(
    world, draft, sales_manager, production_manager, admin_user
):
    newcomer = factories.UserFactory(username="newcomer")
    rep_holder = RoleHolder.objects.current().get(role=world.sales_rep).person
    structure.draft_role_change(
        draft=draft,
        role=world.planner,
        title="Production Planner",
        department=world.production,
        active=True,
    )
    structure.draft_role_vacate(draft=draft, role=world.sales_rep)
    structure.draft_holding_set(draft=draft, role=world.sales_rep, person=newcomer, action="join")
    structure.draft_person_move(
        draft=draft,
        person=production_manager,
        from_role=world.production.head,
        to_role=world.planner,
    )
    kept = factories.InformationFlowFactory(
        from_department=world.production, to_department=world.sales
    )
    structure.draft_flow_add(
        draft=draft,
        from_department=world.sales,
        to_department=world.production,
        information="Confirmed orders",
        channel="email",
        frequency="daily",
    )
    structure.draft_flow_remove(draft=draft, flow=kept)

    draft_publish(draft=draft, by=admin_user)

    world.planner.refresh_from_db()
    assert world.planner.title == "Production Planner"
    assert _holders(world.sales_rep) == {"newcomer"}
    assert "production_manager" in _holders(world.planner)
    assert "production_manager" not in _holders(world.production.head)
    ended = RoleHolder.objects.get(role=world.sales_rep, person=rep_holder)
    assert ended.until == max(timezone.localdate(), ended.since + datetime.timedelta(days=1))
    kept.refresh_from_db()
    assert not kept.active
    added = InformationFlow.objects.get(information="Confirmed orders")
    assert (added.from_department, added.active, added.created_by) == (
        world.sales,
        True,
        admin_user,
    )
    told = {
        delivery.recipient.username
        for delivery in ReminderDelivery.objects.filter(kind=ReminderDelivery.Kind.MESSAGE)
        if "was published" in delivery.texts["en"][0]
    }
    assert {"newcomer", rep_holder.username, "production_manager"} <= told
    draft.refresh_from_db()
    assert draft.status == Draft.Status.PUBLISHED


def test_a_draft_that_became_invalid_live_publishes_nothing(world, draft, admin_user):
    structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Key Accounts",
        department=world.sales,
        active=True,
    )
    structure.draft_role_vacate(draft=draft, role=world.planner)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    factories.RoleFactory(department=world.sales, title="Key accounts")  # taken live meanwhile
    with pytest.raises(structure.StructureInvalid):
        draft_publish(draft=draft, by=admin_user)
    assert _holders(world.planner)
    assert not world.orders.assignments.filter(role=world.planner).exists()
    assert Role.objects.get(pk=world.sales_rep.pk).title == "Sales Rep"


def test_holdings_are_listed_by_role_and_action(world, draft, sales_manager):
    structure.draft_role_vacate(draft=draft, role=world.sales_head)
    assert [h.action for h in draft.holdings.all()] == [DraftHolding.Action.LEAVE]
