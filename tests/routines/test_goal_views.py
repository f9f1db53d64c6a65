"""Shared goals: the forms, recording progress, the progress page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboration.routines.models import Goal, GoalLink, Target, TargetProgress
from orgmap.models import Project, Role

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


@pytest.fixture
def launch_goal(demo_duties, departments):
    goal = Goal.objects.create(title="Launch", project=Project.objects.get(code="LAUNCH"))
    goal.contributing_departments.set([departments["SALES"], departments["PROD"]])
    today = timezone.localdate()
    Target.objects.create(
        goal=goal,
        measure="Units sold",
        baseline=0,
        target_value=1000,
        unit="units",
        starts_on=today - datetime.timedelta(days=50),
        due_on=today + datetime.timedelta(days=50),
    )
    return goal


def test_a_manager_sets_a_department_goal(sales_manager, departments, client_for):
    response = client_for(sales_manager).post(
        reverse("goal-create"),
        {
            "title": "Faster hand-offs",
            "department": departments["SALES"].pk,
            "contributing_departments": [departments["PROD"].pk],
        },
    )
    goal = Goal.objects.get()
    assert response.status_code == 302 and response["Location"] == goal.get_absolute_url()
    assert list(goal.contributing_departments.all()) == [departments["PROD"]]


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ("none", "exactly one department or one project"),
        ("both", "exactly one department or one project"),
        ("other", "Select a valid choice"),
    ],
)
def test_goal_owner_must_be_one_thing_the_user_runs(
    owner, message, admin_user, sales_manager, departments, client_for, demo_duties
):
    project = Project.objects.get(code="LAUNCH")
    data = {"title": "Goal"}
    user = admin_user
    if owner == "both":
        data |= {"department": departments["SALES"].pk, "project": project.pk}
    if owner == "other":
        data |= {"department": departments["PROD"].pk}
        user = sales_manager
    response = client_for(user).post(reverse("goal-create"), data)
    assert response.status_code == 200 and message in response.text
    assert not Goal.objects.exists()


def test_bad_target_input_gives_a_message_and_saves_nothing(launch_goal, coordinator, client_for):
    response = client_for(coordinator).post(
        reverse("target-create", args=[launch_goal.pk]),
        {
            "measure": "Leads",
            "baseline": "zero",
            "target_value": "10",
            "starts_on": "2026-05-01",
            "due_on": "2026-04-01",
        },
    )
    assert response.status_code == 200
    assert "Enter a number." in response.text
    response = client_for(coordinator).post(
        reverse("target-create", args=[launch_goal.pk]),
        {
            "measure": "Leads",
            "baseline": "0",
            "target_value": "10",
            "starts_on": "2026-05-01",
            "due_on": "2026-04-01",
        },
    )
    assert "The due date must be after the baseline date." in response.text
    assert launch_goal.targets.count() == 1


def test_recording_progress_updates_the_computed_figures(
    launch_goal, coordinator, member, client_for
):
    target = launch_goal.targets.get()
    client = client_for(coordinator)
    response = client.post(
        reverse("target-progress", args=[target.pk]), {"value": "200", "note": "week 1"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("target-progress", args=[target.pk]), {"value": "400"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="targets"' in response.text
    assert list(TargetProgress.objects.values_list("value", flat=True)) == [
        Decimal(400),
        Decimal(200),
    ]
    page = client_for(member).get(launch_goal.get_absolute_url())
    (row,) = page.context["row"].targets
    assert (row.progress.current, row.progress.percent) == (Decimal(400), 40)
    assert "week 1" in page.text  # the history table
    assert "Record value" not in page.text  # a member reads, does not record


def test_bad_progress_input_gives_a_message_and_saves_nothing(launch_goal, coordinator, client_for):
    target = launch_goal.targets.get()
    response = client_for(coordinator).post(
        reverse("target-progress", args=[target.pk]), {"value": "lots"}
    )
    assert response.status_code == 200 and "Give the value as a number." in response.text
    response = client_for(coordinator).post(
        reverse("target-progress", args=[target.pk]), {"value": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Give the measured value." in response.text
    assert not TargetProgress.objects.exists()


def test_links_to_duties_and_roles_show_on_the_goal_page(launch_goal, coordinator, client_for):
    role = Role.objects.get(title="Production Planner")
    client = client_for(coordinator)
    response = client.post(
        reverse("goal-link-create", args=[launch_goal.pk]), {"role": role.pk, "note": "yield"}
    )
    assert response.status_code == 302
    response = client.post(reverse("goal-link-create", args=[launch_goal.pk]), {"note": "nothing"})
    assert response.status_code == 200 and "Link the goal to one duty or one role." in response.text
    page = client.get(launch_goal.get_absolute_url())
    assert "Production Planner" in page.text and "yield" in page.text
    link = GoalLink.objects.get()
    response = client.post(reverse("goal-link-delete", args=[link.pk]))
    assert response.status_code == 302 and not GoalLink.objects.exists()


def test_goals_at_risk_are_listed(launch_goal, member, client_for):
    target = launch_goal.targets.get()
    target.due_on = timezone.localdate() + datetime.timedelta(days=10)
    target.save()
    page = client_for(member).get(reverse("goal-list") + "?risk=1")
    assert [row.goal for row in page.context["rows"]] == [launch_goal]
    assert "due within 30 days" in client_for(member).get(launch_goal.get_absolute_url()).text
