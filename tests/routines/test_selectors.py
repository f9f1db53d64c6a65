"""Reads other parts of orgmap rely on, and the coordinator suggestion."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from collaboration.routines import selectors, services
from collaboration.routines.models import ImprovementAction
from orgmap.models import Department, Role, RoleHolder
from responsibilities import selectors as responsibility_selectors

pytestmark = pytest.mark.django_db


def test_flow_department_pairs_in_one_query(make_flow, departments, django_assert_num_queries):
    make_flow("SALES", "PROD")
    make_flow("PROD", "SALES", "Production schedule")  # the same pair, other direction
    make_flow("CS", "PROD", "Complaints")
    make_flow("FIN", "SALES", "Budget", active=False)  # retired flows do not count
    with django_assert_num_queries(1):
        pairs = responsibility_selectors.flow_department_pairs()
    d = departments
    assert pairs == {
        frozenset({d["SALES"].pk, d["PROD"].pk}),
        frozenset({d["CS"].pk, d["PROD"].pk}),
    }


def test_the_head_of_the_lowest_common_parent_is_suggested(departments, sales_manager):
    suggestion = selectors.suggest_coordinator([departments["SALES-N"], departments["SALES-S"]])
    assert suggestion.people == [sales_manager]
    assert suggestion.department == departments["SALES"]
    assert "Sales" in suggestion.message
    # A parent and its own sub-department: the parent's head.
    suggestion = selectors.suggest_coordinator([departments["SALES"], departments["SALES-N"]])
    assert suggestion.people == [sales_manager]


def test_departments_without_a_common_parent_suggest_the_org_admins(departments, admin_user):
    suggestion = selectors.suggest_coordinator([departments["SALES"], departments["PROD"]])
    assert suggestion.department is None
    assert admin_user in suggestion.people
    assert "administrator" in suggestion.message


def test_a_vacant_head_is_skipped_for_the_next_department_up(departments, admin_user):
    sales = departments["SALES"]
    RoleHolder.objects.filter(role=sales.head).update(until=timezone.localdate())
    suggestion = selectors.suggest_coordinator([departments["SALES-N"], departments["SALES-S"]])
    assert suggestion.department is None and admin_user in suggestion.people


def test_authority_over_departments(departments, sales_manager, production_manager, member):
    regions = [departments["SALES-N"], departments["SALES-S"]]
    assert selectors.has_authority_over(sales_manager, regions)
    assert not selectors.has_authority_over(production_manager, regions)
    assert not selectors.has_authority_over(member, regions)
    li_na = RoleHolder.objects.get(role__title="North Regional Sales Manager").person
    assert not selectors.has_authority_over(li_na, regions)


def test_overdue_improvement_actions_with_their_owner(
    departments, member, production_manager, django_assert_num_queries
):
    feedback = services.feedback_give(
        summary="Slow", details="", target=departments["PROD"], by=member, anonymous=False
    )
    services.feedback_triage(feedback=feedback, status="accepted", by=production_manager)
    now = timezone.now()
    today = timezone.localdate(now)

    def action(title: str, days: int, status: str = "open") -> ImprovementAction:
        return ImprovementAction.objects.create(
            feedback=feedback,
            title=title,
            owner=production_manager,
            due_on=today + datetime.timedelta(days=days),
            status=status,
            done_at=now if status == "done" else None,
        )

    late = action("late", -3)
    late_in_progress = action("late, started", -1, "in_progress")
    action("due today", 0)
    action("done late", -10, "done")
    with django_assert_num_queries(1):
        overdue = list(selectors.overdue_improvement_actions(now))
        owners = [a.owner.username for a in overdue]
    assert overdue == [late, late_in_progress]
    assert owners == ["production_manager", "production_manager"]


def test_overdue_role_reviews(departments):
    today = datetime.date(2026, 6, 1)
    role = Role.objects.get(title="Production Planner")
    role.review_cadence_months = 12
    role.last_reviewed_on = datetime.date(2025, 5, 1)
    role.save()
    fresh = Role.objects.get(title="Line Supervisor")
    fresh.review_cadence_months = 12
    fresh.last_reviewed_on = datetime.date(2026, 1, 1)
    fresh.save()
    titles = {r.title for r in selectors.overdue_roles(today=today, department=departments["PROD"])}
    assert "Production Planner" in titles and "Line Supervisor" not in titles
    overdue = next(r for r in selectors.overdue_roles(today=today) if r.id == role.pk)
    assert overdue.due_on == datetime.date(2026, 5, 1)


def test_lesson_search_understands_chinese_and_tags(routines_demo):
    assert [lesson.title for lesson in selectors.lessons(query="版本")] == [
        "Prepare the month-end financial report from a shared checklist"
    ]
    assert selectors.lessons(tag="月结").count() == 1
    assert selectors.lessons(tag="Month End").count() == 1
    assert selectors.lessons(tag="month").count() == 0  # a tag matches whole
    assert selectors.lessons(query="checklist ERP").count() == 1
    assert selectors.lessons(query="nothing like this").count() == 0


def test_common_parents_are_listed_lowest_first(departments):
    ids = selectors.common_parent_ids([departments["SALES-N"].pk, departments["SALES-S"].pk])
    assert ids == [departments["SALES"].pk]
    assert selectors.common_parent_ids([departments["SALES-N"].pk]) == [
        departments["SALES-N"].pk,
        departments["SALES"].pk,
    ]
    assert Department.objects.filter(pk__in=ids).count() == 1
