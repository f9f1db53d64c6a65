"""The matrix as it was at an earlier date: the letters rebuilt from the history, the
findings computed from them (stored findings are today's). A live page reads only its
rows instead (matrix_page.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from orgmap.models import Project, Role

from . import raci
from .findings_facts import facts, filled, findings_from, role_ref, role_ref_from_assignment
from .matrix_page import Column, Row
from .selectors import Scope


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


def _columns(scope: Scope, cells: list[dict], extra_ids: set[int]) -> dict[int, Column]:
    """The matrix's own roles (a retired one only while something is assigned to it; for
    a project, only the roles involved), the roles asked for, and every role assigned."""
    own_roles = Role.objects.none()
    if scope.department is not None:
        own_roles = Role.objects.filter(department=scope.department)
    elif scope.project is not None:
        own_roles = Role.objects.filter(department__in=scope.project.departments.all(), active=True)
    role_rows = (
        Role.objects.filter(Q(pk__in=own_roles.values("pk")) | Q(pk__in=extra_ids))
        .annotate(filled=filled())
        .values("pk", "title", "department_id", "department__code", "active", "filled")
    )
    assigned_ids = {cell["role_id"] for cell in cells}
    own_ids = set(own_roles.values_list("pk", flat=True)) if scope.department is not None else set()
    columns: dict[int, Column] = {}
    for row in role_rows:
        wanted = row["pk"] in assigned_ids or row["pk"] in extra_ids
        if scope.project is not None and not wanted:
            continue  # a project shows the roles involved, plus one being added
        if not row["active"] and not wanted:
            continue  # a retired role appears only while something is still assigned to it
        columns[row["pk"]] = Column(
            role=role_ref(row), own=scope.department is None or row["pk"] in own_ids
        )
    for cell in cells:
        if cell["role_id"] not in columns:
            columns[cell["role_id"]] = Column(
                role=role_ref_from_assignment(cell),
                own=scope.department is not None
                and cell["role__department_id"] == scope.department.pk,
            )
    return columns


def _ordered(scope: Scope, columns: Iterable[Column]) -> list[Column]:
    head_id = scope.department.head_id if scope.department is not None else None
    return sorted(
        columns,
        key=lambda c: (
            not c.own,
            c.role.id != head_id,
            c.role.department_code,
            c.role.title.casefold(),
        ),
    )


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
    columns = _ordered(scope, _columns(scope, facts_.assignments, set(extra_role_ids)).values())
    by_role = {column.role.id: column for column in columns}
    by_duty: dict[int, list[raci.Finding]] = defaultdict(list)
    for finding in all_findings:
        if finding.duty_id is not None:
            by_duty[finding.duty_id].append(finding)
            continue
        for role in finding.roles:
            if role.id in by_role:
                by_role[role.id].findings.append(finding)
    assigned: dict[int, dict[int, dict]] = defaultdict(dict)
    for cell in facts_.assignments:
        assigned[cell["duty_id"]][cell["role_id"]] = {
            "letter": cell["letter"],
            "version": cell["version"],
        }
    rows = [
        Row(duty=duty, assigned=assigned.get(duty["pk"], {}), findings=by_duty.get(duty["pk"], []))
        for duty in facts_.duties
        if (project_filter is None or duty["project_id"] == project_filter.pk)
        and (not only_findings or by_duty.get(duty["pk"]))
    ]
    return Matrix(
        scope=scope,
        columns=columns,
        rows=rows,
        findings=all_findings,
        summary=raci.summarise(all_findings),
    )
