"""The facts of a scope computed from the matrix itself (not from stored findings):
what raci's rules judge, each read in a constant number of queries whatever the
organisation's size. findings_store computes the findings it stores from these, `findings
--rebuild` recomputes everything with them, and the matrix at an earlier date is judged
with them (matrix_history.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from orgmap.models import Department, Role, RoleHolder
from orgmap.selectors import department_ancestor_ids, department_parent_map

from . import raci
from .attestation.models import ConfirmationRequest
from .models import Assignment, AssignmentChange, Duty
from .selectors import Scope, flow_department_pairs


def filled(role_ref: str = "pk") -> Exists:
    return Exists(RoleHolder.objects.current().filter(role=OuterRef(role_ref)))


def unconfirmed(role_ref: str = "pk") -> Exists:
    """A current holder of the role has an open confirmation past its due date
    (UNCONFIRMED_ACCOUNTABILITY): read beside `filled`, in the same query."""
    holds = RoleHolder.objects.current().filter(
        role_id=OuterRef("role_id"), person_id=OuterRef("person_id")
    )
    return Exists(
        ConfirmationRequest.objects.filter(
            role=OuterRef(role_ref),
            status__in=ConfirmationRequest.OPEN,
            due_on__lt=timezone.localdate(),
        ).filter(Exists(holds))
    )


def overload_limit() -> int:
    return settings.RACI_OVERLOAD_LIMIT


@dataclass
class Facts:
    """Plain rows for one scope, straight from the database."""

    duties: list[dict]
    assignments: list[dict]
    head_roles: dict[int, raci.RoleRef]
    loads: list[raci.RoleLoad]
    duplicates: list[raci.DuplicateTitle]
    flow_pairs: frozenset[frozenset[int]]


def role_ref(
    row: dict,
    *,
    id_key: str = "pk",
    prefix: str = "",
    filled_key: str = "filled",
    unconfirmed_key: str = "unconfirmed",
) -> raci.RoleRef:
    """A RoleRef from a values() row; `prefix` is the path to the role ("role__").
    Rows without `unconfirmed_key` (head roles) are not judged on confirmations."""
    return raci.RoleRef(
        id=row[id_key],
        title=row[f"{prefix}title"],
        department_id=row[f"{prefix}department_id"],
        department_code=row[f"{prefix}department__code"],
        active=row[f"{prefix}active"],
        vacant=not row[filled_key],
        unconfirmed=bool(row.get(unconfirmed_key)),
    )


def role_ref_from_assignment(row: dict) -> raci.RoleRef:
    return role_ref(
        row,
        id_key="role_id",
        prefix="role__",
        filled_key="role_filled",
        unconfirmed_key="role_unconfirmed",
    )


def head_roles(department_ids: Iterable[int] | None = None) -> dict[int, raci.RoleRef]:
    """{department id: its head role}, for every department (or those given), in one query."""
    departments = Department.objects.filter(head__isnull=False)
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    rows = departments.annotate(head_filled=filled("head_id")).values(
        "pk",
        "head_id",
        "head__title",
        "head__department_id",
        "head__department__code",
        "head__active",
        "head_filled",
    )
    return {
        row["pk"]: role_ref(row, id_key="head_id", prefix="head__", filled_key="head_filled")
        for row in rows
    }


def with_loads(roles: QuerySet[Role]) -> QuerySet[Role]:
    """The roles with what the workload rules read: whether somebody holds them and their
    assignments on active duties (all letters; A, R or AR), counted in the database."""
    on_active_duty = Q(assignments__duty__active=True)
    return roles.annotate(
        filled=filled(),
        unconfirmed=unconfirmed(),
        assignment_count=Count("assignments", filter=on_active_duty),
        ar_count=Count(
            "assignments",
            filter=on_active_duty & Q(assignments__letter__in=[raci.A, raci.R, raci.AR]),
        ),
    )


def load_of(role: Role) -> raci.RoleLoad:
    """The load of a role read through with_loads() (and its department)."""
    return raci.RoleLoad(
        role=raci.RoleRef(
            id=role.pk,
            title=role.title,
            department_id=role.department_id,
            department_code=role.department.code if role.department_id else None,
            active=role.active,
            vacant=not role.filled,
            unconfirmed=role.unconfirmed,
        ),
        assignments=role.assignment_count,
        accountable_or_responsible=role.ar_count,
    )


def with_head(duties: QuerySet[Duty]) -> QuerySet[Duty]:
    """The duties with their department's head role, as head_of() reads it."""
    return duties.select_related("department__head__department").annotate(
        head_filled=filled("department__head_id")
    )


def head_of(duty: Duty) -> raci.RoleRef | None:
    """The head role of a duty's department, from a duty read through with_head()."""
    head = duty.department.head
    if head is None:
        return None
    return raci.RoleRef(
        id=head.pk,
        title=head.title,
        department_id=head.department_id,
        department_code=head.department.code if head.department_id else None,
        active=head.active,
        vacant=not duty.head_filled,
    )


def role_loads(roles: QuerySet[Role]) -> list[raci.RoleLoad]:
    """Each role's assignments on active duties, counted in the database."""
    rows = with_loads(roles).values(
        "pk",
        "title",
        "department_id",
        "department__code",
        "active",
        "filled",
        "unconfirmed",
        "assignment_count",
        "ar_count",
    )
    return [
        raci.RoleLoad(
            role=role_ref(row),
            assignments=row["assignment_count"],
            accountable_or_responsible=row["ar_count"],
        )
        for row in rows
    ]


def duplicate_titles(scope: Scope) -> list[raci.DuplicateTitle]:
    """Active non-project duties whose normalised title is owned by two or more
    departments, limited to titles that occur in the scope."""
    candidates = Duty.objects.filter(active=True, project__isnull=True)
    if scope.project is not None:
        return []
    shared_keys = (
        candidates.values("match_key")
        .annotate(departments=Count("department", distinct=True))
        .filter(departments__gte=2)
        .values("match_key")
    )
    rows = candidates.filter(match_key__in=shared_keys)
    if scope.department is not None:
        rows = rows.filter(
            match_key__in=candidates.filter(department=scope.department).values("match_key")
        )
    groups: dict[str, list[raci.DutyRef]] = defaultdict(list)
    for row in rows.values(
        "pk", "title", "department_id", "department__code", "match_key"
    ).order_by("pk"):
        groups[row["match_key"]].append(
            raci.DutyRef(
                id=row["pk"],
                title=row["title"],
                department_id=row["department_id"],
                department_code=row["department__code"],
            )
        )
    return [raci.DuplicateTitle(key=key, duties=tuple(duties)) for key, duties in groups.items()]


def connected_pairs() -> frozenset[frozenset[int]]:
    """Pairs of departments with an agreed channel for hand-offs: an information flow
    between them, or one inside the other (the reporting line carries the hand-off)."""
    parents = department_parent_map()
    line = {
        frozenset({pk, ancestor})
        for pk in parents
        for ancestor in department_ancestor_ids(pk, parents)
    }
    return frozenset(flow_department_pairs()) | frozenset(line)


ROLE_VALUES = (
    "role__title",
    "role__department_id",
    "role__department__code",
    "role__active",
    "role_filled",
)
# What the rules read of a cell's role: with_role_facts() annotates the last one.
RULE_ROLE_VALUES = (*ROLE_VALUES, "role_unconfirmed")


def with_role_facts(cells: QuerySet) -> QuerySet:
    """Cells annotated with what the rules read of their roles beyond the columns:
    vacancy and overdue confirmations."""
    return cells.annotate(role_filled=filled("role_id"), role_unconfirmed=unconfirmed("role_id"))


def _historical_assignments(scope: Scope, at: datetime.datetime) -> list[dict]:
    """The cells as they were at `at`, rebuilt from the history: for each (duty, role)
    the last change made by then, in one query."""
    changes = (
        with_role_facts(
            AssignmentChange.objects.filter(
                duty__in=scope.duties().values("pk"), changed_at__lte=at
            )
        )
        .order_by("changed_at", "pk")
        .values("duty_id", "role_id", "after", "version", *RULE_ROLE_VALUES)
    )
    latest: dict[tuple[int, int], dict] = {}
    for change in changes:
        latest[(change["duty_id"], change["role_id"])] = change
    return [{**change, "letter": change["after"]} for change in latest.values() if change["after"]]


def facts(scope: Scope, *, as_of: datetime.datetime | None = None) -> Facts:
    """The facts of a scope now, or (`as_of`) with the letters as they were then; the
    roles, their holders and the information flows are always today's."""
    duties = scope.duties()
    if as_of is not None:
        duties = duties.filter(created_at__lte=as_of)
    duties = list(
        duties.values(
            "pk",
            "title",
            "department_id",
            "department__code",
            "project_id",
            "project__code",
            "active",
            "frequency",
        ).order_by("title", "pk")
    )
    if as_of is not None:
        assignments = _historical_assignments(scope, as_of)
    else:
        assignments = list(
            with_role_facts(Assignment.objects.filter(duty__in=scope.duties().values("pk"))).values(
                "duty_id", "role_id", "letter", "version", *RULE_ROLE_VALUES
            )
        )
    if scope.project is not None:
        loads: list[raci.RoleLoad] = []
    elif scope.department is not None:
        loads = role_loads(Role.objects.filter(department=scope.department))
    else:
        loads = role_loads(Role.objects.all())
    return Facts(
        duties=duties,
        assignments=assignments,
        head_roles=head_roles(),
        loads=loads,
        duplicates=duplicate_titles(scope),
        flow_pairs=connected_pairs(),
    )


def duty_facts(facts: Facts) -> list[raci.DutyFacts]:
    by_duty: dict[int, list[dict]] = defaultdict(list)
    for row in facts.assignments:
        by_duty[row["duty_id"]].append(row)
    result = []
    for duty in facts.duties:
        rows = by_duty.get(duty["pk"], [])
        refs = [(role_ref_from_assignment(row), row["letter"]) for row in rows]
        result.append(
            raci.DutyFacts(
                id=duty["pk"],
                title=duty["title"],
                department_id=duty["department_id"],
                department_code=duty["department__code"],
                project_id=duty["project_id"],
                project_code=duty["project__code"],
                active=duty["active"],
                accountable=tuple(
                    ref for ref, letter in refs if letter in raci.ACCOUNTABLE_LETTERS
                ),
                responsible=tuple(
                    ref for ref, letter in refs if letter in raci.RESPONSIBLE_LETTERS
                ),
                inactive_assigned=tuple(ref for ref, _letter in refs if not ref.active),
                head_role=facts.head_roles.get(duty["department_id"]),
            )
        )
    return result


def findings_from(facts_: Facts) -> list[raci.Finding]:
    scope_duty_ids = {duty["pk"] for duty in facts_.duties}
    findings = raci.analyse(
        duty_facts(facts_),
        facts_.loads,
        facts_.duplicates,
        overload_limit=overload_limit(),
        flow_pairs=facts_.flow_pairs,
    )
    # Duplicate groups reach into other departments; keep what belongs to the scope.
    return [f for f in findings if f.duty_id is None or f.duty_id in scope_duty_ids]


def computed_findings(scope: Scope) -> list[raci.Finding]:
    """The findings of a scope computed from scratch (what `findings --rebuild`
    compares the stored findings with)."""
    return findings_from(facts(scope))
