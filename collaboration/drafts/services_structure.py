"""Writes to a draft's roles, people and information flows: an existing role renamed,
moved or retired; people joining and leaving roles (a move is both, a vacancy is a leave
for every holder); flows added or removed. Each change is checked as live would check
it, keeps the live state it was based on, and a change back to live removes it."""

from __future__ import annotations

import copy

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Role, RoleHolder
from responsibilities.models import InformationFlow

from . import selectors_structure
from .models import Draft, DraftFlow, DraftHolding, DraftRole
from .services import DraftError, _editable


class StructureInvalid(DraftError):
    """A role, holding or flow that live would refuse; `messages` say why."""

    code = "structure_invalid"

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = [str(message) for message in messages]


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


def _touch(draft: Draft) -> None:
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())


# ------------------------------------------------------------------ roles


def _validate_role(role: Role, fields: dict) -> None:
    """The role as the draft has it must be valid live (a title, unique in its
    department): checked now, and again when publishing."""
    if not fields["title"]:
        raise StructureInvalid([_("Give the role a title.")])
    candidate = copy.copy(role)  # never saved: the live role stays as it is
    for name, value in fields.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(
            exclude=["purpose", "reports_to", "review_cadence_months", "last_reviewed_on"]
        )
    except ValidationError as error:
        raise StructureInvalid(_messages(error)) from error


@transaction.atomic
def draft_role_change(
    *, draft: Draft, role: Role, title: str, department: Department, active: bool
) -> DraftRole | None:
    """Propose an existing role renamed, moved to another department, retired or
    brought back. A change back to the live role removes the proposal."""
    _editable(draft)
    fields = {
        "title": " ".join(title.split()),
        "department_id": department.pk,
        "active": active,
    }
    _validate_role(role, fields)
    change = DraftRole.objects.select_for_update().filter(draft=draft, role=role).first()
    if change is None:
        change = DraftRole(draft=draft, role=role, base=selectors_structure.live_role_fields(role))
    if fields == change.base:
        if change.pk:
            change.delete()
        return None
    change.title, change.department, change.active = fields["title"], department, active
    change.save()
    _touch(draft)
    return change


# ------------------------------------------------------------------ people


def _holds(role: Role, person: AbstractBaseUser) -> bool:
    return RoleHolder.objects.current().filter(role=role, person=person).exists()


def _holding(draft: Draft, role: Role, person: AbstractBaseUser, action: str):
    if not person.is_active:
        raise StructureInvalid([_("%(name)s can no longer hold roles.") % _who(person)])
    held = _holds(role, person)
    change = (
        DraftHolding.objects.select_for_update()
        .filter(draft=draft, role=role, person=person)
        .first()
    )
    wants = action == DraftHolding.Action.JOIN
    if wants == held:  # what live already has: undo the draft's change, if any
        if change is not None:
            change.delete()
            return None
        if wants:
            raise StructureInvalid([_("%(name)s already holds this role.") % _who(person)])
        raise StructureInvalid([_("%(name)s does not hold this role.") % _who(person)])
    if change is None:
        change = DraftHolding(draft=draft, role=role, person=person)
    change.action, change.base = action, held
    change.save()
    return change


def _who(person) -> dict:
    return {"name": person.profile.name}


@transaction.atomic
def draft_holding_set(
    *, draft: Draft, role: Role, person: AbstractBaseUser, action: str
) -> DraftHolding | None:
    """Propose that a person joins or leaves a role. A person cannot join a role they
    hold, nor leave one they do not; proposing what live has undoes the draft's change."""
    _editable(draft)
    if action not in DraftHolding.Action.values:
        raise DraftError(action)
    change = _holding(draft, role, person, action)
    _touch(draft)
    return change


@transaction.atomic
def draft_person_move(
    *, draft: Draft, person: AbstractBaseUser, from_role: Role, to_role: Role
) -> None:
    """Propose a person moved from one role to another: a leave and a join together."""
    _editable(draft)
    if from_role.pk == to_role.pk:
        raise StructureInvalid([_("Choose another role to move to.")])
    _holding(draft, from_role, person, DraftHolding.Action.LEAVE)
    _holding(draft, to_role, person, DraftHolding.Action.JOIN)
    _touch(draft)


@transaction.atomic
def draft_role_vacate(*, draft: Draft, role: Role) -> list[DraftHolding]:
    """Propose the role left vacant: a leave for each current holder (their joins
    proposed in this draft are dropped)."""
    _editable(draft)
    holders = set(
        RoleHolder.objects.current().filter(role=role).values_list("person_id", flat=True)
    )
    draft.holdings.filter(role=role, action=DraftHolding.Action.JOIN).delete()
    existing = set(draft.holdings.filter(role=role).values_list("person_id", flat=True))
    created = DraftHolding.objects.bulk_create(
        [
            DraftHolding(
                draft=draft, role=role, person_id=pk, action=DraftHolding.Action.LEAVE, base=True
            )
            for pk in sorted(holders - existing)
        ]
    )
    _touch(draft)
    return created


# ------------------------------------------------------------------ flows


FLOW_FIELDS = (
    "from_department",
    "to_department",
    "information",
    "channel",
    "system_name",
    "frequency",
)


@transaction.atomic
def draft_flow_add(
    *,
    draft: Draft,
    from_department: Department,
    to_department: Department,
    information: str,
    channel: str,
    frequency: str,
    system_name: str = "",
) -> DraftFlow:
    """Propose a new information flow, checked as live checks one (flow_save)."""
    _editable(draft)
    flow = InformationFlow(
        from_department=from_department,
        to_department=to_department,
        information=information.strip(),
        channel=channel,
        system_name=system_name,
        frequency=frequency,
    )
    try:
        flow.full_clean()
    except ValidationError as error:
        raise StructureInvalid(_messages(error)) from error
    change = DraftFlow(draft=draft, action=DraftFlow.Action.ADD)
    for name in FLOW_FIELDS:
        setattr(change, name, getattr(flow, name))
    change.save()
    _touch(draft)
    return change


@transaction.atomic
def draft_flow_remove(*, draft: Draft, flow: InformationFlow) -> DraftFlow:
    """Propose an active live flow removed (deactivated when published)."""
    _editable(draft)
    if not flow.active:
        raise StructureInvalid([_("This information flow is not active live.")])
    change = draft.flow_changes.filter(flow=flow).first()
    if change is not None:
        return change
    change = DraftFlow.objects.create(
        draft=draft,
        action=DraftFlow.Action.REMOVE,
        flow=flow,
        base=selectors_structure.live_flow_fields(flow),
    )
    _touch(draft)
    return change


# ------------------------------------------------------------------ undo and conflicts


@transaction.atomic
def draft_structure_undo(*, draft: Draft, change: DraftRole | DraftHolding | DraftFlow) -> None:
    """Drop one of the draft's changes (the live state stays as it is)."""
    _editable(draft)
    change.delete()
    _touch(draft)


@transaction.atomic
def draft_structure_settle(
    *, draft: Draft, change: DraftRole | DraftHolding | DraftFlow, keep: str
) -> None:
    """The author's choice on a conflict: keep the draft's change, now based on live
    (a change that live already made is then dropped), or take live's (dropped)."""
    _editable(draft)
    if keep == "live":
        change.delete()
        return
    if isinstance(change, DraftRole):
        change.base = selectors_structure.live_role_fields(Role.objects.get(pk=change.role_id))
        if change.base == change.fields():
            change.delete()
        else:
            change.save(update_fields=["base"])
    elif isinstance(change, DraftHolding):
        held = (
            RoleHolder.objects.current()
            .filter(role_id=change.role_id, person_id=change.person_id)
            .exists()
        )
        if held == (change.action == DraftHolding.Action.JOIN):
            change.delete()
        else:
            change.base = held
            change.save(update_fields=["base"])
    else:
        flow = InformationFlow.objects.get(pk=change.flow_id)
        change.base = selectors_structure.live_flow_fields(flow)
        if not flow.active:
            change.delete()
        else:
            change.save(update_fields=["base"])
