"""Who may change which routine, built on orgmap/permissions.py.

Everyone logged in reads every routine and gives feedback (and may raise a conflict).
Org admins change everything. Department managers change what belongs to the
departments they manage (with their sub-departments); project coordinators what
belongs to their projects. HR reads everything and changes nothing here. One
`get_<thing>_for_<action>(user, pk)` per object type returns the object or raises
PermissionDenied with a readable message.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orgmap import permissions
from orgmap.models import Department, Project
from orgmap.permissions import User

from .models import Charter, Conflict, Feedback, Goal, ImprovementAction, InformationFlow, Lesson


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def manages_any(user: User, department_ids: Iterable[int]) -> bool:
    return permissions.is_org_admin(user) or bool(
        set(department_ids) & permissions.managed_department_ids(user)
    )


# --- information flows: the managers of either end (a hand-off concerns both)


def can_create_flows(user: User) -> bool:
    return permissions.is_org_admin(user) or bool(permissions.managed_department_ids(user))


def can_edit_flow(user: User, flow: InformationFlow) -> bool:
    return _active(user) and manages_any(user, [flow.from_department_id, flow.to_department_id])


def get_flow_for_edit(user: User, pk: int) -> InformationFlow:
    flow = get_object_or_404(
        InformationFlow.objects.select_related("from_department", "to_department"), pk=pk
    )
    if not can_edit_flow(user, flow):
        raise PermissionDenied(
            _("Only the managers of %(from)s or %(to)s may change this information flow.")
            % {"from": flow.from_department.name, "to": flow.to_department.name}
        )
    return flow


# --- conflicts: anyone raises one; the raiser and the coordinator keep it up to date;
# the coordinator (or an org admin) settles it.


def can_edit_conflict(user: User, conflict: Conflict) -> bool:
    if not _active(user):
        return False
    return (
        permissions.is_org_admin(user)
        or conflict.raised_by_id == user.pk
        or conflict.coordinator_id == user.pk
    )


def can_settle_conflict(user: User, conflict: Conflict) -> bool:
    return _active(user) and (permissions.is_org_admin(user) or conflict.coordinator_id == user.pk)


def get_conflict_for_edit(user: User, pk: int) -> Conflict:
    conflict = get_object_or_404(Conflict, pk=pk)
    if not can_edit_conflict(user, conflict):
        raise PermissionDenied(
            _(
                "Only whoever raised this conflict, its coordinator or an administrator may change it."
            )
        )
    return conflict


def get_conflict_for_settle(user: User, pk: int) -> Conflict:
    conflict = get_object_or_404(Conflict, pk=pk)
    if not can_settle_conflict(user, conflict):
        raise PermissionDenied(
            _("Only the coordinator of this conflict or an administrator may settle it.")
        )
    return conflict


# --- goals: the managers of the owning department, the coordinators of the owning project


def can_edit_owner(user: User, *, department_id: int | None, project_id: int | None) -> bool:
    if not _active(user):
        return False
    if permissions.is_org_admin(user):
        return True
    if department_id is not None and department_id in permissions.managed_department_ids(user):
        return True
    return project_id is not None and project_id in permissions.coordinated_project_ids(user)


def can_create_owned(user: User) -> bool:
    """Goals and lessons: anyone who runs a department or a project."""
    return (
        permissions.is_org_admin(user)
        or bool(permissions.managed_department_ids(user))
        or bool(permissions.coordinated_project_ids(user))
    )


def can_edit_goal(user: User, goal: Goal) -> bool:
    return can_edit_owner(user, department_id=goal.department_id, project_id=goal.project_id)


def get_goal_for_edit(user: User, pk: int) -> Goal:
    goal = get_object_or_404(Goal.objects.select_related("department", "project"), pk=pk)
    if not can_edit_goal(user, goal):
        raise PermissionDenied(
            _("Only the managers or coordinators of “%(owner)s” may change this goal.")
            % {"owner": goal.owner}
        )
    return goal


# --- charters


def get_department_for_charter(user: User, code: str) -> Department:
    department = get_object_or_404(Department, code__iexact=code)
    if not permissions.can_manage_department(user, department):
        raise PermissionDenied(
            _("Only the managers of %(name)s may change its charter.") % {"name": department.name}
        )
    return department


def get_project_for_charter(user: User, code: str) -> Project:
    project = get_object_or_404(Project, code__iexact=code)
    if not permissions.can_manage_project(user, project):
        raise PermissionDenied(
            _("Only the coordinators of %(name)s may change its charter.") % {"name": project.name}
        )
    return project


def can_edit_charter(user: User, charter: Charter) -> bool:
    return can_edit_owner(user, department_id=charter.department_id, project_id=charter.project_id)


# --- lessons


def can_edit_lesson(user: User, lesson: Lesson) -> bool:
    return can_edit_owner(user, department_id=lesson.department_id, project_id=lesson.project_id)


def get_lesson_for_edit(user: User, pk: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("department", "project"), pk=pk)
    if not can_edit_lesson(user, lesson):
        raise PermissionDenied(
            _("Only the managers or coordinators of “%(owner)s” may change this lesson.")
            % {"owner": lesson.department or lesson.project}
        )
    return lesson


# --- feedback: the owner of what it is about triages it


def feedback_owner_scope(feedback: Feedback) -> tuple[set[int], set[int]]:
    """(department ids, project ids) whose managers / coordinators own the feedback.
    Needs the target loaded (select_related in the caller)."""
    departments: set[int] = set()
    projects: set[int] = set()
    if feedback.duty_id:
        departments.add(feedback.duty.department_id)
        if feedback.duty.project_id:
            projects.add(feedback.duty.project_id)
    elif feedback.role_id:
        departments.add(feedback.role.department_id)
    elif feedback.department_id:
        departments.add(feedback.department_id)
    elif feedback.project_id:
        projects.add(feedback.project_id)
    elif feedback.flow_id:
        departments |= {feedback.flow.from_department_id, feedback.flow.to_department_id}
    elif feedback.meeting_id:
        # Whoever may run the meeting: its project's coordinators, the managers of its
        # departments (one query for those).
        if feedback.meeting.project_id:
            projects.add(feedback.meeting.project_id)
        departments |= set(feedback.meeting.departments.values_list("pk", flat=True))
    return departments, projects


def can_triage_feedback(user: User, feedback: Feedback) -> bool:
    if not _active(user):
        return False
    if permissions.is_org_admin(user):
        return True
    if feedback.meeting_id and feedback.meeting.organiser_id == user.pk:
        return True
    departments, projects = feedback_owner_scope(feedback)
    return bool(departments & permissions.managed_department_ids(user)) or bool(
        projects & permissions.coordinated_project_ids(user)
    )


FEEDBACK_RELATED = ["duty", "role", "department", "project", "flow", "meeting"]


def get_feedback_for_triage(user: User, pk: int) -> Feedback:
    feedback = get_object_or_404(Feedback.objects.select_related(*FEEDBACK_RELATED), pk=pk)
    if not can_triage_feedback(user, feedback):
        raise PermissionDenied(
            _(
                "Only the managers or coordinators responsible for what this feedback is about may handle it."
            )
        )
    return feedback


def can_edit_action(user: User, action: ImprovementAction) -> bool:
    """The action's owner keeps its status current; the feedback's owners manage it."""
    return _active(user) and (
        action.owner_id == user.pk or can_triage_feedback(user, action.feedback)
    )


def get_action_for_edit(user: User, pk: int) -> ImprovementAction:
    action = get_object_or_404(
        ImprovementAction.objects.select_related(
            "owner", *(f"feedback__{name}" for name in FEEDBACK_RELATED)
        ),
        pk=pk,
    )
    if not can_edit_action(user, action):
        raise PermissionDenied(
            _("Only the owner of this action or whoever handles its feedback may change it.")
        )
    return action
