"""Reads of feedback and improvement actions.

`overdue_improvement_actions(now)` is used outside this app, by the reminder dispatcher
(collaboration.reminders, the layer above).
"""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from orgmap.models import Department

from ..models import (
    Feedback,
    ImprovementAction,
)

# ------------------------------------------------------------ feedback and improvement


def feedback_queryset() -> QuerySet[Feedback]:
    return Feedback.objects.select_related(
        "duty__department",
        "role__department",
        "department",
        "project",
        "flow__from_department",
        "flow__to_department",
        "meeting",
        "author__profile",
        "duplicate_of",
    )


def feedback_about_departments(department: Department) -> Q:
    """Feedback whose target belongs to the department."""
    return (
        Q(department=department)
        | Q(duty__department=department)
        | Q(role__department=department)
        | Q(flow__from_department=department)
        | Q(flow__to_department=department)
        | Q(project__departments=department)
    )


def action_queryset() -> QuerySet[ImprovementAction]:
    return ImprovementAction.objects.select_related("owner__profile", "feedback")


def overdue_improvement_actions(now: datetime.datetime) -> QuerySet[ImprovementAction]:
    """Open or in-progress actions whose due date has passed (in the local time zone
    at `now`), with their owner and feedback loaded: for the reminder dispatcher."""
    today = timezone.localdate(now)
    return (
        action_queryset()
        .filter(due_on__lt=today)
        .exclude(status=ImprovementAction.Status.DONE)
        .order_by("due_on", "pk")
    )
