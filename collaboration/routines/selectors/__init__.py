"""Reads of the collaboration routines, each in a constant number of queries; one
module per routine.

`overdue_improvement_actions(now)` is used outside this app, by the reminder dispatcher
(collaboration.reminders, the layer above).
"""

from __future__ import annotations

from .conflict_coordination import (
    CoordinatorSuggestion,
    common_parent_ids,
    conflict_queryset,
    conflicts,
    conflicts_to_coordinate,
    has_authority_over,
    org_admins,
    suggest_coordinator,
)
from .dashboards import RECENT_LESSONS, UPCOMING_MEETINGS, Dashboard, dashboard
from .feedback import (
    action_queryset,
    feedback_about_departments,
    feedback_queryset,
    overdue_improvement_actions,
)
from .goals import (
    AT_RISK_DAYS,
    SCHEDULE_TOLERANCE,
    GoalRow,
    Progress,
    TargetRow,
    current_value,
    expected_percent,
    goal_queryset,
    goal_rows,
    goals_for,
    percent_progress,
    progress_of,
    target_progress,
    targets_with_current,
)
from .information_flows import (
    FlowEdge,
    Interfaces,
    department_interfaces,
    flow_edges,
    flow_queryset,
    flows,
)
from .lessons_learned import lessons, popular_tags
from .reviews import OverdueRole, overdue_roles

__all__ = [
    "AT_RISK_DAYS",
    "RECENT_LESSONS",
    "SCHEDULE_TOLERANCE",
    "UPCOMING_MEETINGS",
    "CoordinatorSuggestion",
    "Dashboard",
    "FlowEdge",
    "GoalRow",
    "Interfaces",
    "OverdueRole",
    "Progress",
    "TargetRow",
    "action_queryset",
    "common_parent_ids",
    "conflict_queryset",
    "conflicts",
    "conflicts_to_coordinate",
    "current_value",
    "dashboard",
    "department_interfaces",
    "expected_percent",
    "feedback_about_departments",
    "feedback_queryset",
    "flow_edges",
    "flow_queryset",
    "flows",
    "goal_queryset",
    "goal_rows",
    "goals_for",
    "has_authority_over",
    "lessons",
    "org_admins",
    "overdue_improvement_actions",
    "overdue_roles",
    "percent_progress",
    "popular_tags",
    "progress_of",
    "suggest_coordinator",
    "target_progress",
    "targets_with_current",
]
