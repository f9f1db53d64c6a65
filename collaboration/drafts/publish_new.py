"""Publishing the duties and roles a draft adds, inside draft_publish's transaction:
the roles and duties are created through live validation (the model's constraints,
responsibilities.services.duty_create), then the letters of their cells are set with
the real ids through the live cell service (history rows "from draft X"). A title
taken live meanwhile refuses the whole publish."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgmap.models import Role
from responsibilities import services as live_services
from responsibilities.models import Duty

from .models import Draft, DraftCell
from .services import DutyInvalid, PublishConflict
from .services_new import RoleInvalid, _messages, live_role


def _create_roles(draft: Draft) -> dict[int, Role]:
    """{new role pk: the live role made from it}. Created as the role form saves one:
    validated by the model, saved (the signals refresh the findings)."""
    created = {}
    for new_role in draft.new_roles.select_related("reports_to").order_by("pk"):
        role = live_role(new_role)
        try:
            role.full_clean()
            with transaction.atomic():  # a title taken by a concurrent writer
                role.save()
        except (ValidationError, IntegrityError) as error:
            messages = _messages(error) if isinstance(error, ValidationError) else []
            raise RoleInvalid(
                [f"{new_role.title}: {m}" for m in messages or [str(error)]]
            ) from error
        created[new_role.pk] = role
    return created


def _create_duties(draft: Draft) -> dict[int, Duty]:
    created = {}
    for new_duty in draft.new_duties.select_related("department", "project").order_by("pk"):
        try:
            with transaction.atomic():
                duty = live_services.duty_create(
                    title=new_duty.title,
                    department=new_duty.department,
                    project=new_duty.project,
                    description=new_duty.description,
                )
        except (ValidationError, IntegrityError) as error:
            messages = _messages(error) if isinstance(error, ValidationError) else []
            raise DutyInvalid(
                [f"{new_duty.title}: {m}" for m in messages or [str(error)]]
            ) from error
        created[new_duty.pk] = duty
    return created


def publish_new_things(draft: Draft, *, by: AbstractBaseUser, locked: dict[int, Duty]) -> set[int]:
    """Create the draft's new roles and duties, then set the letters of their cells.
    `locked`: the live duties draft_publish locked (as just published). Returns the
    ids of the live roles whose letters changed (for the notices)."""
    roles = _create_roles(draft)
    duties = _create_duties(draft)
    cells = (
        draft.cells.exclude(duty__isnull=False, role__isnull=False)
        .select_related("duty", "role")
        .order_by("pk")
    )
    changed_roles = set()
    for cell in cells:
        _set(draft, cell, duties, roles, locked, by)
        if cell.role_id:
            changed_roles.add(cell.role_id)
    return changed_roles


def _set(draft: Draft, cell: DraftCell, duties, roles, locked, by) -> None:
    if not cell.letter:
        return
    duty = duties[cell.new_duty_id] if cell.new_duty_id else locked.get(cell.duty_id, cell.duty)
    role = roles[cell.new_role_id] if cell.new_role_id else cell.role
    result = live_services.assignment_set(
        duty=duty,
        role=role,
        letter=cell.letter,
        expected_version=0,  # a new duty or role has no cell yet
        by=by,
        source="draft",
        source_name=draft.name,
    )
    if not result.applied:
        raise PublishConflict(f"cell {duty.pk}/{role.pk} exists already")
