"""Rows of the authorization table (tests/test_authorization_table.py) for the
collaboration routines' URLs. Same format as build_table().

The demo routines are not seeded there, so the objects the rows need are created here
(get_or_create: build_table() runs once per persona). Who may do what:
- flows: managers of either end (Sales → Production: manager and other_manager);
- a conflict raised by `member` between North and South Sales, coordinated by
  sales_manager: the raiser and coordinator edit it, the coordinator settles it;
- a goal of the LAUNCH project: its coordinator;
- charters: the department's managers / the project's coordinators;
- a lesson about Sales: Sales' managers;
- feedback on the Sales → Production flow: managers of either end triage it, and the
  owner of an improvement action (member) updates that action;
- org admins everything, HR and members read everything and give feedback.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.urls import reverse

from collaboration.routines.models import (
    Conflict,
    Feedback,
    Goal,
    GoalLink,
    ImprovementAction,
    Lesson,
    Target,
)
from orgmap.models import Department, Project, Role
from responsibilities.models import InformationFlow


def _objects() -> dict:
    users = {u.username: u for u in get_user_model().objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    flow, _ = InformationFlow.objects.get_or_create(
        from_department=departments["SALES"],
        to_department=departments["PROD"],
        information="Order details",
        defaults={"channel": "system", "system_name": "ERP", "frequency": "daily"},
    )
    conflict = Conflict.objects.filter(title="Authz: shared demo units").first()
    if conflict is None:
        conflict = Conflict.objects.create(
            title="Authz: shared demo units",
            description="Both regions book the same demo units.",
            raised_by=users["member"],
            coordinator=users["sales_manager"],
        )
        conflict.departments.set([departments["SALES-N"], departments["SALES-S"]])
    project = Project.objects.get(code="LAUNCH")
    goal, _ = Goal.objects.get_or_create(title="Authz: launch goal", project=project)
    target, _ = Target.objects.get_or_create(
        goal=goal,
        measure="Units sold",
        defaults={
            "baseline": Decimal(0),
            "target_value": Decimal(100),
            "starts_on": datetime.date(2026, 1, 1),
            "due_on": datetime.date(2027, 1, 1),
        },
    )
    link, _ = GoalLink.objects.get_or_create(
        goal=goal, role=Role.objects.get(title="Production Planner")
    )
    lesson, _ = Lesson.objects.get_or_create(
        title="Authz: forecast lesson",
        department=departments["SALES"],
        defaults={"what_worked": "A shared forecast sheet."},
    )
    feedback, _ = Feedback.objects.get_or_create(
        summary="Authz: orders arrive late", flow=flow, defaults={"author": users["member"]}
    )
    accepted, _ = Feedback.objects.get_or_create(
        summary="Authz: accepted feedback",
        flow=flow,
        defaults={"status": Feedback.Status.ACCEPTED, "author": users["member"]},
    )
    action, _ = ImprovementAction.objects.get_or_create(
        feedback=accepted,
        title="Authz: agree a cut-off time",
        defaults={"owner": users["member"], "due_on": datetime.date(2026, 12, 1)},
    )
    return {
        "flow": flow,
        "conflict": conflict,
        "goal": goal,
        "target": target,
        "link": link,
        "lesson": lesson,
        "feedback": feedback,
        "accepted": accepted,
        "action": action,
    }


def routine_rows(helpers) -> dict:
    read, edit = helpers.read, helpers.edit
    o = _objects()
    runs_something = {"manager", "other_manager", "coordinator", "admin"}
    sales_or_production = {"manager", "other_manager", "admin"}
    post_only_denied = {p: (405, 403) for p in helpers.LOGGED_IN}
    return {
        # Dashboards
        "collaboration-dashboard": (reverse("collaboration-dashboard"), read()),
        "department-collaboration": (
            reverse("department-collaboration", args=["SALES"]),
            read(),
        ),
        # Information flows
        "flow-list": (reverse("flow-list"), read()),
        "flow-map": (reverse("flow-map"), read()),
        "flow-create": (reverse("flow-create"), edit({"manager", "other_manager", "admin"})),
        "flow-edit": (reverse("flow-edit", args=[o["flow"].pk]), edit(sales_or_production)),
        "department-interfaces": (reverse("department-interfaces", args=["SALES"]), read()),
        # Conflicts: anyone raises one; an empty POST shows the form's errors.
        "conflict-list": (reverse("conflict-list"), read()),
        "conflict-create": (reverse("conflict-create"), read(post=200)),
        "my-conflicts": (reverse("my-conflicts"), read()),
        "conflict-detail": (reverse("conflict-detail", args=[o["conflict"].pk]), read()),
        "conflict-edit": (
            reverse("conflict-edit", args=[o["conflict"].pk]),
            edit({"member", "manager", "admin"}),
        ),
        "conflict-settle": (
            reverse("conflict-settle", args=[o["conflict"].pk]),
            edit({"manager", "admin"}),
        ),
        # Shared goals
        "goal-list": (reverse("goal-list"), read()),
        "goal-create": (reverse("goal-create"), edit(runs_something)),
        "goal-detail": (reverse("goal-detail", args=[o["goal"].pk]), read()),
        "goal-edit": (reverse("goal-edit", args=[o["goal"].pk]), edit({"coordinator", "admin"})),
        "target-create": (
            reverse("target-create", args=[o["goal"].pk]),
            edit({"coordinator", "admin"}),
        ),
        "target-edit": (
            reverse("target-edit", args=[o["target"].pk]),
            edit({"coordinator", "admin"}),
        ),
        "target-progress": (
            reverse("target-progress", args=[o["target"].pk]),
            edit({"coordinator", "admin"}),
        ),
        "goal-link-create": (
            reverse("goal-link-create", args=[o["goal"].pk]),
            edit({"coordinator", "admin"}),
        ),
        "goal-link-delete": (
            reverse("goal-link-delete", args=[o["link"].pk]),
            {
                **edit({"coordinator", "admin"}, get=405, post=302),
                **{p: v for p, v in post_only_denied.items() if p not in {"coordinator", "admin"}},
            },
        ),
        # Team charters
        "department-charter": (
            reverse("department-charter", args=["SALES"]),
            edit({"manager", "admin"}),
        ),
        "project-charter": (
            reverse("project-charter", args=["LAUNCH"]),
            edit({"coordinator", "admin"}),
        ),
        # Lessons learned
        "lesson-list": (reverse("lesson-list"), read()),
        "lesson-create": (reverse("lesson-create"), edit(runs_something)),
        "lesson-detail": (reverse("lesson-detail", args=[o["lesson"].pk]), read()),
        "lesson-edit": (
            reverse("lesson-edit", args=[o["lesson"].pk]),
            edit({"manager", "admin"}),
        ),
        # Feedback and improvement actions: everybody gives feedback.
        "feedback-list": (reverse("feedback-list"), read()),
        "feedback-create": (reverse("feedback-create"), read(post=200)),
        # Where anonymous feedback lands: one page for all, no id in it.
        "feedback-thanks": (reverse("feedback-thanks"), read()),
        "feedback-detail": (reverse("feedback-detail", args=[o["feedback"].pk]), read()),
        "feedback-triage": (
            reverse("feedback-triage", args=[o["feedback"].pk]),
            edit(sales_or_production),
        ),
        "action-create": (
            reverse("action-create", args=[o["accepted"].pk]),
            edit(sales_or_production),
        ),
        "action-list": (reverse("action-list"), read()),
        "action-edit": (
            reverse("action-edit", args=[o["action"].pk]),
            edit({"member", *sales_or_production}),
        ),
    }
