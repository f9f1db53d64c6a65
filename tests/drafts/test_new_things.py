"""Duties and roles added in a draft: validated as live, judged by raci's rules in the
impact like live ones, shown and edited on the matrix in the draft, and created live
(with their letters and history rows "from draft X") when the draft is published, or
not at all."""

from __future__ import annotations

import pytest

from collaboration.drafts import selectors, services, services_new
from collaboration.drafts.impact import draft_impact
from collaboration.drafts.models import DraftCell
from collaboration.drafts.publish import draft_publish
from orgmap.models import Role
from responsibilities import raci
from responsibilities.models import Assignment, AssignmentChange, Duty, Finding
from tests import factories

from .factories import DraftFactory


def _new_duty(draft, world, title="Plan capacity", department=None, **fields):
    return services_new.draft_new_duty_save(
        draft=draft, title=title, department=department or world.sales, **fields
    )


def _new_role(draft, world, title="Key Account Manager", department=None, **fields):
    return services_new.draft_new_role_save(
        draft=draft, title=title, department=department or world.sales, **fields
    )


# ------------------------------------------------------------------ services


def test_a_new_duty_title_taken_live_in_its_department_is_refused(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    with pytest.raises(services.DutyInvalid) as refused:
        _new_duty(draft, world, title="  quote   PRICES ")
    assert "already has a duty with this title" in " ".join(refused.value.messages)
    assert not draft.new_duties.exists()


def test_a_new_duty_title_taken_by_another_new_duty_of_the_draft_is_refused(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    _new_duty(draft, world, title="Plan capacity")
    with pytest.raises(services.DutyInvalid) as refused:
        _new_duty(draft, world, title="plan  capacity")
    assert "already adds a duty" in " ".join(refused.value.messages)
    # The same title in another department is another duty.
    _new_duty(draft, world, title="Plan capacity", department=world.production)
    assert draft.new_duties.count() == 2


def test_a_new_duty_without_title_is_refused(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    with pytest.raises(services.DutyInvalid):
        _new_duty(draft, world, title="   ")


def test_a_new_duty_can_be_renamed_and_deleted_with_its_letters(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    new_duty = _new_duty(draft, world)
    services_new.draft_new_cell_set(
        draft=draft, new_duty=new_duty, role=world.sales_head, letter="A"
    )
    services_new.draft_new_duty_save(
        draft=draft, new_duty=new_duty, title="Plan the capacity", department=world.sales
    )
    assert draft.new_duties.get().title == "Plan the capacity"
    services_new.draft_new_duty_delete(draft=draft, new_duty=new_duty)
    assert not draft.new_duties.exists() and not draft.cells.exists()


def test_a_new_role_title_taken_live_whatever_its_case_is_refused(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    with pytest.raises(services_new.RoleInvalid) as refused:
        _new_role(draft, world, title="sales  rep")
    assert "already has a role with this title" in " ".join(refused.value.messages)
    _new_role(draft, world, title="Sales Rep", department=world.production)  # elsewhere: fine
    with pytest.raises(services_new.RoleInvalid):
        _new_role(draft, world, title="SALES REP", department=world.production)


def test_a_new_role_reporting_to_a_retired_role_is_refused(world, sales_manager):
    retired = factories.RoleFactory(department=world.sales, title="Old Boss", active=False)
    draft = DraftFactory(author=sales_manager)
    with pytest.raises(services_new.RoleInvalid):
        _new_role(draft, world, reports_to=retired)
    _new_role(draft, world, reports_to=world.sales_head)


def test_new_things_are_refused_in_a_draft_that_cannot_be_edited(world, sales_manager):
    draft = DraftFactory(author=sales_manager, status="submitted")
    with pytest.raises(services.NotEditable):
        _new_duty(draft, world)
    with pytest.raises(services.NotEditable):
        _new_role(draft, world)


def test_letters_of_new_things_are_set_cleared_and_checked(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    other = DraftFactory(author=sales_manager)
    new_duty, new_role = _new_duty(draft, world), _new_role(draft, world)
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="R")
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="A")
    services_new.draft_new_cell_set(draft=draft, duty=world.orders, new_role=new_role, letter="C")
    assert draft.cells.count() == 2
    with pytest.raises(raci.UnknownLetter):
        services_new.draft_new_cell_set(
            draft=draft, new_duty=new_duty, role=world.planner, letter="X"
        )
    with pytest.raises(services.DraftError):  # another draft's new duty
        services_new.draft_new_cell_set(
            draft=other, new_duty=new_duty, role=world.planner, letter="R"
        )
    with pytest.raises(services.DraftError):  # two live things: draft_cell_set's
        services_new.draft_new_cell_set(
            draft=draft, duty=world.orders, role=world.planner, letter="R"
        )
    services_new.draft_new_cell_set(draft=draft, duty=world.orders, new_role=new_role, letter=None)
    assert list(draft.cells.values_list("letter", flat=True)) == ["A"]


def test_the_database_refuses_a_cell_with_both_or_neither_duty(world, sales_manager):
    from django.db import IntegrityError, transaction

    draft = DraftFactory(author=sales_manager)
    new_duty = _new_duty(draft, world)
    with pytest.raises(IntegrityError), transaction.atomic():
        DraftCell.objects.create(
            draft=draft, duty=world.orders, new_duty=new_duty, role=world.planner, letter="R"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DraftCell.objects.create(draft=draft, role=world.planner, letter="R")


def test_new_things_are_in_the_drafts_scope(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    _new_role(draft, world, department=world.production)
    project = factories.ProjectFactory()
    _new_duty(draft, world, title="Launch plan", project=project)
    scope = selectors.draft_scope(draft)
    assert scope.department_ids == {world.sales.pk, world.production.pk}
    assert scope.project_ids == {project.pk}


# ------------------------------------------------------------------ impact


def _opened(impact):
    return {(finding.rule, finding.duty_id) for finding in impact.opened}


def test_a_new_duty_without_accountable_opens_no_accountable(world, sales_manager):
    before = set(Finding.objects.values_list("pk", flat=True))
    draft = DraftFactory(author=sales_manager)
    new_duty = _new_duty(draft, world)
    services_new.draft_new_cell_set(
        draft=draft, new_duty=new_duty, role=world.sales_rep, letter="R"
    )
    impact = draft_impact(draft)
    assert (raci.NO_ACCOUNTABLE, -new_duty.pk) in _opened(impact)
    finding = next(f for f in impact.opened if f.rule == raci.NO_ACCOUNTABLE)
    assert finding.duty_title == "Plan capacity" and finding.department_id == world.sales.pk
    rep = next(change for change in impact.loads if change.role.id == world.sales_rep.pk)
    assert (rep.before, rep.after) == (2, 3)
    assert set(Finding.objects.values_list("pk", flat=True)) == before  # live unchanged


def test_a_new_duty_done_in_two_departments_opens_cross_department_duplicate(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    new_duty = _new_duty(draft, world)
    for role, letter in ((world.sales_head, "A"), (world.sales_rep, "R"), (world.planner, "R")):
        services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, role=role, letter=letter)
    opened = _opened(draft_impact(draft))
    assert (raci.CROSS_DEPARTMENT_DUPLICATE, -new_duty.pk) in opened
    assert (raci.NO_ACCOUNTABLE, -new_duty.pk) not in opened


def test_a_new_duty_with_the_title_of_another_departments_duty_is_a_duplicate(world, sales_manager):
    draft = DraftFactory(author=sales_manager)
    new_duty = _new_duty(draft, world, title="Quote prices", department=world.production)
    opened = _opened(draft_impact(draft))
    assert (raci.DUPLICATE_DUTY, -new_duty.pk) in opened
    assert (raci.DUPLICATE_DUTY, world.quoting.pk) in opened  # the live copy is flagged too


def test_a_new_role_without_duties_opens_role_without_duties_and_shows_its_load(
    world, sales_manager
):
    draft = DraftFactory(author=sales_manager)
    idle = _new_role(draft, world, title="Idle Role")
    busy = _new_role(draft, world, title="Busy Role")
    services_new.draft_new_cell_set(draft=draft, duty=world.orders, new_role=busy, letter="R")
    impact = draft_impact(draft)
    role_findings = {(f.rule, f.roles[0].id) for f in impact.opened if f.duty_id is None}
    assert (raci.ROLE_WITHOUT_DUTIES, -idle.pk) in role_findings
    assert (raci.ROLE_WITHOUT_DUTIES, -busy.pk) not in role_findings
    loads = {change.role.id: (change.before, change.after) for change in impact.loads}
    assert loads[-busy.pk] == (0, 1) and loads[-idle.pk] == (0, 0)


def test_the_impact_costs_the_same_queries_with_or_without_new_things(
    world, sales_manager, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    with CaptureQueriesContext(connection) as without:
        draft_impact(draft)
    for number in range(8):
        new_duty = _new_duty(draft, world, title=f"New {number}")
        new_role = _new_role(draft, world, title=f"New role {number}")
        services_new.draft_new_cell_set(
            draft=draft, new_duty=new_duty, role=world.planner, letter="R"
        )
        services_new.draft_new_cell_set(
            draft=draft, new_duty=new_duty, new_role=new_role, letter="A"
        )
        services_new.draft_new_cell_set(
            draft=draft, duty=world.quoting, new_role=new_role, letter="I"
        )
    with django_assert_max_num_queries(len(without.captured_queries) + 2):
        impact = draft_impact(draft)
    assert len([f for f in impact.opened if f.rule == raci.VACANT_ACCOUNTABLE]) == 8


# ------------------------------------------------------------------ publish


def test_publish_creates_new_roles_and_duties_with_their_letters_and_history(
    world, sales_manager, admin_user
):
    draft = DraftFactory(author=sales_manager, name="Capacity")
    new_duty = _new_duty(draft, world, description="Weekly")
    new_role = _new_role(draft, world, purpose="Keeps key accounts", reports_to=world.sales_head)
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="A")
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, role=world.planner, letter="R")
    services_new.draft_new_cell_set(draft=draft, duty=world.orders, new_role=new_role, letter="C")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="I")

    draft_publish(draft=draft, by=admin_user)

    duty = Duty.objects.get(title="Plan capacity", department=world.sales)
    role = Role.objects.get(title="Key Account Manager", department=world.sales)
    assert duty.description == "Weekly" and role.reports_to == world.sales_head
    assert role.purpose == "Keeps key accounts"
    cells = set(
        Assignment.objects.filter(duty__in=[duty, world.orders]).values_list(
            "duty_id", "role_id", "letter"
        )
    )
    assert {(duty.pk, role.pk, "A"), (duty.pk, world.planner.pk, "R")} <= cells
    assert {(world.orders.pk, role.pk, "C"), (world.orders.pk, world.planner.pk, "I")} <= cells
    history = AssignmentChange.objects.filter(source_name="Capacity")
    assert history.count() == 4 and set(history.values_list("source", flat=True)) == {"draft"}
    # The stored findings know the new duty (it has an A and an R: no NO_ACCOUNTABLE).
    assert not Finding.objects.filter(duty=duty, rule=raci.NO_ACCOUNTABLE).exists()
    draft.refresh_from_db()
    assert draft.status == "published"


def test_publish_is_refused_whole_when_a_new_duty_title_was_taken_live_meanwhile(
    world, sales_manager, admin_user
):
    draft = DraftFactory(author=sales_manager)
    new_role = _new_role(draft, world)
    new_duty = _new_duty(draft, world)
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="A")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="I")
    factories.DutyFactory(title="Plan Capacity", department=world.sales)  # live, meanwhile
    counts = (Role.objects.count(), Duty.objects.count(), AssignmentChange.objects.count())

    with pytest.raises(services.DutyInvalid) as refused:
        draft_publish(draft=draft, by=admin_user)

    assert "Plan capacity" in " ".join(refused.value.messages)
    assert (Role.objects.count(), Duty.objects.count(), AssignmentChange.objects.count()) == counts
    assert not Assignment.objects.filter(duty=world.orders, role=world.planner).exists()
    draft.refresh_from_db()
    assert draft.status == "open"


def test_publish_is_refused_whole_when_a_new_role_title_was_taken_live_meanwhile(
    world, sales_manager, admin_user
):
    draft = DraftFactory(author=sales_manager)
    _new_role(draft, world)
    _new_duty(draft, world)
    factories.RoleFactory(title="KEY ACCOUNT MANAGER", department=world.sales)
    duties = Duty.objects.count()
    with pytest.raises(services_new.RoleInvalid):
        draft_publish(draft=draft, by=admin_user)
    assert Duty.objects.count() == duties
