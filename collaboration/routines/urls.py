from django.urls import path

from .views import charters, conflicts, dashboard, feedback, flows, goals, lessons

urlpatterns = [
    # Dashboards
    path("collaboration/", dashboard.dashboard, name="collaboration-dashboard"),
    path(
        "departments/<str:code>/collaboration/",
        dashboard.department_dashboard,
        name="department-collaboration",
    ),
    # Information flows
    path("flows/", flows.flow_list, name="flow-list"),
    path("flows/map/", flows.flow_map, name="flow-map"),
    path("flows/new/", flows.flow_create, name="flow-create"),
    path("flows/<int:pk>/edit/", flows.flow_edit, name="flow-edit"),
    path(
        "departments/<str:code>/interfaces/",
        flows.department_interfaces,
        name="department-interfaces",
    ),
    # Conflicts
    path("conflicts/", conflicts.conflict_list, name="conflict-list"),
    path("conflicts/new/", conflicts.conflict_create, name="conflict-create"),
    path("conflicts/coordinating/", conflicts.my_conflicts, name="my-conflicts"),
    path("conflicts/<int:pk>/", conflicts.conflict_detail, name="conflict-detail"),
    path("conflicts/<int:pk>/edit/", conflicts.conflict_edit, name="conflict-edit"),
    path("conflicts/<int:pk>/settle/", conflicts.conflict_settle, name="conflict-settle"),
    # Shared goals
    path("goals/", goals.goal_list, name="goal-list"),
    path("goals/new/", goals.goal_create, name="goal-create"),
    path("goals/<int:pk>/", goals.goal_detail, name="goal-detail"),
    path("goals/<int:pk>/edit/", goals.goal_edit, name="goal-edit"),
    path("goals/<int:pk>/targets/new/", goals.target_create, name="target-create"),
    path("goals/<int:pk>/links/new/", goals.goal_link_create, name="goal-link-create"),
    path("goal-links/<int:pk>/delete/", goals.goal_link_delete, name="goal-link-delete"),
    path("targets/<int:pk>/edit/", goals.target_edit, name="target-edit"),
    path("targets/<int:pk>/progress/", goals.target_progress, name="target-progress"),
    # Team charters
    path(
        "departments/<str:code>/charter/",
        charters.department_charter,
        name="department-charter",
    ),
    path("projects/<str:code>/charter/", charters.project_charter, name="project-charter"),
    # Lessons learned
    path("lessons/", lessons.lesson_list, name="lesson-list"),
    path("lessons/new/", lessons.lesson_create, name="lesson-create"),
    path("lessons/<int:pk>/", lessons.lesson_detail, name="lesson-detail"),
    path("lessons/<int:pk>/edit/", lessons.lesson_edit, name="lesson-edit"),
    # Feedback and improvement actions
    path("feedback/", feedback.feedback_list, name="feedback-list"),
    path("feedback/new/", feedback.feedback_create, name="feedback-create"),
    path("feedback/thanks/", feedback.feedback_thanks, name="feedback-thanks"),
    path("feedback/<int:pk>/", feedback.feedback_detail, name="feedback-detail"),
    path("feedback/<int:pk>/triage/", feedback.feedback_triage, name="feedback-triage"),
    path("feedback/<int:pk>/actions/new/", feedback.action_create, name="action-create"),
    path("actions/", feedback.action_list, name="action-list"),
    path("actions/<int:pk>/edit/", feedback.action_edit, name="action-edit"),
]
