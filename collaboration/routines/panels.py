"""What the routines add to department and project pages (see orgmap/panels.py):
charter, hand-off counts, conflicts, goals and lessons."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from orgmap import panels, permissions
from orgmap.models import Department, Project
from responsibilities.models import InformationFlow

from . import selectors
from .models import Charter, Conflict, Goal, Lesson

# Settled conflicts stay on the department page for a while, so both sides see the outcome.
RECENTLY_SETTLED_DAYS = 90
RECENTLY_SETTLED = 3


def _flow_count(field: str) -> Coalesce:
    counts = (
        InformationFlow.objects.filter(active=True, **{field: OuterRef("pk")})
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts), 0)


def department_panel(request: HttpRequest, department: Department) -> str:
    """Charter, hand-off counts, conflicts and goals of one department, in four
    queries whatever the data: the page belongs to another view, so every query
    here adds to its cost."""
    user = request.user
    now = timezone.now()
    # One query: the charter (a reverse one-to-one) and both flow counts.
    row = (
        Department.objects.filter(pk=department.pk)
        .select_related("charter__updated_by__profile")
        .annotate(gives=_flow_count("from_department"), receives=_flow_count("to_department"))
        .get()
    )
    try:
        charter = row.charter
    except Charter.DoesNotExist:
        charter = None
    # One query: open conflicts and those settled recently, split here.
    recent = now - datetime.timedelta(days=RECENTLY_SETTLED_DAYS)
    conflicts = list(
        Conflict.objects.filter(departments=department)
        .filter(~Q(status=Conflict.Status.SETTLED) | Q(settled_at__gte=recent))
        .order_by("-created_at", "-pk")
    )
    goals = Goal.objects.filter(
        Q(department=department) | Q(contributing_departments=department)
    ).distinct()
    context = {
        "department": department,
        "charter": charter,
        "open_conflicts": [c for c in conflicts if c.is_open],
        "settled_conflicts": [c for c in conflicts if not c.is_open][:RECENTLY_SETTLED],
        "flow_counts": {"gives": row.gives, "receives": row.receives},
        "goal_rows": selectors.goal_rows(goals, timezone.localdate(now)),
        "can_manage": permissions.can_manage_department(user, department),
    }
    return render_to_string("routines/department_panels.html", context, request)


def project_panel(request: HttpRequest, project: Project) -> str:
    """Charter, goals and lessons of one project."""
    user = request.user
    today = timezone.localdate()
    context = {
        "project": project,
        "charter": Charter.objects.filter(project=project)
        .select_related("updated_by__profile")
        .first(),
        "goal_rows": selectors.goal_rows(selectors.goals_for(project=project), today),
        "lessons": list(Lesson.objects.filter(project=project).order_by("-created_at")[:5]),
        "can_manage": permissions.can_manage_project(user, project),
    }
    return render_to_string("routines/project_panels.html", context, request)


def register() -> None:
    panels.register("department", department_panel, order=50)
    panels.register("project", project_panel, order=50)
