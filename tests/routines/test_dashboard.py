"""Dashboards and the panels on department and project pages: what they show, and
that their cost does not grow with the data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from collaboration.meetings.models import Meeting
from collaboration.routines.models import (
    Charter,
    Conflict,
    Feedback,
    Goal,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
)
from orgmap.models import Department, Project
from responsibilities.attestation import services as confirmations
from responsibilities.attestation.models import ConfirmationRequest
from responsibilities.models import InformationFlow
from tests import factories

pytestmark = pytest.mark.django_db


def _grow(times: int, *, member, admin, prefix: str) -> None:
    """More of everything a dashboard shows, around Sales and Production."""
    sales, production = Department.objects.get(code="SALES"), Department.objects.get(code="PROD")
    project = Project.objects.get(code="LAUNCH")
    today = timezone.localdate()
    now = timezone.now()
    for index in range(times):
        department = Department.objects.create(
            name=f"Team {prefix}{index}", code=f"T{prefix}{index}", parent=sales
        )
        InformationFlow.objects.create(
            from_department=department,
            to_department=production,
            information=f"Info {index}",
            channel="email",
            frequency="daily",
        )
        conflict = Conflict.objects.create(
            title=f"Conflict {index}", description="x", coordinator=admin
        )
        conflict.departments.set([sales, production, department])
        goal = Goal.objects.create(title=f"Goal {index}", department=sales)
        goal.contributing_departments.set([production, department])
        for measure in ("a", "b"):
            target = Target.objects.create(
                goal=goal,
                measure=measure,
                baseline=0,
                target_value=100,
                starts_on=today - datetime.timedelta(days=90),
                due_on=today + datetime.timedelta(days=10),
            )
            TargetProgress.objects.create(target=target, value=Decimal(index), recorded_by=member)
        feedback = Feedback.objects.create(
            summary=f"Feedback {index}", department=sales, status="accepted", author=member
        )
        ImprovementAction.objects.create(
            feedback=feedback,
            title=f"Action {index}",
            owner=member,
            due_on=today - datetime.timedelta(days=1),
        )
        Lesson.objects.create(
            title=f"Lesson {index}", department=sales, what_worked="x", author=member
        )
        meeting = Meeting.objects.create(
            title=f"Sync {index}",
            starts_at=now + datetime.timedelta(days=index + 1),
            project=project,
        )
        meeting.departments.set([sales])


@pytest.mark.parametrize(
    "url",
    [
        reverse("collaboration-dashboard"),
        reverse("department-collaboration", args=["SALES"]),
        reverse("department-detail", args=["SALES"]),
        reverse("project-detail", args=["LAUNCH"]),
        reverse("goal-list"),
        reverse("conflict-list"),
        reverse("flow-map"),
        reverse("flow-list"),
        reverse("lesson-list"),
        reverse("feedback-list"),
        reverse("action-list"),
    ],
)
def test_page_cost_does_not_grow_with_the_data(
    url, routines_demo, member, admin_user, client_for, django_assert_max_num_queries
):
    client = client_for(member)
    _grow(2, member=member, admin=admin_user, prefix="A")
    with django_assert_max_num_queries(60) as small:
        assert client.get(url).status_code == 200
    _grow(15, member=member, admin=admin_user, prefix="B")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_organisation_dashboard_counts_what_needs_attention(routines_demo, member, client_for):
    board = client_for(member).get(reverse("collaboration-dashboard")).context["board"]
    assert board.finding_count > 0
    assert [c.title for c in board.open_conflicts] == [
        "Rush orders keep breaking the weekly production schedule"
    ]
    assert [row.goal.title for row in board.goals_at_risk] == [
        "Launch the new product successfully"
    ]
    assert [a.title for a in board.overdue_actions] == [
        "Add a complaints queue to the ERP instead of email"
    ]
    assert board.recent_lessons and board.new_feedback == 1
    assert board.overdue_roles  # the demo has a few reviews overdue


def test_a_department_dashboard_is_about_that_department(routines_demo, member, client_for):
    client = client_for(member)
    north = client.get(reverse("department-collaboration", args=["SALES-N"])).context["board"]
    assert north.open_conflicts == []  # its conflict with South Sales is settled
    production = client.get(reverse("department-collaboration", args=["PROD"])).context["board"]
    assert [c.title for c in production.open_conflicts] == [
        "Rush orders keep breaking the weekly production schedule"
    ]
    assert len(production.overdue_actions) == 1  # feedback on the CS → Production hand-off
    finance = client.get(reverse("department-collaboration", args=["FIN"])).context["board"]
    assert finance.overdue_actions == [] and len(finance.recent_lessons) == 1


def test_the_dashboard_scope_picker_leads_to_the_department_dashboard(member, client_for):
    factories.DepartmentFactory(code="PROD", name="Production")
    response = client_for(member).get(reverse("collaboration-dashboard"), {"department": "prod"})
    assert response.status_code == 302
    assert response["Location"] == reverse("department-collaboration", args=["PROD"])


def test_the_dashboard_links_every_routine(member, client_for):
    page = client_for(member).get(reverse("collaboration-dashboard"))
    for name in (
        "flow-map",
        "conflict-list",
        "goal-list",
        "lesson-list",
        "feedback-list",
        "my-conflicts",
    ):
        assert f'href="{reverse(name)}"' in page.text


def test_the_dashboards_load_the_findings_trend_of_their_scope(member, client_for):
    factories.DepartmentFactory(code="PROD", name="Production")
    organisation = client_for(member).get(reverse("collaboration-dashboard"))
    assert f'hx-get="{reverse("picture-trend")}"' in organisation.text
    department = client_for(member).get(reverse("department-collaboration", args=["PROD"]))
    assert f'hx-get="{reverse("picture-trend")}?department=PROD"' in department.text
    trend = client_for(member).get(
        reverse("picture-trend"), {"department": "PROD"}, headers={"HX-Request": "true"}
    )
    assert trend.status_code == 200
    assert 'id="findings-trend"' in trend.text


def test_department_page_shows_charter_conflicts_and_interfaces(routines_demo, member, client_for):
    page = client_for(member).get(reverse("department-detail", args=["SALES"]))
    assert "<strong>the same day</strong>" in page.text  # the charter, rendered
    assert "Rush orders keep breaking" in page.text
    assert "Interfaces: gives 2, receives 5" in page.text
    assert Charter.objects.filter(department__code="SALES").exists()


def test_upcoming_meetings_on_the_dashboard(demo_duties, member, client_for):
    meeting = Meeting.objects.create(
        title="Launch sync", starts_at=timezone.now() + datetime.timedelta(days=2)
    )
    Meeting.objects.create(title="Old sync", starts_at=timezone.now() - datetime.timedelta(days=2))
    weekly = Meeting.objects.create(
        title="Weekly sync",
        starts_at=timezone.now() - datetime.timedelta(days=3),
        recurrence=Meeting.Recurrence.WEEKLY,
    )
    board = client_for(member).get(reverse("collaboration-dashboard")).context["board"]
    # A series that started earlier shows with its next occurrence.
    assert [row.meeting for row in board.upcoming_meetings] == [meeting, weekly]
    assert board.upcoming_meetings[1].next_start > timezone.now()


def test_seeding_twice_changes_nothing(routines_demo, sales_manager):
    from collaboration.routines.demo import seed_routines

    assert all(routines_demo.values())
    assert not any(seed_routines().values())
    settled = Conflict.objects.get(status="settled")
    assert {d.code for d in settled.departments.all()} == {"SALES-N", "SALES-S"}
    assert settled.settled_by == sales_manager
    services_flows = InformationFlow.objects.filter(
        from_department__code="SALES", to_department__code="PROD"
    ).get()
    assert (services_flows.information, services_flows.channel_label) == ("Order details", "ERP")
    assert ImprovementAction.objects.filter(feedback__flow__from_department__code="CS").count() == 2


# ------------------------------------------------------------------ declined questions


@pytest.fixture
def declined(django_capture_on_commit_callbacks, sales_manager):
    """A Sales holder declined their role description with a question."""
    sales = Department.objects.get(code="SALES")
    role = factories.RoleFactory(department=sales, title="Key Account Lead")
    holder = factories.UserFactory(username="kal")
    with django_capture_on_commit_callbacks(execute=True):
        factories.AssignmentFactory(duty=factories.DutyFactory(department=sales), role=role)
        factories.RoleHolderFactory(role=role, person=holder)
    asked = ConfirmationRequest.objects.get(person=holder)
    confirmations.confirmation_answer(
        request_id=asked.pk, person=holder, accept=False, question="Who signs the rebates?"
    )
    return role


def test_the_department_manager_sees_the_declined_questions(declined, sales_manager, client_for):
    for path in (
        reverse("collaboration-dashboard"),
        reverse("department-collaboration", args=["SALES"]),
    ):
        page = client_for(sales_manager).get(path).content.decode()
        assert 'id="declined-questions"' in page
        assert "Who signs the rebates?" in page and "Key Account Lead" in page


def test_hr_sees_every_declined_question_and_a_member_none(declined, hr, member, client_for):
    page = client_for(hr).get(reverse("collaboration-dashboard")).content.decode()
    assert "Who signs the rebates?" in page
    for path in (
        reverse("collaboration-dashboard"),
        reverse("department-collaboration", args=["SALES"]),
    ):
        page = client_for(member).get(path).content.decode()
        assert 'id="declined-questions"' not in page
        assert "Who signs the rebates?" not in page


def test_another_departments_manager_does_not_see_the_question(
    declined, production_manager, client_for
):
    client = client_for(production_manager)
    page = client.get(reverse("department-collaboration", args=["SALES"])).content.decode()
    assert 'id="declined-questions"' not in page
    page = client.get(reverse("collaboration-dashboard")).content.decode()
    assert "Who signs the rebates?" not in page
    assert "No holder has declined a role description." in page
