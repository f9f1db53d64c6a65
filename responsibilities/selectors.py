"""Reads of duties and assignments: a whole matrix, and the facts the findings
engine needs, each in a constant number of queries whatever the organisation's size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, JSONField, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Coalesce
from django.utils import translation

from orgmap.models import Department, Project, Role, RoleHolder
from orgmap.selectors import department_ancestor_ids, department_parent_map

from . import raci
from .models import Assignment, AssignmentChange, Duty, Finding, InformationFlow


@dataclass(frozen=True)
class Scope:
    """What a matrix or a findings report covers: a department's duties, a project's
    duties, or (neither given) the whole organisation."""

    department: Department | None = None
    project: Project | None = None

    def duty_filter(self) -> Q:
        if self.project is not None:
            return Q(project=self.project)
        if self.department is not None:
            return Q(department=self.department)
        return Q()

    def duties(self) -> QuerySet[Duty]:
        return Duty.objects.filter(self.duty_filter())


def _filled(role_ref: str = "pk") -> Exists:
    return Exists(RoleHolder.objects.current().filter(role=OuterRef(role_ref)))


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


def _role_ref(
    row: dict, *, id_key: str = "pk", prefix: str = "", filled_key: str = "filled"
) -> raci.RoleRef:
    """A RoleRef from a values() row; `prefix` is the path to the role ("role__")."""
    return raci.RoleRef(
        id=row[id_key],
        title=row[f"{prefix}title"],
        department_id=row[f"{prefix}department_id"],
        department_code=row[f"{prefix}department__code"],
        active=row[f"{prefix}active"],
        vacant=not row[filled_key],
    )


def _role_ref_from_assignment(row: dict) -> raci.RoleRef:
    return _role_ref(row, id_key="role_id", prefix="role__", filled_key="role_filled")


def _head_roles(department_ids: Iterable[int] | None = None) -> dict[int, raci.RoleRef]:
    """{department id: its head role}, for every department (or those given), in one query."""
    departments = Department.objects.filter(head__isnull=False)
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    rows = departments.annotate(head_filled=_filled("head_id")).values(
        "pk",
        "head_id",
        "head__title",
        "head__department_id",
        "head__department__code",
        "head__active",
        "head_filled",
    )
    return {
        row["pk"]: _role_ref(row, id_key="head_id", prefix="head__", filled_key="head_filled")
        for row in rows
    }


def role_loads(roles: QuerySet[Role]) -> list[raci.RoleLoad]:
    """Each role's assignments on active duties, counted in the database."""
    on_active_duty = Q(assignments__duty__active=True)
    rows = roles.annotate(
        filled=_filled(),
        assignment_count=Count("assignments", filter=on_active_duty),
        ar_count=Count(
            "assignments",
            filter=on_active_duty & Q(assignments__letter__in=[raci.A, raci.R, raci.AR]),
        ),
    ).values(
        "pk",
        "title",
        "department_id",
        "department__code",
        "active",
        "filled",
        "assignment_count",
        "ar_count",
    )
    return [
        raci.RoleLoad(
            role=_role_ref(row),
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


def flow_department_pairs() -> set[frozenset[int]]:
    """Every pair of departments connected by an active flow, in either direction:
    one query. The findings engine's MISSING_HANDOFF rule checks a duty's R and A
    departments against these pairs."""
    rows = InformationFlow.objects.filter(active=True).values_list(
        "from_department_id", "to_department_id"
    )
    return {frozenset(pair) for pair in rows.distinct()}


def _connected_pairs() -> frozenset[frozenset[int]]:
    """Pairs of departments with an agreed channel for hand-offs: an information flow
    between them, or one inside the other (the reporting line carries the hand-off)."""
    parents = department_parent_map()
    line = {
        frozenset({pk, ancestor})
        for pk in parents
        for ancestor in department_ancestor_ids(pk, parents)
    }
    return frozenset(flow_department_pairs()) | frozenset(line)


_ROLE_VALUES = (
    "role__title",
    "role__department_id",
    "role__department__code",
    "role__active",
    "role_filled",
)


def _historical_assignments(scope: Scope, at: datetime.datetime) -> list[dict]:
    """The cells as they were at `at`, rebuilt from the history: for each (duty, role)
    the last change made by then, in one query."""
    changes = (
        AssignmentChange.objects.filter(duty__in=scope.duties().values("pk"), changed_at__lte=at)
        .annotate(role_filled=_filled("role_id"))
        .order_by("changed_at", "pk")
        .values("duty_id", "role_id", "after", "version", *_ROLE_VALUES)
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
            Assignment.objects.filter(duty__in=scope.duties().values("pk"))
            .annotate(role_filled=_filled("role_id"))
            .values("duty_id", "role_id", "letter", "version", *_ROLE_VALUES)
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
        head_roles=_head_roles(),
        loads=loads,
        duplicates=duplicate_titles(scope),
        flow_pairs=_connected_pairs(),
    )


def duty_facts(facts: Facts) -> list[raci.DutyFacts]:
    by_duty: dict[int, list[dict]] = defaultdict(list)
    for row in facts.assignments:
        by_duty[row["duty_id"]].append(row)
    result = []
    for duty in facts.duties:
        rows = by_duty.get(duty["pk"], [])
        refs = [(_role_ref_from_assignment(row), row["letter"]) for row in rows]
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


def _stored_filter(scope: Scope) -> Q:
    if scope.project is not None:
        return Q(project=scope.project)
    if scope.department is not None:
        # A duty finding is reported in its duty's department, a role finding in its
        # role's: exactly what a department's computed findings cover.
        return Q(department=scope.department)
    return Q()


_STORED_VALUES = (
    "rule",
    "severity",
    "department_id",
    "department_code",
    "project_id",
    "project_code",
    "duty_id",
    "duty_title",
    "roles",
    "fix",
)


def _stored_finding(row: dict) -> raci.Finding:
    message, suggestion = row["text"] or ["", ""]
    fix = row["fix"]
    return raci.Finding(
        rule=row["rule"],
        severity=row["severity"],
        department_id=row["department_id"],
        department_code=row["department_code"],
        project_id=row["project_id"],
        project_code=row["project_code"] or None,
        duty_id=row["duty_id"],
        duty_title=row["duty_title"] or None,
        roles=tuple(raci.RoleRef(*values) for values in row["roles"]),
        message=message,
        suggestion=suggestion,
        fix=raci.Fix(*fix) if fix else None,
    )


def _language() -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        return translation.get_supported_language_variant(language)
    except LookupError:
        return settings.LANGUAGE_CODE


def stored_findings(
    scope: Scope | None = None,
    *,
    duty_ids: Iterable[int] | None = None,
    role_ids: Iterable[int] | None = None,
) -> list[raci.Finding]:
    """Stored findings of a scope, or of some duties and roles (duty findings of
    `duty_ids`, role findings of `role_ids`), in raci's order, in the active language:
    one indexed query."""
    if scope is not None:
        condition = _stored_filter(scope)
    else:
        condition = Q(duty_id__in=list(duty_ids or ())) | Q(
            role_id__in=list(role_ids or ()), duty__isnull=True
        )
    # Only the active language's [message, suggestion] leaves the database.
    text = Coalesce(
        KeyTransform(_language(), "texts"),
        KeyTransform(settings.LANGUAGE_CODE, "texts"),
        output_field=JSONField(),
    )
    rows = Finding.objects.filter(condition).values(*_STORED_VALUES, text=text)
    return raci.sort_findings(_stored_finding(row) for row in rows)


def stored_summary(scope: Scope) -> dict[str, int]:
    """Count per rule code, in RULES order (as raci.summarise): one aggregate query."""
    counts = dict(
        Finding.objects.filter(_stored_filter(scope))
        .values_list("rule")
        .annotate(count=Count("pk"))
        .values_list("rule", "count")
        .order_by()
    )
    return {code: counts[code] for code in raci.RULES if counts.get(code)}


def findings(scope: Scope) -> list[raci.Finding]:
    """The findings of a scope, as stored (findings_store keeps them current)."""
    return stored_findings(scope)


# ---------------------------------------------------------------- the matrix page


@dataclass
class Column:
    role: raci.RoleRef
    own: bool  # the role belongs to the matrix's department / a project department
    findings: list[raci.Finding] = field(default_factory=list)


@dataclass
class Row:
    duty: dict
    assigned: dict[int, dict]  # role id -> {"letter", "version"}: the filled cells only
    findings: list[raci.Finding]

    def cells_for(self, columns: Iterable[Column]) -> list[dict | None]:
        return [self.assigned.get(column.role.id) for column in columns]


@dataclass
class Matrix:
    scope: Scope
    columns: list[Column]
    rows: list[Row]  # every row that passes the filters; the view pages them
    findings: list[raci.Finding]
    summary: dict[str, int]

    @property
    def findings_total(self) -> int:
        return len(self.findings)


def page_columns(
    matrix: Matrix, rows: Iterable[Row], *, extra_role_ids: Iterable[int] = (), own_limit: int = 30
) -> list[Column]:
    """The columns one page of rows shows: the roles assigned on those rows, the roles
    asked for, and the matrix's own roles while there are few of them. A department of
    hundreds of roles would otherwise render rows of hundreds of empty cells."""
    used = {role_id for row in rows for role_id in row.assigned}
    wanted = set(extra_role_ids)
    own = [column for column in matrix.columns if column.own]
    show_own = len(own) <= own_limit
    return [
        column
        for column in matrix.columns
        if column.role.id in used or column.role.id in wanted or (column.own and show_own)
    ]


def matrix(
    scope: Scope,
    *,
    project_filter: Project | None = None,
    only_findings: bool = False,
    extra_role_ids: Iterable[int] = (),
    as_of: datetime.datetime | None = None,
) -> Matrix:
    """The duties of a scope × the roles involved, with every finding: a constant
    number of queries however many duties and roles there are."""
    facts_ = facts(scope, as_of=as_of)
    all_findings = findings_from(facts_)

    own_roles = Role.objects.none()
    if scope.department is not None:
        own_roles = Role.objects.filter(department=scope.department)
    elif scope.project is not None:
        own_roles = Role.objects.filter(department__in=scope.project.departments.all(), active=True)
    extra_ids = set(extra_role_ids)
    role_rows = (
        Role.objects.filter(Q(pk__in=own_roles.values("pk")) | Q(pk__in=extra_ids))
        .annotate(filled=_filled())
        .values("pk", "title", "department_id", "department__code", "active", "filled")
    )
    assigned_role_ids = {row["role_id"] for row in facts_.assignments}
    columns: dict[int, Column] = {}
    own_ids = set(own_roles.values_list("pk", flat=True)) if scope.department is not None else set()
    for row in role_rows:
        if (
            scope.project is not None
            and row["pk"] not in assigned_role_ids
            and row["pk"] not in extra_ids
        ):
            continue  # a project shows the roles involved, plus one being added
        if not row["active"] and row["pk"] not in assigned_role_ids and row["pk"] not in extra_ids:
            continue  # a retired role appears only while something is still assigned to it
        columns[row["pk"]] = Column(
            role=_role_ref(row),
            own=scope.department is None or row["pk"] in own_ids,
        )
    for row in facts_.assignments:
        if row["role_id"] not in columns:
            columns[row["role_id"]] = Column(
                role=_role_ref_from_assignment(row),
                own=scope.department is not None
                and row["role__department_id"] == scope.department.pk,
            )
    head_id = scope.department.head_id if scope.department is not None else None
    ordered = sorted(
        columns.values(),
        key=lambda c: (
            not c.own,
            c.role.id != head_id,
            c.role.department_code,
            c.role.title.casefold(),
        ),
    )
    by_role = {column.role.id: column for column in ordered}
    by_duty: dict[int, list[raci.Finding]] = defaultdict(list)
    for finding in all_findings:
        if finding.duty_id is not None:
            by_duty[finding.duty_id].append(finding)
        else:
            for role in finding.roles:
                if role.id in by_role:
                    by_role[role.id].findings.append(finding)

    assigned: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in facts_.assignments:
        assigned[row["duty_id"]][row["role_id"]] = {
            "letter": row["letter"],
            "version": row["version"],
        }
    rows = []
    for duty in facts_.duties:
        if project_filter is not None and duty["project_id"] != project_filter.pk:
            continue
        if only_findings and not by_duty.get(duty["pk"]):
            continue
        rows.append(
            Row(
                duty=duty,
                assigned=assigned.get(duty["pk"], {}),
                findings=by_duty.get(duty["pk"], []),
            )
        )
    return Matrix(
        scope=scope,
        columns=ordered,
        rows=rows,
        findings=all_findings,
        summary=raci.summarise(all_findings),
    )
