"""Publishing a draft's roles, people and information flows, inside draft_publish's
transaction: the live rows compared are locked first, any conflict refuses the whole
publish, and every change goes through the live path (a role's save and its signals,
orgmap's holding services dated today, routines' flow_save)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from collaboration.routines.services import flow_save
from orgmap import services as org_services
from orgmap.models import Role, RoleHolder
from responsibilities.models import InformationFlow

from .models import DraftFlow, DraftHolding
from .selectors_structure import StructureChanges, structure_conflicts
from .services import PublishConflict
from .services_structure import FLOW_FIELDS, StructureInvalid, _messages


def locked_changes(draft) -> StructureChanges:
    """The draft's roles, holdings and flows, with the live rows they are compared with
    locked (roles FOR NO KEY UPDATE, like the duties; holdings and flows FOR UPDATE);
    a conflict refuses the publish."""
    changes = StructureChanges.read(draft)
    if changes and structure_conflicts(changes, lock=True):
        raise PublishConflict(f"draft {draft.pk} conflicts with live changes")
    return changes


def _apply_roles(changes) -> None:
    roles = Role.objects.in_bulk([change.role_id for change in changes])
    for change in changes:
        role = roles[change.role_id]
        role.title, role.department_id, role.active = (
            change.title,
            change.department_id,
            change.active,
        )
        try:
            role.full_clean(
                exclude=["purpose", "reports_to", "review_cadence_months", "last_reviewed_on"]
            )
        except ValidationError as error:
            raise StructureInvalid(_messages(error)) from error
        # The role's signals refresh its stored findings (findings_signals.py).
        role.save(update_fields=["title", "department", "active"])


def _end_date(holding: RoleHolder, today: datetime.date) -> datetime.date:
    """Today; a holding that started today ends tomorrow (a holding cannot end on the
    day it starts)."""
    return max(today, holding.since + datetime.timedelta(days=1))


def _apply_holdings(changes) -> None:
    today = timezone.localdate()
    leaves = [change for change in changes if change.action == DraftHolding.Action.LEAVE]
    joins = [change for change in changes if change.action == DraftHolding.Action.JOIN]
    try:
        for change in leaves:
            holding = (
                RoleHolder.objects.current()
                .filter(role_id=change.role_id, person_id=change.person_id)
                .first()
            )
            org_services.role_holder_end(holding=holding, until=_end_date(holding, today))
        for change in joins:
            org_services.role_holder_add(role=change.role, person=change.person, since=today)
    except ValidationError as error:
        raise StructureInvalid(_messages(error)) from error
    except IntegrityError as error:
        # The same person joined live between our check and the insert (the open
        # holding's unique constraint waited for that commit): refuse it all.
        raise PublishConflict("a holding changed meanwhile") from error


def _apply_flows(changes, by) -> None:
    try:
        for change in changes:
            if change.action == DraftFlow.Action.ADD:
                flow = InformationFlow()
                for name in FLOW_FIELDS:
                    setattr(flow, name, getattr(change, name))
            else:
                flow = InformationFlow.objects.get(pk=change.flow_id)
                flow.active = False
            flow_save(flow=flow, by=by)
    except ValidationError as error:
        raise StructureInvalid(_messages(error)) from error


def apply(changes: StructureChanges, by) -> None:
    """People first (see draft_publish), then roles, then flows."""
    _apply_holdings(changes.holdings)
    _apply_roles(changes.roles)
    _apply_flows(changes.flows, by)


def notified_people(changes: StructureChanges) -> tuple[set[int], set[int]]:
    """(role ids whose holders are told, people told in person: those who joined or left)."""
    role_ids = {change.role_id for change in changes.roles}
    role_ids |= {change.role_id for change in changes.holdings}
    return role_ids, {change.person_id for change in changes.holdings}
