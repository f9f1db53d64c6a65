"""Reads of conflicts, and who should coordinate one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from orgmap import permissions
from orgmap.models import Department, RoleHolder
from orgmap.permissions import ORG_ADMINS_GROUP
from orgmap.selectors import department_ancestor_ids, department_parent_map

from ..models import (
    Conflict,
)

# ------------------------------------------------------------------------ conflicts


@dataclass
class CoordinatorSuggestion:
    """Who should coordinate a conflict between some departments."""

    people: list[AbstractBaseUser]
    department: Department | None  # the common parent whose head was suggested
    message: str

    @property
    def first(self) -> AbstractBaseUser | None:
        return self.people[0] if self.people else None


def _chain(department_id: int, parents: dict[int, int | None]) -> list[int]:
    return [department_id, *department_ancestor_ids(department_id, parents)]


def common_parent_ids(department_ids: Iterable[int]) -> list[int]:
    """The departments above (or equal to) every given one, lowest first."""
    ids = list(dict.fromkeys(department_ids))
    if not ids:
        return []
    parents = department_parent_map()
    chains = [_chain(pk, parents) for pk in ids]
    others = [set(chain) for chain in chains[1:]]
    return [pk for pk in chains[0] if all(pk in other for other in others)]


def org_admins() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=ORG_ADMINS_GROUP), is_active=True)
        .select_related("profile")
        .distinct()
        .order_by("username")
    )


def suggest_coordinator(departments: Iterable[Department]) -> CoordinatorSuggestion:
    """The current holders of the head role of the lowest common parent department.

    A common parent whose head role is missing or vacant is skipped for the next one
    up. With no common parent at all (two top-level departments), the organisation
    administrators are suggested: nobody below them has authority over both."""
    common = common_parent_ids(d.pk for d in departments)
    if common:
        by_id = Department.objects.select_related("head").in_bulk(common)
        holdings = (
            RoleHolder.objects.current()
            .filter(role__in=[d.head_id for d in by_id.values() if d.head_id])
            .select_related("person__profile")
            .order_by("since", "pk")
        )
        people_by_role: dict[int, list] = defaultdict(list)
        for holding in holdings:
            if holding.person.is_active:
                people_by_role[holding.role_id].append(holding.person)
        for pk in common:
            department = by_id.get(pk)
            if department and department.head_id and people_by_role.get(department.head_id):
                return CoordinatorSuggestion(
                    people=people_by_role[department.head_id],
                    department=department,
                    message=_(
                        "Suggested: the head of %(department)s (%(role)s), the lowest department above all of them."
                    )
                    % {"department": department.name, "role": department.head.title},
                )
    return CoordinatorSuggestion(
        people=list(org_admins()),
        department=None,
        message=_(
            "These departments share no parent department with a head in post, so an organisation administrator coordinates."
        ),
    )


def has_authority_over(user: AbstractBaseUser, departments: Iterable[Department]) -> bool:
    """Org admins, a manager of every department involved, or a current holder of
    the head role of a department above all of them."""
    ids = {d.pk for d in departments}
    if permissions.is_org_admin(user) or ids <= permissions.managed_department_ids(user):
        return True
    common = common_parent_ids(ids)
    head_ids = Department.objects.filter(pk__in=common, head__isnull=False).values("head_id")
    return RoleHolder.objects.current().filter(person=user, role__in=head_ids).exists()


def conflict_queryset() -> QuerySet[Conflict]:
    return Conflict.objects.select_related(
        "raised_by__profile", "coordinator__profile", "settled_by__profile"
    ).prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("name")))


def conflicts(
    *, status: str | None = None, department: Department | None = None, open_only: bool = False
) -> QuerySet[Conflict]:
    queryset = conflict_queryset()
    if status:
        queryset = queryset.filter(status=status)
    if open_only:
        queryset = queryset.exclude(status=Conflict.Status.SETTLED)
    if department is not None:
        queryset = queryset.filter(departments=department)
    return queryset


def conflicts_to_coordinate(user: AbstractBaseUser) -> tuple[list[Conflict], list[Conflict]]:
    """(open conflicts the user coordinates, open conflicts with no coordinator —
    shown to org admins, who coordinate those)."""
    mine = list(conflicts(open_only=True).filter(coordinator=user))
    unassigned = (
        list(conflicts(open_only=True).filter(coordinator__isnull=True))
        if permissions.is_org_admin(user)
        else []
    )
    return mine, unassigned
