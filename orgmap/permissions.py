"""Who may do what on the organisation.

Personas: org admin (superuser or the "Org admins" group), HR (the "HR" group),
department manager (guardian object permission `manage_department` on a department,
covering its sub-departments), and member (any logged-in user: read only).

Each check works on ids computed once per request and cached on the user object, so a
page can ask about many objects without one query per object.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import (
    Department,
    DepartmentGroupObjectPermission,
    DepartmentUserObjectPermission,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    Role,
)
from .selectors import department_ancestor_ids, department_descendant_ids, department_parent_map

ORG_ADMINS_GROUP = "Org admins"
HR_GROUP = "HR"
MANAGE_DEPARTMENT = "manage_department"
COORDINATE_PROJECT = "coordinate_project"

User = AbstractBaseUser | AnonymousUser


def _group_names(user: User) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_orgmap_group_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._orgmap_group_names = cached
    return cached


def is_org_admin(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or ORG_ADMINS_GROUP in _group_names(user))
    )


def is_hr(user: User) -> bool:
    return user.is_authenticated and user.is_active and HR_GROUP in _group_names(user)


def managed_department_ids(user: User) -> frozenset[int]:
    """Departments the user manages directly or through a parent department."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_orgmap_managed_department_ids", None)
    if cached is not None:
        return cached
    direct = set(
        DepartmentUserObjectPermission.objects.filter(
            user=user, permission__codename=MANAGE_DEPARTMENT
        ).values_list("content_object_id", flat=True)
    ) | set(
        DepartmentGroupObjectPermission.objects.filter(
            group__user=user, permission__codename=MANAGE_DEPARTMENT
        ).values_list("content_object_id", flat=True)
    )
    cached = frozenset(department_descendant_ids(direct)) if direct else frozenset()
    user._orgmap_managed_department_ids = cached
    return cached


def can_manage_department(user: User, department: Department) -> bool:
    return is_org_admin(user) or department.pk in managed_department_ids(user)


def can_create_department(user: User, parent: Department | None) -> bool:
    if is_org_admin(user):
        return True
    return parent is not None and parent.pk in managed_department_ids(user)


def can_edit_role(user: User, role: Role) -> bool:
    # HR keeps role descriptions for the whole organisation.
    return is_hr(user) or (
        role.department_id is not None
        and (is_org_admin(user) or role.department_id in managed_department_ids(user))
    )


def can_edit_role_holders(user: User, role: Role) -> bool:
    return is_org_admin(user) or role.department_id in managed_department_ids(user)


def get_department_for_manage(user: User, code: str) -> Department:
    department = get_object_or_404(Department, code__iexact=code)
    if not can_manage_department(user, department):
        raise PermissionDenied(_("You may not edit this department."))
    return department


def get_role_for_edit(user: User, pk: int) -> Role:
    role = get_object_or_404(Role.objects.select_related("department"), pk=pk)
    if not can_edit_role(user, role):
        raise PermissionDenied(_("You may not edit this role."))
    return role


def get_role_for_holder_edit(user: User, pk: int) -> Role:
    role = get_object_or_404(Role.objects.select_related("department"), pk=pk)
    if not can_edit_role_holders(user, role):
        raise PermissionDenied(_("You may not change who holds this role."))
    return role


def can_edit_duty(user: User, *, department_id: int, project_id: int | None = None) -> bool:
    """Managers of the owning department (or above), the coordinators of the duty's
    project, and org admins edit a duty and its row of the matrix."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_org_admin(user) or department_id in managed_department_ids(user):
        return True
    return project_id is not None and project_id in coordinated_project_ids(user)


def coordinated_project_ids(user: User) -> frozenset[int]:
    """Projects the user coordinates: named as coordinator or granted the permission."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_orgmap_coordinated_project_ids", None)
    if cached is None:
        granted = ProjectUserObjectPermission.objects.filter(
            user=user, permission__codename=COORDINATE_PROJECT
        ).values("content_object_id")
        granted_to_groups = ProjectGroupObjectPermission.objects.filter(
            group__user=user, permission__codename=COORDINATE_PROJECT
        ).values("content_object_id")
        cached = frozenset(
            Project.objects.filter(
                Q(coordinator=user) | Q(pk__in=granted) | Q(pk__in=granted_to_groups)
            ).values_list("pk", flat=True)
        )
        user._orgmap_coordinated_project_ids = cached
    return cached


def can_manage_project(user: User, project) -> bool:
    return is_org_admin(user) or project.pk in coordinated_project_ids(user)


def get_project_for_manage(user: User, code: str) -> Project:
    """The project with this code, if the user may edit it (404 / PermissionDenied)."""
    project = get_object_or_404(Project, code__iexact=code)
    if not can_manage_project(user, project):
        raise PermissionDenied(
            _("You may not edit the project “%(name)s”.") % {"name": project.name}
        )
    return project


def can_import_matrix(user: User) -> bool:
    """RACI imports write matrix cells: whoever may edit some matrix by hand (org admins,
    department managers, project coordinators). HR imports people, not cells; each
    cell of a file is then checked with can_edit_duty, like a hand edit."""
    return (
        is_org_admin(user)
        or bool(managed_department_ids(user))
        or bool(coordinated_project_ids(user))
    )


def can_import_matrix_into(
    user: User, *, department: Department | None, project: Project | None
) -> bool:
    """An import aimed at one department's or project's matrix."""
    if is_org_admin(user):
        return True
    if department is not None:
        return can_manage_department(user, department)
    if project is not None:
        return can_manage_project(user, project)
    return can_import_matrix(user)


def can_bulk_export(user: User) -> bool:
    """Zip exports of role descriptions: HR, org admins and department managers (for
    the departments they manage)."""
    return is_org_admin(user) or is_hr(user) or bool(managed_department_ids(user))


def can_manage_access(user: User) -> bool:
    """Granting managers and coordinators: org admins and HR."""
    return is_org_admin(user) or is_hr(user)


def can_manage_webhooks(user: User) -> bool:
    """Webhook endpoints decide what leaves orgmap and where to: org admins only."""
    return is_org_admin(user)


# ------------------------------------------------- who can edit this (the panels)


@dataclass
class Editors:
    direct: list  # users granted on this object
    inherited: list[tuple]  # (user, department it comes from)
    named: list  # e.g. the project's named coordinator
    admins: list


def org_admins() -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=ORG_ADMINS_GROUP))
        .select_related("profile")
        .distinct()
        .order_by("username")
    )


def department_editors(
    department: Department, parents: dict[int, int | None] | None = None
) -> Editors:
    """Who may edit the department: granted on it or on a department above it (from
    `parents`, department_parent_map(), read here when not given), and the org admins."""
    if parents is None:
        parents = department_parent_map()
    ancestors = department_ancestor_ids(department.pk, parents)
    grants = (
        DepartmentUserObjectPermission.objects.filter(
            content_object_id__in=[department.pk, *ancestors],
            permission__codename=MANAGE_DEPARTMENT,
            user__is_active=True,
        )
        .select_related("user__profile", "content_object")
        .order_by("user__username")
    )
    direct, inherited = [], []
    for grant in grants:
        if grant.content_object_id == department.pk:
            direct.append(grant.user)
        else:
            inherited.append((grant.user, grant.content_object))
    return Editors(direct=direct, inherited=inherited, named=[], admins=org_admins())


def project_editors(project: Project) -> Editors:
    grants = (
        ProjectUserObjectPermission.objects.filter(
            content_object=project,
            permission__codename=COORDINATE_PROJECT,
            user__is_active=True,
        )
        .select_related("user__profile")
        .order_by("user__username")
    )
    named = (
        [project.coordinator] if project.coordinator_id and project.coordinator.is_active else []
    )
    return Editors(direct=[g.user for g in grants], inherited=[], named=named, admins=org_admins())


# ------------------------------------------------ collaboration: meetings and reviews
#
# The objects below belong to higher layers (meetings, routines); the decisions read
# their attributes, so this module needs none of their classes.


def can_schedule_meetings(user: User) -> bool:
    """Whether the user may create meetings at all (for something they run)."""
    return (
        is_org_admin(user)
        or bool(managed_department_ids(user))
        or bool(coordinated_project_ids(user))
    )


def can_schedule_for(user: User, *, department_ids: Iterable[int], project_id: int | None) -> bool:
    """A meeting may span departments (a Sales–Production sync), so managing one of
    its departments, or coordinating its project, is enough."""
    if is_org_admin(user):
        return True
    if set(department_ids) & managed_department_ids(user):
        return True
    return project_id is not None and project_id in coordinated_project_ids(user)


def can_manage_meeting(user: User, meeting) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_org_admin(user) or meeting.organiser_id == user.pk:
        return True
    return can_schedule_for(
        user,
        department_ids=[department.pk for department in meeting.departments.all()],
        project_id=meeting.project_id,
    )


def can_review_role(user: User, role: Role) -> bool:
    return is_org_admin(user) or role.department_id in managed_department_ids(user)


def can_review_duty(user: User, duty) -> bool:
    return can_edit_duty(user, department_id=duty.department_id, project_id=duty.project_id)


# ---------------------------------------------------------- collaboration: routines
#
# Flows: the managers of either end (a hand-off concerns both). Conflicts: anyone raises
# one; the raiser and the coordinator keep it up to date; the coordinator (or an org
# admin) settles it. Goals, charters, lessons: the managers of the owning department or
# the coordinators of the owning project. Feedback: the owner of what it is about.


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def manages_any(user: User, department_ids: Iterable[int]) -> bool:
    return is_org_admin(user) or bool(set(department_ids) & managed_department_ids(user))


def can_create_flows(user: User) -> bool:
    return is_org_admin(user) or bool(managed_department_ids(user))


def can_edit_flow(user: User, flow) -> bool:
    return _active(user) and manages_any(user, [flow.from_department_id, flow.to_department_id])


def can_edit_conflict(user: User, conflict) -> bool:
    if not _active(user):
        return False
    return (
        is_org_admin(user) or conflict.raised_by_id == user.pk or conflict.coordinator_id == user.pk
    )


def can_settle_conflict(user: User, conflict) -> bool:
    return _active(user) and (is_org_admin(user) or conflict.coordinator_id == user.pk)


def can_edit_owner(user: User, *, department_id: int | None, project_id: int | None) -> bool:
    if not _active(user):
        return False
    if is_org_admin(user):
        return True
    if department_id is not None and department_id in managed_department_ids(user):
        return True
    return project_id is not None and project_id in coordinated_project_ids(user)


def can_create_owned(user: User) -> bool:
    """Goals and lessons: anyone who runs a department or a project."""
    return (
        is_org_admin(user)
        or bool(managed_department_ids(user))
        or bool(coordinated_project_ids(user))
    )


def can_edit_goal(user: User, goal) -> bool:
    return can_edit_owner(user, department_id=goal.department_id, project_id=goal.project_id)


def can_edit_lesson(user: User, lesson) -> bool:
    return can_edit_owner(user, department_id=lesson.department_id, project_id=lesson.project_id)


def feedback_owner_scope(feedback) -> tuple[set[int], set[int]]:
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


def can_triage_feedback(user: User, feedback) -> bool:
    if not _active(user):
        return False
    if is_org_admin(user):
        return True
    if feedback.meeting_id and feedback.meeting.organiser_id == user.pk:
        return True
    departments, projects = feedback_owner_scope(feedback)
    return bool(departments & managed_department_ids(user)) or bool(
        projects & coordinated_project_ids(user)
    )


def can_edit_action(user: User, action) -> bool:
    """The action's owner keeps its status current; the feedback's owners manage it."""
    return _active(user) and (
        action.owner_id == user.pk or can_triage_feedback(user, action.feedback)
    )


# ---------------------------------------------------- role confirmations (attestation)
#
# Every signed-in person reads role descriptions and their versions; a holder answers
# only their own requests (the service checks the request is theirs). The coverage and
# the acceptance records: HR and org admins everywhere, managers for their departments.


def confirmation_coverage_department_ids(user: User) -> frozenset[int] | None:
    """The departments whose coverage the user sees: None for all (HR, org admins)."""
    if is_org_admin(user) or is_hr(user):
        return None
    return managed_department_ids(user)


def can_view_confirmation_coverage(user: User) -> bool:
    return is_org_admin(user) or is_hr(user) or bool(managed_department_ids(user))


def can_view_acceptance_record(user: User, role: Role) -> bool:
    return is_org_admin(user) or is_hr(user) or role.department_id in managed_department_ids(user)


def can_set_confirmation_cadence(user: User, role: Role) -> bool:
    return can_edit_role(user, role)


# Drafts (collaboration/drafts): proposed changes to the map. A draft's scope (the
# departments and projects its changes touch) is computed by the drafts app and handed in.


def can_create_draft(user: User) -> bool:
    """Anyone who edits a matrix live may propose changes in a draft."""
    return _active(user) and can_create_owned(user)


def draft_approval_needed(user: User, *, department_ids: Iterable[int], project_ids: Iterable[int]):
    """(department ids, project ids) of a draft's scope the author does not run: each
    needs the approval of one of its managers or coordinators. Org admins need none."""
    if is_org_admin(user):
        return set(), set()
    departments = set(department_ids) - managed_department_ids(user)
    return departments, set(project_ids) - coordinated_project_ids(user)


def can_see_draft(user: User, draft, *, department_ids: Iterable[int], project_ids: Iterable[int]):
    """The author, org admins, and the managers and coordinators of what it touches."""
    if not _active(user):
        return False
    if draft.author_id == user.pk or is_org_admin(user):
        return True
    return bool(set(department_ids) & managed_department_ids(user)) or bool(
        set(project_ids) & coordinated_project_ids(user)
    )


def can_edit_draft(user: User, draft) -> bool:
    return _active(user) and draft.author_id == user.pk and draft.is_editable


def can_answer_draft_approval(user: User, approval) -> bool:
    """A manager of the department (a coordinator of the project) asked, or an org admin,
    while the draft waits for answers."""
    if not _active(user) or approval.draft.status != "submitted":
        return False
    if is_org_admin(user):
        return True
    if approval.department_id is not None:
        return approval.department_id in managed_department_ids(user)
    return approval.project_id in coordinated_project_ids(user)


def can_publish_draft(user: User, draft, *, approved: bool) -> bool:
    """Org admins publish directly; the author once every approval asked for is given."""
    if not _active(user) or draft.status in ("published", "discarded", "rejected"):
        return False
    return is_org_admin(user) or (draft.author_id == user.pk and approved)
