"""Publishing: every change in one transaction, marked in the history; conflicts with
live edits made after the draft's change are reported and never overwritten."""

from __future__ import annotations

import pytest

from collaboration.drafts import selectors, services
from collaboration.drafts.models import Draft
from collaboration.drafts.publish import draft_publish
from responsibilities.models import Assignment, AssignmentChange, Duty

from .factories import DraftFactory, set_live


def _letters(duty):
    return dict(Assignment.objects.filter(duty=duty).values_list("role__title", "letter"))


def test_publishing_writes_one_history_row_per_changed_cell_marked_with_the_draft(
    world, sales_manager
):
    draft = DraftFactory(author=sales_manager, name="Reorganise quoting")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.planner, letter="C")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_rep, letter="A")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_head, letter=None)
    services.draft_submit(draft=draft, by=sales_manager)  # touches PROD: approval needed
    before = AssignmentChange.objects.count()

    draft.refresh_from_db()
    approval = draft.approvals.get()
    services.draft_answer(approval=approval, by=approval_user(world), decision="approved")
    draft_publish(draft=draft, by=sales_manager)

    rows = AssignmentChange.objects.filter(source="draft")
    assert AssignmentChange.objects.count() - before == 3 == rows.count()
    assert set(rows.values_list("source_name", flat=True)) == {"Reorganise quoting"}
    assert _letters(world.quoting) == {"Planner": "C", "Sales Rep": "A"}
    draft.refresh_from_db()
    assert draft.status == Draft.Status.PUBLISHED and draft.published_by == sales_manager


def approval_user(world):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="production_manager")


def test_a_live_edit_after_the_draft_is_a_conflict_and_is_never_overwritten(
    world, sales_manager, admin_user
):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter="C")
    services.draft_duty_change(
        draft=draft,
        duty=world.quoting,
        title="Quote all prices",
        department=world.sales,
        project=None,
        active=True,
    )
    # Live moves on after the draft's change.
    set_live(world.orders, world.sales_rep, "I", by=admin_user)
    world.quoting.title = "Quote list prices"
    world.quoting.save(update_fields=["title"])
    history = AssignmentChange.objects.count()

    cells, duties = selectors.conflicts(draft)
    assert [(c.change.role_id, c.live_letter) for c in cells] == [(world.sales_rep.pk, "I")]
    assert [d.live["title"] for d in duties] == ["Quote list prices"]
    with pytest.raises(services.PublishConflict):
        draft_publish(draft=draft, by=admin_user)

    assert _letters(world.orders)["Sales Rep"] == "I"
    assert Duty.objects.get(pk=world.quoting.pk).title == "Quote list prices"
    assert AssignmentChange.objects.count() == history
    draft.refresh_from_db()
    assert draft.status == Draft.Status.OPEN


def test_the_author_chooses_and_then_publishing_applies_the_choice(
    world, sales_manager, admin_user
):
    draft = DraftFactory(author=sales_manager)
    cell = services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter="C")
    other = services.draft_cell_set(
        draft=draft, duty=world.quoting, role=world.sales_rep, letter="C"
    )
    set_live(world.orders, world.sales_rep, "I", by=admin_user)
    set_live(world.quoting, world.sales_rep, "I", by=admin_user)

    services.draft_conflict_settle(draft=draft, change=cell, keep="draft")
    services.draft_conflict_settle(draft=draft, change=other, keep="live")
    assert selectors.conflicts(draft) == ([], [])
    draft_publish(draft=draft, by=admin_user)

    assert _letters(world.orders)["Sales Rep"] == "C"
    assert _letters(world.quoting)["Sales Rep"] == "I"


def test_a_refused_publish_changes_nothing(world, sales_manager, production_manager):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="R")
    services.draft_submit(draft=draft, by=sales_manager)
    draft.refresh_from_db()
    assert draft.status == Draft.Status.SUBMITTED

    with pytest.raises(services.NotApproved):
        draft_publish(draft=draft, by=sales_manager)  # waits for PROD's answer
    assert "Planner" not in _letters(world.orders)
    assert not AssignmentChange.objects.filter(source="draft").exists()


def test_a_moved_duty_is_published_and_its_findings_follow(world, sales_manager, admin_user):
    from responsibilities.models import Finding

    draft = DraftFactory(author=sales_manager)
    services.draft_duty_change(
        draft=draft,
        duty=world.quoting,
        title="Quote prices",
        department=world.production,
        project=None,
        active=True,
    )
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_head, letter=None)
    assert not Finding.objects.filter(duty=world.quoting, rule="NO_ACCOUNTABLE").exists()

    draft_publish(draft=draft, by=admin_user)

    world.quoting.refresh_from_db()
    assert world.quoting.department == world.production
    assert Finding.objects.filter(
        duty=world.quoting, rule="NO_ACCOUNTABLE", department=world.production
    ).exists()


def test_publishing_sends_a_draft_published_event(world, sales_manager, admin_user, settings):
    from orgmap.webhooks import services as webhook_services
    from orgmap.webhooks.models import Event

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    webhook_services.endpoint_create(
        url="http://127.0.0.1:9/hook", events=["draft.published"], description="", by=None
    )
    draft = DraftFactory(author=sales_manager, name="Reorganise quoting")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.planner, letter="C")
    draft_publish(draft=draft, by=admin_user)  # org admins publish directly
    [event] = Event.objects.filter(type="draft.published")
    published = event.payload["after"]
    assert (published["name"], published["author"], published["published_by"]) == (
        "Reorganise quoting",
        sales_manager.username,
        admin_user.username,
    )
    assert published["cells"] == 1 and published["duties"] == []
