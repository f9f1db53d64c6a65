"""The routines dashboard: what needs attention, in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from collaboration.meetings.selectors import UPCOMING, MeetingRow, meeting_rows
from orgmap.models import Department
from responsibilities import selectors as responsibility_selectors
from responsibilities.models import InformationFlow

from ..models import (
    Conflict,
    Feedback,
    ImprovementAction,
    Lesson,
)
from .conflict_coordination import conflicts
from .feedback import feedback_about_departments, overdue_improvement_actions
from .goals import GoalRow, goal_rows, goals_for
from .reviews import OverdueRole, overdue_roles

# -------------------------------------------------------------------------- dashboard

RECENT_LESSONS = 5
UPCOMING_MEETINGS = 5


@dataclass
class Dashboard:
    department: Department | None
    finding_count: int
    finding_errors: int
    open_conflicts: list[Conflict]
    goals_at_risk: list[GoalRow]
    goal_count: int
    overdue_roles: list[OverdueRole]
    overdue_actions: list[ImprovementAction]
    new_feedback: int
    recent_lessons: list[Lesson]
    upcoming_meetings: list[MeetingRow]
    flows_out: int
    flows_in: int


def dashboard(*, department: Department | None, now: datetime.datetime) -> Dashboard:
    """Everything on a collaboration dashboard, for one department or (None) the
    whole organisation, in a constant number of queries."""
    today = timezone.localdate(now)
    scope = responsibility_selectors.Scope(department=department)
    found = responsibility_selectors.findings(scope)
    goals = goal_rows(goals_for(department=department), today)
    actions = overdue_improvement_actions(now)
    feedback = Feedback.objects.filter(status=Feedback.Status.NEW)
    recent = Lesson.objects.select_related("department", "project")
    flow_rows = InformationFlow.objects.filter(active=True)
    # The next occurrence of every meeting, recurring series included.
    upcoming = [
        row
        for row in meeting_rows(now=now, when=UPCOMING, department=department)
        if not row.meeting.cancelled
    ][:UPCOMING_MEETINGS]
    if department is not None:
        about = feedback_about_departments(department)
        actions = actions.filter(feedback__in=Feedback.objects.filter(about).values("pk"))
        feedback = feedback.filter(pk__in=Feedback.objects.filter(about).values("pk"))
        recent = recent.filter(Q(department=department) | Q(project__departments=department))
        flows_out = flow_rows.filter(from_department=department).count()
        flows_in = flow_rows.filter(to_department=department).count()
    else:
        flows_out = flows_in = flow_rows.count()
    return Dashboard(
        department=department,
        finding_count=len(found),
        finding_errors=sum(1 for f in found if f.severity == "error"),
        open_conflicts=list(conflicts(open_only=True, department=department)),
        goals_at_risk=[row for row in goals if row.at_risk],
        goal_count=len(goals),
        overdue_roles=overdue_roles(today=today, department=department),
        overdue_actions=list(actions),
        new_feedback=feedback.count(),
        recent_lessons=list(recent.distinct().order_by("-created_at", "-pk")[:RECENT_LESSONS]),
        upcoming_meetings=upcoming,
        flows_out=flows_out,
        flows_in=flows_in,
    )
