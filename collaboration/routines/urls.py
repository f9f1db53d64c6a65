from django.urls import path

from . import (
    views_charters,
    views_conflicts,
    views_dashboard,
    views_feedback,
    views_flows,
    views_goals,
    views_lessons,
)

urlpatterns = [
    # Dashboards
    path("collaboration/", views_dashboard.dashboard, name="collaboration-dashboard"),
    path(
        "departments/<str:code>/collaboration/",
        views_dashboard.department_dashboard,
        name="department-collaboration",
    ),
    # Information flows
    path("flows/", views_flows.flow_list, name="flow-list"),
    path("flows/map/", views_flows.flow_map, name="flow-map"),
    path("flows/new/", views_flows.flow_create, name="flow-create"),
    path("flows/<int:pk>/edit/", views_flows.flow_edit, name="flow-edit"),
    path(
        "departments/<str:code>/interfaces/",
        views_flows.department_interfaces,
        name="department-interfaces",
    ),
    # Conflicts
    path("conflicts/", views_conflicts.conflict_list, name="conflict-list"),
    path("conflicts/new/", views_conflicts.conflict_create, name="conflict-create"),
    path("conflicts/coordinating/", views_conflicts.my_conflicts, name="my-conflicts"),
    path("conflicts/<int:pk>/", views_conflicts.conflict_detail, name="conflict-detail"),
    path("conflicts/<int:pk>/edit/", views_conflicts.conflict_edit, name="conflict-edit"),
    path("conflicts/<int:pk>/settle/", views_conflicts.conflict_settle, name="conflict-settle"),
    # Shared goals
    path("goals/", views_goals.goal_list, name="goal-list"),
    path("goals/new/", views_goals.goal_create, name="goal-create"),
    path("goals/<int:pk>/", views_goals.goal_detail, name="goal-detail"),
    path("goals/<int:pk>/edit/", views_goals.goal_edit, name="goal-edit"),
    path("goals/<int:pk>/targets/new/", views_goals.target_create, name="target-create"),
    path("goals/<int:pk>/links/new/", views_goals.goal_link_create, name="goal-link-create"),
    path("goal-links/<int:pk>/delete/", views_goals.goal_link_delete, name="goal-link-delete"),
    path("targets/<int:pk>/edit/", views_goals.target_edit, name="target-edit"),
    path("targets/<int:pk>/progress/", views_goals.target_progress, name="target-progress"),
    # Team charters
    path(
        "departments/<str:code>/charter/",
        views_charters.department_charter,
        name="department-charter",
    ),
    path("projects/<str:code>/charter/", views_charters.project_charter, name="project-charter"),
    # Lessons learned
    path("lessons/", views_lessons.lesson_list, name="lesson-list"),
    path("lessons/new/", views_lessons.lesson_create, name="lesson-create"),
    path("lessons/<int:pk>/", views_lessons.lesson_detail, name="lesson-detail"),
    path("lessons/<int:pk>/edit/", views_lessons.lesson_edit, name="lesson-edit"),
    # Feedback and improvement actions
    path("feedback/", views_feedback.feedback_list, name="feedback-list"),
    path("feedback/new/", views_feedback.feedback_create, name="feedback-create"),
    path("feedback/thanks/", views_feedback.feedback_thanks, name="feedback-thanks"),
    path("feedback/<int:pk>/", views_feedback.feedback_detail, name="feedback-detail"),
    path("feedback/<int:pk>/triage/", views_feedback.feedback_triage, name="feedback-triage"),
    path("feedback/<int:pk>/actions/new/", views_feedback.action_create, name="action-create"),
    path("actions/", views_feedback.action_list, name="action-list"),
    path("actions/<int:pk>/edit/", views_feedback.action_edit, name="action-edit"),
]
