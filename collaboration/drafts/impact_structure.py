"""What a draft's roles, people and information flows change in the facts raci's rules
judge (impact.py lays it over the rest of the draft):

- a role renamed, moved or retired: its cells' role facts (INACTIVE_ROLE_ASSIGNED,
  CROSS_DEPARTMENT_DUPLICATE and MISSING_HANDOFF across departments, …) and its load's
  (ROLE_WITHOUT_DUTIES, ROLE_OVERLOADED): the duties it has cells on are judged again;
- people joining and leaving: whether a role is filled (VACANT_ACCOUNTABLE,
  VACANT_RESPONSIBLE, the head role's suggestions): the duties where it is A or R;
- flows added or removed: the connected department pairs (MISSING_HANDOFF): the
  duties accountable in one department of a pair whose connection changes and done in
  the other, found with one query on the assignments.

At most seven queries, whatever the organisation's or the draft's size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db.models import Q

from orgmap.models import RoleHolder
from orgmap.selectors import department_ancestor_ids, department_parent_map
from responsibilities import raci
from responsibilities.models import Assignment, Duty, InformationFlow

from .models import Draft, DraftFlow, DraftHolding

Pairs = frozenset[frozenset[int]]


@dataclass
class Structure:
    roles: dict[int, dict]  # role id: its cells' role facts as the draft has them
    filled: dict[int, bool]  # role id: whether somebody holds it in the draft
    pairs: Pairs | None  # the connected department pairs in the draft (None: live's)
    duty_ids: set[int]  # the duties whose facts these changes touch

    def ref(self, ref: raci.RoleRef) -> raci.RoleRef:
        """A role as the draft has it."""
        change = self.roles.get(ref.id)
        if change is not None:
            ref = replace(
                ref,
                title=change["role__title"],
                department_id=change["role__department_id"],
                department_code=change["role__department__code"],
                active=change["role__active"],
            )
        if ref.id in self.filled:
            ref = replace(ref, vacant=not self.filled[ref.id])
        return ref

    def cells(self, cells: list[dict]) -> list[dict]:
        """Cells (findings_compute.cells rows) with their roles as the draft has them."""
        result = []
        for cell in cells:
            role_id = cell["role_id"]
            if role_id in self.roles or role_id in self.filled:
                cell = {**cell, **self.roles.get(role_id, {})}
                if role_id in self.filled:
                    cell["role_filled"] = self.filled[role_id]
            result.append(cell)
        return result

    def loads(self, loads: list[raci.RoleLoad]) -> list[raci.RoleLoad]:
        return [replace(load, role=self.ref(load.role)) for load in loads]

    def pairs_reader(self) -> Callable[[], Pairs] | None:
        """What findings_compute.evaluate() reads the connected pairs with."""
        if self.pairs is None:
            return None
        pairs = self.pairs
        return lambda: pairs


def _roles(draft: Draft) -> dict[int, dict]:
    return {
        change.role_id: {
            "role__title": change.title,
            "role__department_id": change.department_id,
            "role__department__code": change.department.code,
            "role__active": change.active,
        }
        for change in draft.role_changes.select_related("department")
    }


def _filled(holdings: list[dict]) -> dict[int, bool]:
    """{role id: filled in the draft} for the roles whose people the draft changes:
    the live holders (one query), less those leaving, plus those joining."""
    if not holdings:
        return {}
    people: dict[int, set[int]] = defaultdict(set)
    live = RoleHolder.objects.current().filter(role_id__in={h["role_id"] for h in holdings})
    for role_id, person_id in live.values_list("role_id", "person_id"):
        people[role_id].add(person_id)
    for holding in holdings:
        if holding["action"] == DraftHolding.Action.JOIN:
            people[holding["role_id"]].add(holding["person_id"])
        else:
            people[holding["role_id"]].discard(holding["person_id"])
    return {holding["role_id"]: bool(people[holding["role_id"]]) for holding in holdings}


def _line_pairs() -> set[frozenset[int]]:
    """A department and the departments above it (the reporting line carries the
    hand-off, as findings_facts.connected_pairs counts it)."""
    parents = department_parent_map()
    return {
        frozenset({pk, ancestor})
        for pk in parents
        for ancestor in department_ancestor_ids(pk, parents)
    }


def _pairs(flows: list[dict]) -> tuple[Pairs, set[frozenset[int]]]:
    """(the connected pairs as the draft has them, the pairs whose connection it
    changes). Two queries, as live reads them."""
    removed = {flow["flow_id"] for flow in flows if flow["action"] == DraftFlow.Action.REMOVE}
    removed_ends = {
        frozenset((flow["base"]["from_department_id"], flow["base"]["to_department_id"]))
        for flow in flows
        if flow["action"] == DraftFlow.Action.REMOVE
    }
    added = {
        frozenset((flow["from_department_id"], flow["to_department_id"]))
        for flow in flows
        if flow["action"] == DraftFlow.Action.ADD
    }
    kept = InformationFlow.objects.filter(active=True).exclude(pk__in=removed)
    ends = kept.values_list("from_department_id", "to_department_id").order_by().distinct()
    others = {frozenset(pair) for pair in ends}
    others |= _line_pairs()
    changed = {pair for pair in removed_ends - added if pair not in others}
    changed |= {pair for pair in added - removed_ends if pair not in others}
    return frozenset(others | added), changed


def _led(department_id: int, letters) -> Q:
    return Q(
        pk__in=Assignment.objects.filter(
            letter__in=letters, role__department_id=department_id, role__active=True
        ).values("duty_id")
    )


def _handoff_duties(changed: set[frozenset[int]]) -> set[int]:
    """The active duties accountable in one department of a changed pair and done in
    the other (one query over the assignments' indexes)."""
    if not changed:
        return set()
    wanted = Q()
    for pair in changed:
        one, other = tuple(pair)
        accountable, responsible = raci.ACCOUNTABLE_LETTERS, raci.RESPONSIBLE_LETTERS
        wanted |= _led(one, accountable) & _led(other, responsible)
        wanted |= _led(other, accountable) & _led(one, responsible)
    return set(Duty.objects.filter(wanted, active=True).values_list("pk", flat=True))


def _role_duties(role_ids: set[int], filled_ids: set[int]) -> set[int]:
    """The duties a changed role has cells on, and those where a role whose vacancy
    changes is A or R (one query)."""
    if not role_ids and not filled_ids:
        return set()
    owners = [*raci.ACCOUNTABLE_LETTERS, *raci.RESPONSIBLE_LETTERS]
    cells = Assignment.objects.filter(
        Q(role_id__in=role_ids) | Q(role_id__in=filled_ids, letter__in=owners)
    )
    return set(cells.values_list("duty_id", flat=True).distinct())


def read(draft: Draft) -> Structure:
    roles = _roles(draft)
    filled = _filled(list(draft.holdings.values("role_id", "person_id", "action")))
    flows = list(
        draft.flow_changes.values(
            "action", "flow_id", "from_department_id", "to_department_id", "base"
        )
    )
    pairs, changed = _pairs(flows) if flows else (None, set())
    duty_ids = _role_duties(set(roles), set(filled)) | _handoff_duties(changed)
    return Structure(roles=roles, filled=filled, pairs=pairs, duty_ids=duty_ids)
