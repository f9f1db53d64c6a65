"""Periodic reviews of roles and duties: who may review, recording one, what is due.

A role or duty with a cadence and a last review is due on last review + cadence
(Role.next_review_due / Duty.next_review_due). One that was never reviewed has no
due date; recording its first review starts the cycle.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orgmap import permissions
from orgmap.models import (
    Department,
    DepartmentGroupObjectPermission,
    DepartmentUserObjectPermission,
    Role,
    RoleHolder,
)
from orgmap.permissions import User
from orgmap.selectors import (
    department_ancestor_ids,
    department_descendant_ids,
    department_parent_map,
)
from responsibilities.models import Duty

from .models import Review

Subject = Role | Duty

# --- permissions -------------------------------------------------------------------


def get_role_for_review(user: User, pk: int) -> Role:
    role = get_object_or_404(Role.objects.select_related("department"), pk=pk)
    if not permissions.can_review_role(user, role):
        raise PermissionDenied(
            _("You may not review the role “%(title)s”: only the managers of %(department)s may.")
            % {"title": role.title, "department": role.department.name}
        )
    return role


def get_duty_for_review(user: User, pk: int) -> Duty:
    duty = get_object_or_404(Duty.objects.select_related("department", "project"), pk=pk)
    if not permissions.can_review_duty(user, duty):
        raise PermissionDenied(
            _("You may not review the duty “%(title)s”: only the managers of %(department)s may.")
            % {"title": duty.title, "department": duty.department.name}
        )
    return duty


# --- writes ------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    subject: Subject,
    by: AbstractBaseUser,
    reviewed_on: datetime.date,
    note: str,
    cadence_months: int | None,
) -> Review:
    """Record a review and move the subject's last review (hence its next due date)."""
    # Lock the row: two managers recording at once must not move the date backwards.
    subject = type(subject).objects.select_for_update().get(pk=subject.pk)
    review = Review.objects.create(
        role=subject if isinstance(subject, Role) else None,
        duty=subject if isinstance(subject, Duty) else None,
        reviewed_by=by,
        reviewed_on=reviewed_on,
        note=note,
    )
    if subject.last_reviewed_on is None or reviewed_on > subject.last_reviewed_on:
        subject.last_reviewed_on = reviewed_on
    subject.review_cadence_months = cadence_months
    subject.save(update_fields=["last_reviewed_on", "review_cadence_months"])
    return review


# --- reads -------------------------------------------------------------------------


def _due_candidates(queryset: QuerySet, today: datetime.date) -> QuerySet:
    """A pre-filter in the database (one range per cadence); due dates are then
    computed exactly in Python, where month ends follow relativedelta."""
    cadences = {
        value for value in queryset.values_list("review_cadence_months", flat=True) if value
    }
    condition = Q(pk__in=[])
    for months in cadences:
        latest = today - relativedelta(months=months) + datetime.timedelta(days=3)
        condition |= Q(review_cadence_months=months, last_reviewed_on__lte=latest)
    return queryset.filter(condition)


def roles_due(*, today: datetime.date) -> list[Role]:
    roles = Role.objects.filter(active=True, last_reviewed_on__isnull=False).select_related(
        "department"
    )
    return [role for role in _due_candidates(roles, today) if role.next_review_due <= today]


def duties_due(*, today: datetime.date) -> list[Duty]:
    duties = Duty.objects.filter(active=True, last_reviewed_on__isnull=False).select_related(
        "department"
    )
    return [duty for duty in _due_candidates(duties, today) if duty.next_review_due <= today]


@dataclass
class ReviewRow:
    subject: Subject
    kind: str  # "role" or "duty"
    due_on: datetime.date | None
    today: datetime.date
    can_review: bool = False

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_on).days if self.due_on else 0

    @property
    def status(self) -> str:
        if self.due_on is None:
            return "never" if self.subject.last_reviewed_on is None else "none"
        if self.due_on <= self.today:
            return "overdue"
        if self.due_on <= self.today + datetime.timedelta(days=30):
            return "soon"
        return "ok"


def department_review_rows(
    *, department: Department, today: datetime.date, user: User
) -> list[ReviewRow]:
    """Every active role and duty of the department and its sub-departments with its
    review status; overdue first, then by due date. Three queries."""
    department_ids = department_descendant_ids([department.pk])
    roles = Role.objects.filter(department_id__in=department_ids, active=True).select_related(
        "department"
    )
    duties = Duty.objects.filter(department_id__in=department_ids, active=True).select_related(
        "department", "project"
    )
    rows = [
        ReviewRow(
            role, "role", role.next_review_due, today, permissions.can_review_role(user, role)
        )
        for role in roles
    ] + [
        ReviewRow(
            duty, "duty", duty.next_review_due, today, permissions.can_review_duty(user, duty)
        )
        for duty in duties
    ]
    never = datetime.date.max
    rows.sort(key=lambda row: (row.due_on or never, row.kind, row.subject.pk))
    return rows


def recent_reviews(*, department: Department, limit: int = 10) -> list[Review]:
    department_ids = department_descendant_ids([department.pk])
    return list(
        Review.objects.filter(
            Q(role__department_id__in=department_ids) | Q(duty__department_id__in=department_ids)
        )
        .select_related("role", "duty", "reviewed_by__profile")
        .order_by("-reviewed_on", "-pk")[:limit]
    )


def subject_reviews(subject: Subject, *, limit: int = 20) -> list[Review]:
    reviews = subject.reviews.select_related("reviewed_by__profile")
    return list(reviews.order_by("-reviewed_on", "-pk")[:limit])


# --- who hears about a review ------------------------------------------------------


def org_admin_ids() -> set[int]:
    users = get_user_model().objects.filter(is_active=True)
    return set(
        users.filter(Q(is_superuser=True) | Q(groups__name=permissions.ORG_ADMINS_GROUP))
        .values_list("pk", flat=True)
        .distinct()
    )


def department_manager_map() -> dict[int, set[int]]:
    """{department id: ids of the active users who manage it}: a grant on a department
    covers its sub-departments, to users or through groups. Four queries for the
    whole organisation."""
    direct: dict[int, set[int]] = defaultdict(set)
    user_grants = DepartmentUserObjectPermission.objects.filter(
        permission__codename=permissions.MANAGE_DEPARTMENT, user__is_active=True
    ).values_list("content_object_id", "user_id")
    for department_id, user_id in user_grants:
        direct[department_id].add(user_id)
    group_grants = DepartmentGroupObjectPermission.objects.filter(
        permission__codename=permissions.MANAGE_DEPARTMENT
    ).values_list("content_object_id", "group_id")
    group_ids = defaultdict(set)
    for department_id, group_id in group_grants:
        group_ids[group_id].add(department_id)
    if group_ids:
        members = get_user_model().groups.through.objects.filter(
            group_id__in=group_ids, user__is_active=True
        )
        for group_id, user_id in members.values_list("group_id", "user_id"):
            for department_id in group_ids[group_id]:
                direct[department_id].add(user_id)
    parents = department_parent_map()
    return {
        department_id: set().union(
            direct.get(department_id, set()),
            *(direct.get(pk, set()) for pk in department_ancestor_ids(department_id, parents)),
        )
        for department_id in parents
    }


def escalation_recipient_map(
    department_ids: Iterable[int], *, on: datetime.date
) -> dict[int, set[int]]:
    """{department id: ids of the people holding the head role of its parent}."""
    departments = {
        department.pk: department
        for department in Department.objects.filter(pk__in=set(department_ids)).select_related(
            "parent"
        )
    }
    head_of = {
        pk: department.parent.head_id
        for pk, department in departments.items()
        if department.parent_id and department.parent.head_id
    }
    holders: dict[int, set[int]] = defaultdict(set)
    holdings = RoleHolder.objects.current(on).filter(
        role_id__in=set(head_of.values()), role__active=True, person__is_active=True
    )
    for role_id, person_id in holdings.values_list("role_id", "person_id"):
        holders[role_id].add(person_id)
    return {pk: holders.get(head_of.get(pk), set()) for pk in departments}
