"""Roles, people and information flows in a draft: proposing them (and bad input), the
findings they would open and close, and what that costs. Conflicts and publishing:
test_structure_publish.py; the pages: test_structure_views.py."""

from __future__ import annotations

import pytest

from collaboration.drafts import selectors, services
from collaboration.drafts import services_structure as structure
from collaboration.drafts.impact import draft_impact
from collaboration.drafts.models import Draft
from orgmap.models import Role, RoleHolder
from responsibilities import raci
from responsibilities.models import Finding
from tests import factories

from .factories import DraftFactory, set_live


def _stored():
    return sorted(Finding.objects.values_list("rule", "duty_id", "role_id", "department_id"))


def _opened(impact) -> set[tuple[str, int | None]]:
    return {(finding.rule, finding.duty_id) for finding in impact.opened}


def _closed(impact) -> set[tuple[str, int | None]]:
    return {(finding.rule, finding.duty_id) for finding in impact.closed}


def _holders(role: Role) -> set[str]:
    return set(
        RoleHolder.objects.current().filter(role=role).values_list("person__username", flat=True)
    )


# ------------------------------------------------------------------ proposing, bad input


def test_a_role_change_is_checked_as_live_and_a_change_back_removes_it(world, draft):
    with pytest.raises(structure.StructureInvalid) as error:
        structure.draft_role_change(
            draft=draft,
            role=world.sales_rep,
            title="head of sales",
            department=world.sales,
            active=True,
        )
    assert "already has a role with this title" in str(error.value.messages)
    with pytest.raises(structure.StructureInvalid):
        structure.draft_role_change(
            draft=draft, role=world.sales_rep, title="   ", department=world.sales, active=True
        )
    assert not draft.role_changes.exists()

    change = structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Account  Manager",
        department=world.sales,
        active=True,
    )
    assert change.title == "Account Manager" and change.base["title"] == "Sales Rep"
    assert (
        structure.draft_role_change(
            draft=draft,
            role=world.sales_rep,
            title="Sales Rep",
            department=world.sales,
            active=True,
        )
        is None
    )
    assert not draft.role_changes.exists()
    world.sales_rep.refresh_from_db()
    assert world.sales_rep.title == "Sales Rep"  # live untouched


def test_a_person_cannot_join_a_role_they_hold_nor_leave_one_they_do_not(
    world, draft, sales_manager
):
    with pytest.raises(structure.StructureInvalid, match="already holds"):
        structure.draft_holding_set(
            draft=draft, role=world.sales_head, person=sales_manager, action="join"
        )
    with pytest.raises(structure.StructureInvalid, match="does not hold"):
        structure.draft_holding_set(
            draft=draft, role=world.planner, person=sales_manager, action="leave"
        )
    gone = factories.UserFactory(is_active=False)
    with pytest.raises(structure.StructureInvalid):
        structure.draft_holding_set(draft=draft, role=world.planner, person=gone, action="join")
    with pytest.raises(services.DraftError):
        structure.draft_holding_set(
            draft=draft, role=world.planner, person=sales_manager, action="stay"
        )
    assert not draft.holdings.exists()

    structure.draft_holding_set(
        draft=draft, role=world.sales_head, person=sales_manager, action="leave"
    )
    # Joining again is what live has: the draft's leave is undone.
    assert (
        structure.draft_holding_set(
            draft=draft, role=world.sales_head, person=sales_manager, action="join"
        )
        is None
    )
    assert not draft.holdings.exists()


def test_a_move_is_a_leave_and_a_join_and_a_vacancy_a_leave_for_every_holder(
    world, draft, sales_manager
):
    structure.draft_person_move(
        draft=draft, person=sales_manager, from_role=world.sales_head, to_role=world.planner
    )
    actions = set(draft.holdings.values_list("role__title", "action"))
    assert actions == {("Head of Sales", "leave"), ("Planner", "join")}
    with pytest.raises(structure.StructureInvalid):
        structure.draft_person_move(
            draft=draft, person=sales_manager, from_role=world.planner, to_role=world.planner
        )

    factories.RoleHolderFactory(role=world.planner)
    structure.draft_role_vacate(draft=draft, role=world.planner)
    planner = draft.holdings.filter(role=world.planner)
    assert set(planner.values_list("action", flat=True)) == {"leave"}
    assert planner.count() == 2  # both live holders; the proposed join is dropped


def test_a_flow_is_checked_as_live_would_check_it(world, draft):
    with pytest.raises(structure.StructureInvalid, match="not to itself"):
        structure.draft_flow_add(
            draft=draft,
            from_department=world.sales,
            to_department=world.sales,
            information="Orders",
            channel="email",
            frequency="daily",
        )
    with pytest.raises(structure.StructureInvalid, match="Name the system"):
        structure.draft_flow_add(
            draft=draft,
            from_department=world.sales,
            to_department=world.production,
            information="Orders",
            channel="system",
            frequency="daily",
        )
    with pytest.raises(structure.StructureInvalid):
        structure.draft_flow_add(
            draft=draft,
            from_department=world.sales,
            to_department=world.production,
            information=" ",
            channel="pigeon",
            frequency="daily",
        )
    inactive = factories.InformationFlowFactory(
        from_department=world.sales, to_department=world.production, active=False
    )
    with pytest.raises(structure.StructureInvalid, match="not active"):
        structure.draft_flow_remove(draft=draft, flow=inactive)
    assert not draft.flow_changes.exists()


def test_only_an_editable_draft_takes_changes(world, draft, sales_manager):
    draft.status = Draft.Status.SUBMITTED
    draft.save()
    with pytest.raises(services.NotEditable):
        structure.draft_role_vacate(draft=draft, role=world.sales_head)
    with pytest.raises(services.NotEditable):
        structure.draft_flow_add(
            draft=draft,
            from_department=world.sales,
            to_department=world.production,
            information="Orders",
            channel="email",
            frequency="daily",
        )


def test_the_scope_covers_a_roles_departments_before_and_after_and_both_ends_of_a_flow(
    world, draft
):
    other = factories.DepartmentFactory(code="FIN")
    structure.draft_role_change(
        draft=draft, role=world.sales_rep, title="Sales Rep", department=other, active=True
    )
    structure.draft_role_vacate(draft=draft, role=world.planner)
    assert selectors.draft_scope(draft).department_ids == {
        world.sales.pk,
        other.pk,
        world.production.pk,
    }
    flows_only = DraftFactory(author=draft.author)
    legal = factories.DepartmentFactory(code="LEGAL")
    structure.draft_flow_add(
        draft=flows_only,
        from_department=other,
        to_department=legal,
        information="Invoices",
        channel="email",
        frequency="daily",
    )
    assert selectors.draft_scope(flows_only).department_ids == {other.pk, legal.pk}


# ------------------------------------------------------------------ impact


def test_leaving_a_role_vacant_opens_vacant_accountable_and_live_is_unchanged(world, draft):
    before = _stored()
    structure.draft_role_vacate(draft=draft, role=world.sales_head)

    impact = draft_impact(draft)

    assert {
        (raci.VACANT_ACCOUNTABLE, world.quoting.pk),
        (raci.VACANT_ACCOUNTABLE, world.orders.pk),
    } <= _opened(impact)
    assert _stored() == before


def test_a_person_joining_a_vacant_role_fills_it(world, draft):
    vacant = factories.RoleFactory(department=world.sales, title="Key Account Lead")
    set_live(world.orders, world.sales_rep, None)
    set_live(world.orders, vacant, "R")
    assert Finding.objects.filter(rule=raci.VACANT_RESPONSIBLE, duty=world.orders).exists()

    structure.draft_holding_set(
        draft=draft, role=vacant, person=factories.UserFactory(), action="join"
    )

    assert (raci.VACANT_RESPONSIBLE, world.orders.pk) in _closed(draft_impact(draft))


def test_retiring_a_role_opens_inactive_role_assigned(world, draft):
    structure.draft_role_change(
        draft=draft, role=world.sales_rep, title="Sales Rep", department=world.sales, active=False
    )
    impact = draft_impact(draft)
    opened = _opened(impact)
    assert (raci.INACTIVE_ROLE_ASSIGNED, world.quoting.pk) in opened
    assert (raci.NO_RESPONSIBLE, world.orders.pk) in opened


def test_retiring_a_role_without_duties_closes_its_role_finding(world, draft):
    idle = factories.RoleFactory(department=world.sales, title="Idle Role")
    factories.RoleHolderFactory(role=idle)
    assert Finding.objects.filter(rule=raci.ROLE_WITHOUT_DUTIES, role=idle).exists()
    structure.draft_role_change(
        draft=draft, role=idle, title="Idle Role", department=world.sales, active=False
    )
    impact = draft_impact(draft)
    assert [(f.rule, f.roles[0].id) for f in impact.closed] == [(raci.ROLE_WITHOUT_DUTIES, idle.pk)]
    assert not impact.opened


def test_moving_a_role_to_another_department_opens_the_missing_handoff(world, draft):
    structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Sales Rep",
        department=world.production,
        active=True,
    )
    handoff = [f for f in draft_impact(draft).opened if f.rule == raci.MISSING_HANDOFF]
    assert {f.duty_id for f in handoff} == {world.quoting.pk, world.orders.pk}
    assert {role.department_code for role in handoff[0].roles} == {"SALES", "PROD"}


def test_removing_a_flow_opens_missing_handoff_and_adding_one_closes_it(
    world, draft, sales_manager
):
    set_live(world.orders, world.planner, "R")  # A in SALES, R in PROD as well
    assert Finding.objects.filter(rule=raci.MISSING_HANDOFF, duty=world.orders).exists()

    structure.draft_flow_add(
        draft=draft,
        from_department=world.sales,
        to_department=world.production,
        information="Confirmed orders",
        channel="system",
        system_name="ERP",
        frequency="daily",
    )
    assert (raci.MISSING_HANDOFF, world.orders.pk) in _closed(draft_impact(draft))

    flow = factories.InformationFlowFactory(
        from_department=world.production, to_department=world.sales
    )
    assert not Finding.objects.filter(rule=raci.MISSING_HANDOFF, duty=world.orders).exists()
    before = _stored()
    removal = DraftFactory(author=sales_manager)
    structure.draft_flow_remove(draft=removal, flow=flow)
    assert (raci.MISSING_HANDOFF, world.orders.pk) in _opened(draft_impact(removal))
    assert (raci.MISSING_HANDOFF, world.quoting.pk) not in _opened(draft_impact(removal))
    assert _stored() == before


def test_structure_impact_costs_the_same_queries_for_one_or_many_changes(
    world, draft, django_assert_max_num_queries
):
    structure.draft_role_vacate(draft=draft, role=world.sales_head)
    structure.draft_role_change(
        draft=draft, role=world.sales_rep, title="Sales Rep", department=world.sales, active=False
    )
    structure.draft_flow_add(
        draft=draft,
        from_department=world.sales,
        to_department=world.production,
        information="Orders",
        channel="email",
        frequency="daily",
    )
    with django_assert_max_num_queries(20):
        draft_impact(draft)
    for number in range(15):
        department = factories.DepartmentFactory(code=f"X{number}")
        role = factories.RoleFactory(department=department, title=f"Clerk {number}")
        factories.RoleHolderFactory(role=role)
        duty = factories.DutyFactory(title=f"File {number}", department=department)
        set_live(duty, role, "A")
        set_live(duty, world.planner, "R")
        structure.draft_role_vacate(draft=draft, role=role)
        structure.draft_role_change(
            draft=draft, role=role, title=f"Filer {number}", department=department, active=True
        )
        structure.draft_flow_add(
            draft=draft,
            from_department=department,
            to_department=world.production,
            information="Files",
            channel="email",
            frequency="daily",
        )
    with django_assert_max_num_queries(20):
        impact = draft_impact(draft)
    vacant = {f.duty_id for f in impact.opened if f.rule == raci.VACANT_ACCOUNTABLE}
    assert len(vacant) == 17  # 15 new duties and the two of Head of Sales
    closed_handoffs = [f for f in impact.closed if f.rule == raci.MISSING_HANDOFF]
    assert len(closed_handoffs) == 15
