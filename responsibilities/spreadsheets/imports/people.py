"""Import of people, departments, roles and holdings from an HR system's CSV: plan
(people_planner.py), then apply the plan in bulk, in one transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Profile, Role, RoleHolder
from orgmap.webhooks import events as webhooks

from ... import findings_store, search_indexes
from ...attestation import tracking as attestation
from ..sheets import Table
from .common import Problem
from .people_plan import (
    PEOPLE_COLUMNS,
    PEOPLE_OPTIONAL_COLUMNS,
    PeoplePlan,
    PersonEntry,
    department_code_for,
    username_for,
)
from .people_planner import _PeoplePlanner

__all__ = [
    "PEOPLE_COLUMNS",
    "PEOPLE_OPTIONAL_COLUMNS",
    "PeoplePlan",
    "PersonEntry",
    "apply_people_plan",
    "department_code_for",
    "people_import",
    "plan_people",
    "username_for",
]


def plan_people(table: Table) -> PeoplePlan:
    """Check a people table against the database and list what an import would do."""
    return _PeoplePlanner(table).run()


def _apply_departments(plan: PeoplePlan) -> list[Department]:
    """New departments, then every department's new parent; returns those moved."""
    Department.objects.bulk_create(plan.new_departments)
    moved = []
    for department, parent in plan.parent_changes:
        department.parent = parent
        moved.append(department)
    Department.objects.bulk_update(moved, ["parent"])
    return moved


def _apply_roles(plan: PeoplePlan) -> None:
    for role, active in plan.active_changes:
        role.active = active
    # Assigning the (now saved) department again sets department_id on the new roles.
    for role in plan.new_roles:
        role.department = role.department
    Role.objects.bulk_create(plan.new_roles, batch_size=1000)
    new_role_ids = {id(role) for role in plan.new_roles}
    existing_changed = [
        role for role, _active in plan.active_changes if id(role) not in new_role_ids
    ]
    Role.objects.bulk_update(existing_changed, ["active"], batch_size=1000)
    reporting = []
    for role, manager in plan.manager_changes:
        role.reports_to = manager
        reporting.append(role)
    Role.objects.bulk_update(reporting, ["reports_to"], batch_size=1000)


def _apply_people(plan: PeoplePlan) -> None:
    User = get_user_model()
    unusable = make_password(None)  # they set a password through "forgot password"
    users = []
    for entry in plan.new_people:
        user = User(email=entry.email, is_active=True, password=unusable)
        setattr(user, User.USERNAME_FIELD, entry.username)
        entry.user = user
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    # bulk_create sends no post_save, so the profiles the signal would make are made here.
    Profile.objects.bulk_create(
        [Profile(user=entry.user, display_name=entry.name) for entry in plan.new_people],
        batch_size=1000,
    )
    renamed = {entry.user.pk: entry.name for entry in plan.renamed_people}
    profiles = list(Profile.objects.filter(user_id__in=renamed))
    for profile in profiles:
        profile.display_name = renamed[profile.user_id]
    Profile.objects.bulk_update(profiles, ["display_name"], batch_size=1000)
    today = timezone.localdate()
    holdings = RoleHolder.objects.bulk_create(
        [
            RoleHolder(role=role, person=entry.user, since=today)
            for role, entry in plan.new_holdings
        ],
        batch_size=1000,
    )
    webhooks.role_holders_added(holdings)


def apply_people_plan(plan: PeoplePlan) -> None:
    """Write a valid plan in bulk: departments, roles, people, profiles, holdings."""
    if not plan.valid:
        raise ValueError("A plan with problems cannot be applied.")
    search_indexes.start_bulk_writes()
    moved = _apply_departments(plan)
    _apply_roles(plan)
    _apply_people(plan)
    # Bulk writes send no signals: refresh the findings they can change, here.
    findings_store.people_imported(
        role_ids={role.pk for role in plan.new_roles}
        | {role.pk for role, _active in plan.active_changes}
        | {role.pk for role, _entry in plan.new_holdings},
        moved_department_ids={department.pk for department in moved},
    )
    # New roles get their first version, new holders are asked (on commit).
    attestation.roles_touched({role.pk for role in plan.new_roles})
    attestation.holders_added((role.pk, entry.user.pk) for role, entry in plan.new_holdings)
    search_indexes.merge_pending()
    plan.applied = True


def people_import(table: Table, *, dry_run: bool = False) -> PeoplePlan:
    if dry_run:
        return plan_people(table)
    try:
        with transaction.atomic():
            plan = plan_people(table)
            if plan.valid:
                apply_people_plan(plan)
    except IntegrityError:
        plan.applied = False
        plan.problems.append(
            Problem(
                None,
                "",
                "",
                _(
                    "The organisation changed while the file was being imported; nothing was written. Try again."
                ),
            )
        )
    return plan
