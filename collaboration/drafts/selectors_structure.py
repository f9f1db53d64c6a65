"""Reads of a draft's roles, people and information flows: the changes as the draft's
page lists them, the departments they touch, and their conflicts with live."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from orgmap.models import Role, RoleHolder
from responsibilities.models import InformationFlow

from .models import Draft, DraftFlow, DraftHolding, DraftRole


def live_role_fields(role: Role) -> dict:
    return {"title": role.title, "department_id": role.department_id, "active": role.active}


def live_flow_fields(flow: InformationFlow) -> dict:
    return {
        "from_department_id": flow.from_department_id,
        "to_department_id": flow.to_department_id,
        "active": flow.active,
    }


def draft_roles(draft: Draft) -> list[DraftRole]:
    return list(
        draft.role_changes.select_related("role__department", "department").order_by(
            "role__title", "pk"
        )
    )


def draft_holdings(draft: Draft) -> list[DraftHolding]:
    return list(
        draft.holdings.select_related("role__department", "person__profile").order_by(
            "role__title", "action", "pk"
        )
    )


def draft_flows(draft: Draft) -> list[DraftFlow]:
    return list(
        draft.flow_changes.select_related(
            "flow__from_department", "flow__to_department", "from_department", "to_department"
        )
    )


def structure_department_ids(draft: Draft) -> set[int]:
    """The departments a draft's roles, people and flows touch: a role change its
    department before and after, a holding its role's department, a flow both ends.
    Three small queries."""
    departments: set[int] = set()
    for row in draft.role_changes.values("department_id", "base"):
        departments |= {row["department_id"], row["base"].get("department_id")}
    departments |= set(draft.holdings.values_list("role__department_id", flat=True))
    for row in draft.flow_changes.values("from_department_id", "to_department_id", "base"):
        departments |= {
            row["from_department_id"],
            row["to_department_id"],
            row["base"].get("from_department_id"),
            row["base"].get("to_department_id"),
        }
    departments.discard(None)
    return departments


# ------------------------------------------------------------------ conflicts


@dataclass(frozen=True)
class RoleConflict:
    change: DraftRole
    live: dict  # the role's fields now


@dataclass(frozen=True)
class HoldingConflict:
    change: DraftHolding
    held: bool  # whether the person holds the role live now


@dataclass(frozen=True)
class FlowConflict:
    change: DraftFlow
    live: dict  # the flow's ends and active flag now


@dataclass
class StructureConflicts:
    roles: list[RoleConflict] = field(default_factory=list)
    holdings: list[HoldingConflict] = field(default_factory=list)
    flows: list[FlowConflict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.roles or self.holdings or self.flows)


def role_conflicts(changes: list[DraftRole], live: dict[int, dict]) -> list[RoleConflict]:
    """Role changes whose live role changed, in a field the draft also changes, since
    the draft's change was made (a live change to the draft's value is no conflict)."""
    conflicts = []
    for change in changes:
        now = live.get(change.role_id)
        if now is None:
            continue
        if any(
            value != change.base.get(name)
            and now[name] != change.base.get(name)
            and now[name] != value
            for name, value in change.fields().items()
        ):
            conflicts.append(RoleConflict(change, now))
    return conflicts


def holding_conflicts(changes: list[DraftHolding], held: set[tuple[int, int]]):
    """Holdings whose person joined or left the role live since the draft's change."""
    return [
        HoldingConflict(change, (change.role_id, change.person_id) in held)
        for change in changes
        if ((change.role_id, change.person_id) in held) != change.base
    ]


def flow_conflicts(changes: list[DraftFlow], live: dict[int, dict]) -> list[FlowConflict]:
    """Removals of flows that live removed (or moved) meanwhile."""
    return [
        FlowConflict(change, live[change.flow_id])
        for change in changes
        if change.action == DraftFlow.Action.REMOVE
        and change.flow_id in live
        and live[change.flow_id] != change.base
    ]


def live_roles(changes: list[DraftRole], *, lock: bool = False) -> dict[int, dict]:
    if not changes:
        return {}
    rows = Role.objects.filter(pk__in={change.role_id for change in changes})
    if lock:
        rows = rows.select_for_update(no_key=True)
    return {role.pk: live_role_fields(role) for role in rows.only("title", "department", "active")}


def live_holdings(changes: list[DraftHolding], *, lock: bool = False) -> set[tuple[int, int]]:
    """{(role id, person id)} of the current live holdings under a draft's holdings."""
    if not changes:
        return set()
    wanted = Q()
    for change in changes:
        wanted |= Q(role_id=change.role_id, person_id=change.person_id)
    rows = RoleHolder.objects.current().filter(wanted)
    if lock:
        rows = rows.select_for_update()
    return set(rows.values_list("role_id", "person_id"))


def live_flows(changes: list[DraftFlow], *, lock: bool = False) -> dict[int, dict]:
    removed = {change.flow_id for change in changes if change.flow_id}
    if not removed:
        return {}
    rows = InformationFlow.objects.filter(pk__in=removed)
    if lock:
        rows = rows.select_for_update()
    return {
        flow.pk: live_flow_fields(flow)
        for flow in rows.only("from_department", "to_department", "active")
    }


@dataclass
class StructureChanges:
    roles: list[DraftRole]
    holdings: list[DraftHolding]
    flows: list[DraftFlow]

    @classmethod
    def read(cls, draft: Draft) -> StructureChanges:
        return cls(draft_roles(draft), draft_holdings(draft), draft_flows(draft))

    def __bool__(self) -> bool:
        return bool(self.roles or self.holdings or self.flows)


def structure_conflicts(changes: StructureChanges, *, lock: bool = False) -> StructureConflicts:
    """The conflicts of a draft's roles, holdings and flows with live (`lock`: the live
    rows compared are locked, for publishing)."""
    return StructureConflicts(
        roles=role_conflicts(changes.roles, live_roles(changes.roles, lock=lock)),
        holdings=holding_conflicts(changes.holdings, live_holdings(changes.holdings, lock=lock)),
        flows=flow_conflicts(changes.flows, live_flows(changes.flows, lock=lock)),
    )
