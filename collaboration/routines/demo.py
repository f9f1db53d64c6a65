"""Demo data for the collaboration routines, on top of the demo organisation, projects
and duties. Idempotent: every row is looked up by a natural key first, so seeding
twice changes nothing. Dates are relative to today so that the demo reads the same
whenever it is seeded."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orgmap.models import Department, Project, Role
from responsibilities.models import Duty, InformationFlow

from .models import (
    Charter,
    Conflict,
    Feedback,
    Goal,
    GoalLink,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
)

# from, from role, to, to role, information, channel, system, frequency, duty title
FLOWS = [
    (
        "SALES",
        "Sales Operations Analyst",
        "PROD",
        "Production Planner",
        "Order details",
        "system",
        "ERP",
        "daily",
        "Hand confirmed orders to Production",
    ),
    (
        "PROD",
        "Production Planner",
        "SALES",
        "Sales Operations Analyst",
        "Production schedule and progress",
        "meeting",
        "",
        "weekly",
        "Report production progress to Sales",
    ),
    (
        "CS",
        "Service Agent",
        "PROD",
        "Production Manager",
        "Customer complaints about product quality",
        "email",
        "",
        "as_needed",
        "Pass customer complaints to Production",
    ),
    (
        "RND",
        "Product Engineer",
        "SALES",
        None,
        "New product briefings",
        "meeting",
        "",
        "quarterly",
        "Brief Sales on new products",
    ),
    (
        "SALES",
        "Sales Operations Analyst",
        "FIN",
        "Finance Director",
        "Monthly sales forecast",
        "system",
        "CRM",
        "monthly",
        "Maintain the sales forecast",
    ),
    (
        "MKT",
        "Market Research Analyst",
        "RND",
        "Product Engineer",
        "Market research findings",
        "document",
        "",
        "quarterly",
        "Research market trends",
    ),
    (
        "MKT",
        "Advertising Specialist",
        "SALES",
        None,
        "Campaign leads",
        "system",
        "CRM",
        "weekly",
        None,
    ),
    (
        "FIN",
        "Finance Director",
        "PROD",
        "Production Manager",
        "Approved production budget",
        "email",
        "",
        "quarterly",
        "Review department budgets",
    ),
    (
        "SALES-N",
        "North Regional Sales Manager",
        "SALES",
        "Sales Operations Analyst",
        "Regional sales figures",
        "system",
        "CRM",
        "monthly",
        None,
    ),
    (
        "SALES-S",
        "South Regional Sales Manager",
        "SALES",
        "Sales Operations Analyst",
        "Regional sales figures",
        "system",
        "CRM",
        "monthly",
        None,
    ),
]


def _users() -> dict:
    return {user.username: user for user in get_user_model().objects.all()}


def _seed_flows(departments, roles, duties, users) -> int:
    created = 0
    for (
        source,
        source_role,
        target,
        target_role,
        information,
        channel,
        system,
        frequency,
        duty_title,
    ) in FLOWS:
        if InformationFlow.objects.filter(
            from_department=departments[source],
            to_department=departments[target],
            information=information,
        ).exists():
            continue
        flow = InformationFlow(
            from_department=departments[source],
            from_role=roles.get((source, source_role)) if source_role else None,
            to_department=departments[target],
            to_role=roles.get((target, target_role)) if target_role else None,
            information=information,
            channel=channel,
            system_name=system,
            frequency=frequency,
            duty=duties.get(duty_title) if duty_title else None,
            created_by=users.get("admin"),
        )
        flow.full_clean()
        flow.save()
        created += 1
    return created


def _seed_conflicts(departments, duties, users, now) -> int:
    created = 0
    title = "North and South Sales compete for the same key accounts and demo units"
    if not Conflict.objects.filter(title=title).exists():
        conflict = Conflict.objects.create(
            title=title,
            description=(
                "Both regional teams pursue the large customers on the regional border and "
                "book the same three demo units for the same weeks. Customers get two "
                "calls and demos get cancelled."
            ),
            raised_by=users.get("omar.haddad"),
            coordinator=users.get("sales_manager"),
            status=Conflict.Status.SETTLED,
            settlement=(
                "Accounts on the border are assigned by the customer's head-office postcode; "
                "the demo units are booked through one shared calendar kept by Sales "
                "Operations, two weeks per team per month."
            ),
            decisions=(
                "Key contract negotiation gets one accountable owner (Head of Sales); the "
                "regions stay responsible in their own territory."
            ),
            settled_at=now - datetime.timedelta(days=20),
            settled_by=users.get("sales_manager"),
        )
        # Raised (auto_now_add) before it was settled: a conflict is never settled first.
        Conflict.objects.filter(pk=conflict.pk).update(created_at=now - datetime.timedelta(days=34))
        conflict.departments.set([departments["SALES-N"], departments["SALES-S"]])
        if "Negotiate key customer contracts" in duties:
            conflict.changed_duties.set([duties["Negotiate key customer contracts"]])
        created += 1
    title = "Rush orders keep breaking the weekly production schedule"
    if not Conflict.objects.filter(title=title).exists():
        conflict = Conflict.objects.create(
            title=title,
            description=(
                "Sales accepts rush orders after the schedule is frozen on Thursday; "
                "Production reshuffles the lines and misses other delivery dates."
            ),
            raised_by=users.get("production_manager"),
            coordinator=users.get("admin"),
            status=Conflict.Status.MEDIATION,
        )
        Conflict.objects.filter(pk=conflict.pk).update(created_at=now - datetime.timedelta(days=6))
        conflict.departments.set([departments["SALES"], departments["PROD"]])
        created += 1
    return created


# measure, baseline, target, unit, started days ago, due in days, [(days ago, value)]
LAUNCH_TARGETS = [
    ("Units sold", "0", "5000", "units", 60, 120, [(45, "300"), (25, "900"), (5, "1700")]),
    ("Qualified leads from the campaign", "0", "1200", "leads", 60, 25, [(30, "350"), (8, "610")]),
    ("First-pass production yield", "85", "97", "%", 60, 150, [(40, "86"), (10, "88.5")]),
    ("Sales staff trained on the product", "0", "40", "people", 60, 60, [(20, "22"), (3, "31")]),
]


def _seed_goals(departments, roles, duties, users, now) -> int:
    project = Project.objects.filter(code="LAUNCH").first()
    if project is None:
        return 0
    title = "Launch the new product successfully"
    if Goal.objects.filter(title=title, project=project).exists():
        return 0
    goal = Goal.objects.create(
        title=title,
        description=(
            "One shared measure of the launch for R&D, Marketing, Sales and Production: "
            "sales, leads, yield and a trained sales force."
        ),
        project=project,
        created_by=users.get("paul.meyer"),
    )
    goal.contributing_departments.set(
        [departments[code] for code in ("RND", "MKT", "SALES", "PROD")]
    )
    today = timezone.localdate(now)
    for measure, baseline, target_value, unit, started, due, history in LAUNCH_TARGETS:
        target = Target.objects.create(
            goal=goal,
            measure=measure,
            baseline=Decimal(baseline),
            target_value=Decimal(target_value),
            unit=unit,
            starts_on=today - datetime.timedelta(days=started),
            due_on=today + datetime.timedelta(days=due),
        )
        for days_ago, value in history:
            TargetProgress.objects.create(
                target=target,
                value=Decimal(value),
                recorded_at=now - datetime.timedelta(days=days_ago),
                recorded_by=users.get("paul.meyer"),
            )
    if "Plan the launch campaign" in duties:
        GoalLink.objects.create(
            goal=goal, duty=duties["Plan the launch campaign"], note="qualified leads per week"
        )
    if ("PROD", "Production Planner") in roles:
        GoalLink.objects.create(
            goal=goal, role=roles[("PROD", "Production Planner")], note="first-pass yield"
        )
    return 1


CHARTERS = {
    "SALES": (
        "We win and keep customers, and hand every confirmed order to Production **the same day**.",
        "- The customer hears one voice from us\n- Forecasts are honest, not hopeful\n- We share leads across regions",
        "1. Orders go into the ERP before 16:00\n2. Rush orders need the Production Planner's yes\n3. Regional disputes go to the Head of Sales within a week",
    ),
}


def _seed_charters(departments, users) -> int:
    created = 0
    for code, (purpose, values, agreements) in CHARTERS.items():
        if Charter.objects.filter(department=departments[code]).exists():
            continue
        Charter.objects.create(
            department=departments[code],
            purpose=purpose,
            values=values,
            working_agreements=agreements,
            updated_by=users.get("sales_manager"),
        )
        created += 1
    project = Project.objects.filter(code="LAUNCH").first()
    if project is not None and not Charter.objects.filter(project=project).exists():
        Charter.objects.create(
            project=project,
            purpose="Bring the new product to market on time, with Sales trained and Production ready.",
            values="- Decisions in the weekly sync, not in corridors\n- Bad news early",
            working_agreements="Risks go to the [launch log](https://intranet.example.com/launch) the day they are seen.",
            updated_by=users.get("paul.meyer"),
        )
        created += 1
    return created


def _seed_lessons(departments, users) -> int:
    title = "Prepare the month-end financial report from a shared checklist"
    if Lesson.objects.filter(title=title).exists():
        return 0
    Lesson.objects.create(
        title=title,
        department=departments["FIN"],
        what_worked=(
            "A shared checklist with one owner per line, and asking Sales and Production for "
            "their figures three days before month end: the report went out on day 2."
        ),
        what_did_not=(
            "Collecting figures by email: versions crossed and two departments sent last "
            "month's numbers. 月结时邮件往来太多，版本混乱。"
        ),
        recommendation="Keep the checklist in the shared drive; figures only through the ERP export.",
        tags="finance, reporting, month end, 月结",
        author=users.get("tom.baker"),
    )
    return 1


def _seed_feedback(departments, users, now) -> int:
    summary = "Complaints forwarded to Production wait days for an answer"
    if Feedback.objects.filter(summary=summary).exists():
        return 0
    flow = InformationFlow.objects.filter(
        from_department=departments["CS"], to_department=departments["PROD"]
    ).first()
    if flow is None:
        return 0
    feedback = Feedback.objects.create(
        summary=summary,
        details=(
            "We pass quality complaints on by email and often hear nothing for three or four "
            "days, while the customer calls us every day. A clear hand-off with an answer "
            "time would help."
        ),
        flow=flow,
        author=users.get("fatima.ali"),
        submitted_on=timezone.localdate(now) - datetime.timedelta(days=21),
        status=Feedback.Status.ACCEPTED,
        triaged_by=users.get("production_manager"),
        triaged_at=now - datetime.timedelta(days=19),
    )
    today = timezone.localdate(now)
    ImprovementAction.objects.create(
        feedback=feedback,
        title="Acknowledge every forwarded complaint within one working day",
        owner=users["ken.ito"],
        due_on=today + datetime.timedelta(days=14),
        status=ImprovementAction.Status.IN_PROGRESS,
        created_by=users.get("production_manager"),
    )
    ImprovementAction.objects.create(
        feedback=feedback,
        title="Add a complaints queue to the ERP instead of email",
        owner=users["production_manager"],
        due_on=today - datetime.timedelta(days=5),
        created_by=users.get("production_manager"),
    )
    Feedback.objects.create(
        summary="The weekly schedule meeting runs over time",
        details="Half of the hour goes on reading out numbers that are already in the ERP.",
        flow=InformationFlow.objects.filter(
            from_department=departments["PROD"], to_department=departments["SALES"]
        ).first(),
        anonymous=True,
        submitted_on=today - datetime.timedelta(days=3),
    )
    return 2


@transaction.atomic
def seed_routines() -> dict[str, int]:
    """Flows, conflicts, a shared goal, charters, a lesson and feedback for the demo."""
    now = timezone.now()
    departments = {d.code: d for d in Department.objects.all()}
    if not {"SALES", "SALES-N", "SALES-S", "PROD", "CS", "FIN"} <= set(departments):
        return {}  # the demo organisation is not there: nothing to attach routines to
    roles = {(r.department.code, r.title): r for r in Role.objects.select_related("department")}
    duties: dict[str, Duty] = {}
    for duty in Duty.objects.order_by("pk"):
        duties.setdefault(duty.title, duty)
    users = _users()
    return {
        "information flows": _seed_flows(departments, roles, duties, users),
        "conflicts": _seed_conflicts(departments, duties, users, now),
        "shared goals": _seed_goals(departments, roles, duties, users, now),
        "charters": _seed_charters(departments, users),
        "lessons": _seed_lessons(departments, users),
        "feedback": _seed_feedback(departments, users, now),
    }
