"""The rules each routine's model keeps, in clean() and in the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from collaboration.routines import richtext, selectors, services
from collaboration.routines.models import (
    Conflict,
    Feedback,
    Goal,
    GoalLink,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
    normalise_tags,
)
from orgmap.models import Project, Role
from responsibilities.models import InformationFlow

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ information flows


def test_flow_from_a_department_to_itself_is_refused(departments):
    flow = InformationFlow(
        from_department=departments["SALES"],
        to_department=departments["SALES"],
        information="Order details",
        channel="email",
        frequency="daily",
    )
    with pytest.raises(ValidationError) as error:
        flow.full_clean()
    assert "from one department to another, not to itself" in str(error.value)
    # The database refuses it too, whichever way it is written.
    with pytest.raises(IntegrityError), transaction.atomic():
        flow.save()


def test_a_role_on_a_flow_must_belong_to_that_end_of_the_flow(departments):
    flow = InformationFlow(
        from_department=departments["SALES"],
        from_role=Role.objects.get(title="Production Planner"),
        to_department=departments["PROD"],
        to_role=Role.objects.get(title="Head of Sales"),
        information="Order details",
        channel="email",
        frequency="daily",
    )
    with pytest.raises(ValidationError) as error:
        flow.full_clean()
    assert error.value.message_dict["from_role"] == [
        "The role must belong to the department the flow comes from."
    ]
    assert error.value.message_dict["to_role"] == [
        "The role must belong to the department the flow goes to."
    ]
    flow.from_role = Role.objects.get(title="Sales Operations Analyst")
    flow.to_role = Role.objects.get(title="Production Planner")
    flow.full_clean()  # both roles in their own department: fine


def test_a_named_system_channel_needs_the_system_name(departments):
    flow = InformationFlow(
        from_department=departments["SALES"],
        to_department=departments["PROD"],
        information="Order details",
        channel="system",
        frequency="daily",
    )
    with pytest.raises(ValidationError) as error:
        flow.full_clean()
    assert "system_name" in error.value.message_dict
    flow.system_name = "ERP"
    flow.full_clean()
    assert flow.channel_label == "ERP"


# ------------------------------------------------------------------------ conflicts


def test_a_settled_conflict_needs_a_settlement_text(departments, sales_manager):
    conflict = services.conflict_raise(
        title="Demo units",
        description="Both regions book them.",
        departments=[departments["SALES-N"], departments["SALES-S"]],
        raised_by=sales_manager,
    )
    conflict.status = Conflict.Status.SETTLED
    conflict.settled_at = timezone.now()
    with pytest.raises(ValidationError) as error:
        conflict.full_clean()
    assert error.value.message_dict["settlement"] == ["A settled conflict needs a settlement text."]
    with pytest.raises(ValidationError):
        services.conflict_settle(
            conflict=conflict, settlement="   ", decisions="", by=sales_manager
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Conflict.objects.filter(pk=conflict.pk).update(
            status="settled", settled_at=timezone.now(), settlement=""
        )
    conflict.refresh_from_db()
    assert conflict.status == Conflict.Status.OPEN

    settled = services.conflict_settle(
        conflict=conflict, settlement="Shared calendar.", decisions="", by=sales_manager
    )
    assert (settled.status, settled.settled_by) == (Conflict.Status.SETTLED, sales_manager)
    assert settled.settled_at is not None


def test_a_conflict_involves_at_least_two_departments(departments, member):
    with pytest.raises(ValidationError):
        services.conflict_raise(
            title="Alone", description="x", departments=[departments["SALES"]], raised_by=member
        )
    assert not Conflict.objects.exists()


# ------------------------------------------------------------------------ shared goals


def test_a_goal_is_owned_by_exactly_one_department_or_project(departments, demo_duties):
    project = Project.objects.get(code="LAUNCH")
    for owner in ({}, {"department": departments["SALES"], "project": project}):
        goal = Goal(title="Launch", **owner)
        with pytest.raises(ValidationError, match="exactly one department or one project"):
            goal.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            goal.save()
    Goal(title="Launch", project=project).full_clean()
    Goal(title="Sell more", department=departments["SALES"]).full_clean()


def _target(goal: Goal, **fields) -> Target:
    fields = {
        "measure": "Units sold",
        "baseline": Decimal(0),
        "target_value": Decimal(200),
        "starts_on": datetime.date(2026, 1, 1),
        "due_on": datetime.date(2026, 12, 31),
        **fields,
    }
    return Target.objects.create(goal=goal, **fields)


def test_a_targets_progress_is_computed_from_its_history(departments):
    goal = Goal.objects.create(title="Sell more", department=departments["SALES"])
    target = _target(goal)
    assert selectors.current_value(target) is None
    now = timezone.now()
    # Recorded out of order: the latest measurement counts, not the last row written.
    TargetProgress.objects.create(target=target, value=50, recorded_at=now)
    TargetProgress.objects.create(
        target=target, value=120, recorded_at=now - datetime.timedelta(days=3)
    )
    assert selectors.current_value(target) == Decimal(50)
    annotated = selectors.targets_with_current().get(pk=target.pk)
    assert annotated.current_value == Decimal(50)
    progress = selectors.progress_of(annotated, datetime.date(2026, 2, 1))
    assert progress.percent == 25
    # Nothing about progress is stored on the target itself.
    stored = {field.name for field in Target._meta.concrete_fields}
    assert not stored & {"current_value", "percent", "progress_percent"}

    services.target_progress_record(target=target, value=Decimal(260), by=None)
    assert selectors.current_value(target) == Decimal(260)
    refreshed = selectors.targets_with_current().get(pk=target.pk)
    assert selectors.progress_of(refreshed, datetime.date(2026, 2, 1)).percent == 100  # clamped


@pytest.mark.parametrize(
    ("baseline", "target", "current", "percent"),
    [
        ("0", "200", None, 0),
        ("0", "200", "50", 25),
        ("0", "200", "-10", 0),  # below the baseline: 0, not negative
        ("0", "200", "300", 100),  # beyond the target: 100
        ("10", "5", "7.5", 50),  # a target that goes down (lead time from 10 to 5 days)
        ("0", "0", "0", 100),  # "keep it at zero", and it is
        ("0", "0", "2", 0),  # "keep it at zero", and it is not
    ],
)
def test_percent_progress(baseline, target, current, percent):
    value = None if current is None else Decimal(current)
    assert selectors.percent_progress(Decimal(baseline), Decimal(target), value) == percent


@pytest.mark.parametrize(
    ("current", "today", "at_risk", "reason"),
    [
        ("100", datetime.date(2026, 7, 2), False, ""),  # half-way, half the time: on track
        ("20", datetime.date(2026, 7, 2), True, "behind schedule"),  # 10% of an expected 50%
        ("90", datetime.date(2026, 12, 10), True, "due within 30 days"),
        ("150", datetime.date(2027, 1, 5), True, "overdue"),
        ("200", datetime.date(2027, 1, 5), False, ""),  # reached: never at risk
    ],
)
def test_at_risk_definition(current, today, at_risk, reason):
    progress = selectors.target_progress(
        baseline=Decimal(0),
        target_value=Decimal(200),
        current=Decimal(current),
        starts_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 12, 31),
        today=today,
    )
    assert progress.at_risk is at_risk
    assert reason in progress.reason


def test_a_target_is_due_after_its_baseline_date(departments):
    goal = Goal.objects.create(title="Sell more", department=departments["SALES"])
    target = Target(
        goal=goal,
        measure="Units",
        baseline=0,
        target_value=10,
        starts_on=datetime.date(2026, 5, 1),
        due_on=datetime.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError, match="due date must be after"):
        target.full_clean()


def test_a_goal_link_points_at_one_duty_or_one_role(departments, demo_duties):
    goal = Goal.objects.create(title="Sell more", department=departments["SALES"])
    role = Role.objects.get(title="Head of Sales")
    duty = role.assignments.first().duty
    for fields in ({}, {"role": role, "duty": duty}):
        with pytest.raises(ValidationError, match="one duty or one role"):
            GoalLink(goal=goal, **fields).full_clean()
    services.goal_link_add(goal=goal, role=role)
    with pytest.raises(ValidationError, match="already linked"):
        services.goal_link_add(goal=goal, role=role)


# ---------------------------------------------------------------------- team charters


def test_rich_text_is_sanitised_to_the_allow_list():
    html = str(
        richtext.render(
            "Purpose with **bold** and *care*\n\n- one\n- [two](https://example.com)\n\n"
            '<script>alert(1)</script><img src=x onerror="alert(2)">'
            '<a href="javascript:alert(3)">bad</a><a href="/relative">rel</a>'
            '<p style="color:red" onclick="x()">styled</p><iframe src="https://e.com"></iframe>'
        )
    )
    assert "<strong>bold</strong>" in html and "<em>care</em>" in html
    assert (
        '<ul><li>one</li><li><a href="https://example.com" rel="noopener noreferrer">two</a>'
        in html
    )
    for forbidden in (
        "<script",
        "alert(1)",
        "<img",
        "onerror",
        "javascript:",
        "/relative",
        "style=",
        "onclick",
        "<iframe",
    ):
        assert forbidden not in html
    assert str(richtext.render("[mail](mailto:team@example.com)")).count('href="mailto:') == 1
    assert str(richtext.render("1 < 2 & 3")) == "<p>1 &lt; 2 &amp; 3</p>"


# --------------------------------------------------------------------- lessons learned


def test_lesson_tags_are_normalised_and_a_lesson_has_one_owner(departments):
    assert normalise_tags(" ERP, Finance，finance、 Month   End ;;") == "erp, finance, month end"
    lesson = Lesson(title="Checklist", what_worked="It did.", tags="Finance, 月结")
    with pytest.raises(ValidationError) as error:
        lesson.full_clean()
    assert "department" in error.value.message_dict
    lesson.department = departments["FIN"]
    lesson.full_clean()
    lesson.save()
    assert lesson.tags == "finance, 月结"
    assert lesson.tag_list == ["finance", "月结"]


def test_a_lesson_says_what_worked_or_what_did_not(departments):
    lesson = Lesson(title="Empty", department=departments["FIN"])
    with pytest.raises(ValidationError, match="what worked or what did not"):
        lesson.full_clean()


# ------------------------------------------------------------ feedback and improvement


def test_feedback_is_about_exactly_one_thing(departments, member, make_flow):
    flow = make_flow("SALES", "PROD")
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(summary="Both", department=departments["SALES"], flow=flow)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(summary="Nothing")
    with pytest.raises(ValidationError):
        services.feedback_give(
            summary="About a string", details="", target="SALES", by=member, anonymous=False
        )


def test_anonymous_feedback_cannot_carry_an_author(departments, member):
    feedback = services.feedback_give(
        summary="Slow", details="", target=departments["PROD"], by=member, anonymous=True
    )
    assert feedback.author_id is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=feedback.pk).update(author=member)


def test_rejecting_feedback_needs_a_reason(departments, member, production_manager):
    feedback = services.feedback_give(
        summary="Slow", details="", target=departments["PROD"], by=member, anonymous=False
    )
    with pytest.raises(ValidationError, match="reason"):
        services.feedback_triage(
            feedback=feedback, status="rejected", reason=" ", by=production_manager
        )
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.NEW
    services.feedback_triage(
        feedback=feedback, status="rejected", reason="Already planned.", by=production_manager
    )
    assert Feedback.objects.get(pk=feedback.pk).reason == "Already planned."


def test_duplicate_feedback_names_another_and_never_loops(departments, member, production_manager):
    first = services.feedback_give(
        summary="A", details="", target=departments["PROD"], by=member, anonymous=False
    )
    second = services.feedback_give(
        summary="B", details="", target=departments["PROD"], by=member, anonymous=False
    )
    with pytest.raises(ValidationError):
        services.feedback_triage(feedback=second, status="duplicate", by=production_manager)
    services.feedback_triage(
        feedback=second, status="duplicate", duplicate_of=first, by=production_manager
    )
    with pytest.raises(ValidationError, match="cannot duplicate itself"):
        services.feedback_triage(
            feedback=first, status="duplicate", duplicate_of=second, by=production_manager
        )


def test_improvement_actions_come_from_accepted_feedback(departments, member, production_manager):
    feedback = services.feedback_give(
        summary="Slow", details="", target=departments["PROD"], by=member, anonymous=False
    )
    due = datetime.date(2026, 12, 1)
    with pytest.raises(ValidationError, match="accepted"):
        services.improvement_action_create(
            feedback=feedback, title="Fix", owner=member, due_on=due, by=production_manager
        )
    services.feedback_triage(feedback=feedback, status="accepted", by=production_manager)
    action = services.improvement_action_create(
        feedback=feedback, title="Fix", owner=member, due_on=due, by=production_manager
    )
    assert action.done_at is None
    services.improvement_action_update(
        action=action, title="Fix", owner=member, due_on=due, status="done"
    )
    assert ImprovementAction.objects.get(pk=action.pk).done_at is not None
    services.improvement_action_update(
        action=action, title="Fix", owner=member, due_on=due, status="in_progress"
    )
    assert ImprovementAction.objects.get(pk=action.pk).done_at is None
