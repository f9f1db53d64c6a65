"""The routine a view acts on, if the user may: one `get_<thing>_for_<action>(user, pk)`
per object type returns the object or raises PermissionDenied with a readable message.

Who may do what is decided in orgmap/permissions.py (the one place for the whole
product): everyone logged in reads every routine and gives feedback (and may raise a
conflict); org admins change everything; department managers what belongs to the
departments they manage (with their sub-departments); project coordinators what belongs
to their projects; HR reads everything and changes nothing here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orgmap import permissions
from orgmap.models import Department, Project
from orgmap.permissions import User
from responsibilities.models import InformationFlow

from .models import Conflict, Feedback, Goal, ImprovementAction, Lesson

# --- information flows: the managers of either end (a hand-off concerns both)


def get_flow_for_edit(user: User, pk: int) -> InformationFlow:
    flow = get_object_or_404(
        InformationFlow.objects.select_related("from_department", "to_department"), pk=pk
    )
    if not permissions.can_edit_flow(user, flow):
        raise PermissionDenied(
            _("Only the managers of %(from)s or %(to)s may change this information flow.")
            % {"from": flow.from_department.name, "to": flow.to_department.name}
        )
    return flow


# --- conflicts: anyone raises one; the raiser and the coordinator keep it up to date;
# the coordinator (or an org admin) settles it.


def get_conflict_for_edit(user: User, pk: int) -> Conflict:
    conflict = get_object_or_404(Conflict, pk=pk)
    if not permissions.can_edit_conflict(user, conflict):
        raise PermissionDenied(
            _(
                "Only whoever raised this conflict, its coordinator or an administrator may change it."
            )
        )
    return conflict


def get_conflict_for_settle(user: User, pk: int) -> Conflict:
    conflict = get_object_or_404(Conflict, pk=pk)
    if not permissions.can_settle_conflict(user, conflict):
        raise PermissionDenied(
            _("Only the coordinator of this conflict or an administrator may settle it.")
        )
    return conflict


# --- goals: the managers of the owning department, the coordinators of the owning project


def get_goal_for_edit(user: User, pk: int) -> Goal:
    goal = get_object_or_404(Goal.objects.select_related("department", "project"), pk=pk)
    if not permissions.can_edit_goal(user, goal):
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


# --- lessons


def get_lesson_for_edit(user: User, pk: int) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("department", "project"), pk=pk)
    if not permissions.can_edit_lesson(user, lesson):
        raise PermissionDenied(
            _("Only the managers or coordinators of “%(owner)s” may change this lesson.")
            % {"owner": lesson.department or lesson.project}
        )
    return lesson


# --- feedback: the owner of what it is about triages it


FEEDBACK_RELATED = ["duty", "role", "department", "project", "flow", "meeting"]


def get_feedback_for_triage(user: User, pk: int) -> Feedback:
    feedback = get_object_or_404(Feedback.objects.select_related(*FEEDBACK_RELATED), pk=pk)
    if not permissions.can_triage_feedback(user, feedback):
        raise PermissionDenied(
            _(
                "Only the managers or coordinators responsible for what this feedback is about may handle it."
            )
        )
    return feedback


def get_action_for_edit(user: User, pk: int) -> ImprovementAction:
    action = get_object_or_404(
        ImprovementAction.objects.select_related(
            "owner", *(f"feedback__{name}" for name in FEEDBACK_RELATED)
        ),
        pk=pk,
    )
    if not permissions.can_edit_action(user, action):
        raise PermissionDenied(
            _("Only the owner of this action or whoever handles its feedback may change it.")
        )
    return action
