"""A draft's impact: the findings it would open and close, computed from what it touches,
while the live findings stay as they are."""

from __future__ import annotations

from collaboration.drafts import services
from collaboration.drafts.impact import draft_impact, identity
from collaboration.drafts.publish import draft_publish
from responsibilities import raci, selectors
from responsibilities.models import Finding

from .factories import DraftFactory


def _stored():
    return sorted(Finding.objects.values_list("rule", "duty_id", "role_id", "department_id"))


def test_moving_a_duty_shows_the_findings_it_would_open_and_live_is_unchanged(world, sales_manager):
    before = _stored()
    draft = DraftFactory(author=sales_manager)
    services.draft_duty_change(
        draft=draft,
        duty=world.quoting,
        title="Quote prices",
        department=world.production,
        project=None,
        active=True,
    )
    # The planner does the work too (R in two departments), and nobody is accountable.
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.planner, letter="R")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_head, letter=None)

    impact = draft_impact(draft)

    opened = {(f.rule, f.duty_id) for f in impact.opened}
    assert (raci.CROSS_DEPARTMENT_DUPLICATE, world.quoting.pk) in opened
    assert (raci.NO_ACCOUNTABLE, world.quoting.pk) in opened
    no_a = next(f for f in impact.opened if f.rule == raci.NO_ACCOUNTABLE)
    assert no_a.department_id == world.production.pk  # where the draft puts the duty
    assert _stored() == before  # live findings unchanged until published
    loads = {change.role.id: (change.before, change.after) for change in impact.loads}
    assert loads[world.planner.pk] == (0, 1)
    assert loads[world.sales_head.pk] == (2, 1)


def test_the_impact_is_what_live_has_after_publishing(world, sales_manager, admin_user):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter=None)
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.planner, letter="A")
    impact = draft_impact(draft)
    assert impact.opened and not impact.is_empty

    draft_publish(draft=draft, by=admin_user)

    live_now = {
        identity(f)
        for f in selectors.stored_findings(
            duty_ids=[world.orders.pk, world.quoting.pk],
            role_ids=[world.sales_rep.pk, world.planner.pk, world.sales_head.pk],
        )
    }
    assert {identity(f) for f in impact.opened} <= live_now
    assert not ({identity(f) for f in impact.closed} & live_now)


def test_a_change_back_to_live_leaves_no_change_and_no_impact(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter="C")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter="R")
    assert not draft.cells.exists()
    assert draft_impact(draft).is_empty


def test_impact_costs_the_same_queries_for_one_or_many_changes(
    world, sales_manager, django_assert_max_num_queries
):
    from tests import factories

    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    with django_assert_max_num_queries(14):
        draft_impact(draft)
    for number in range(30):
        duty = factories.DutyFactory(title=f"Extra {number}", department=world.sales)
        services.draft_cell_set(draft=draft, duty=duty, role=world.planner, letter="R")
    with django_assert_max_num_queries(14):
        impact = draft_impact(draft)
    closed = [f for f in impact.closed if f.rule == raci.NO_RESPONSIBLE]
    assert len(closed) == 30  # each new duty gets its R in the draft
    planner = next(change for change in impact.loads if change.role.id == world.planner.pk)
    assert (planner.before, planner.after) == (0, 30)


def test_the_findings_command_lists_a_drafts_impact(world, sales_manager):
    import json
    from io import StringIO

    from django.core.management import call_command

    draft = DraftFactory(author=sales_manager, name="Command check")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_head, letter=None)
    out = StringIO()
    call_command("findings", "--draft", "command check", stdout=out)
    assert "+ NO_ACCOUNTABLE" in out.getvalue() and "1 opened, 0 closed." in out.getvalue()
    out = StringIO()
    call_command("findings", "--draft", "Command check", "--format", "json", stdout=out)
    assert [f["rule"] for f in json.loads(out.getvalue())["opened"]] == ["NO_ACCOUNTABLE"]
    out = StringIO()
    call_command("findings", "--department", "SALES", stdout=out)  # live, as before
    assert "finding" in out.getvalue()
