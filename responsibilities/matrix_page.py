"""One page of a live matrix, at the cost of its rows.

A page reads its 50 duties (with the total, in one query), their cells, the roles it
shows as columns, the stored findings of those rows and columns, and the summary (an
aggregate over stored findings): a constant number of indexed queries, whatever the
size of the department or the organisation. The matrix at an earlier date is rebuilt
from the history by matrix_history.matrix() instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from orgmap.models import Department, Project, Role, RoleHolder

from . import raci, selectors
from .findings_facts import role_ref
from .models import Assignment, Duty, Finding
from .sql import holding_now, in_scope, placeholders, table

_DUTY_VALUES = (
    "pk",
    "title",
    "department_id",
    "department__code",
    "project_id",
    "project__code",
    "active",
    "frequency",
)


@dataclass
class Column:
    role: raci.RoleRef
    own: bool  # the role belongs to the matrix's department / a project department
    findings: list[raci.Finding] = field(default_factory=list)
    # Set by a draft's overlay (collaboration/drafts) for a role new in the draft.
    variant_url: str = ""
    variant_note: str = ""


@dataclass
class Row:
    duty: dict
    assigned: dict[int, dict]  # role id -> {"letter", "version"}: the filled cells only
    findings: list[raci.Finding]

    def cells_for(self, columns: Iterable[Column]) -> list[dict | None]:
        return [self.assigned.get(column.role.id) for column in columns]


@dataclass
class MatrixPage:
    scope: selectors.Scope
    page: Page  # its object_list holds Row objects
    columns: list[Column]
    hidden_columns: int  # the matrix's own roles not shown on this page
    summary: dict[str, int]

    @property
    def rows(self) -> list[Row]:
        return list(self.page.object_list)

    @property
    def findings_total(self) -> int:
        return sum(self.summary.values())


@dataclass
class Variant:
    """A matrix page shown with something other than the live letters, e.g. in a draft
    (collaboration/drafts): where its cells are edited (`cell_prefix`, the cells' links:
    "<prefix><duty id>/<role id>/"), what changes its rows, columns and summary after
    they are read (`overlay`), which rows the user may edit, the banner above it and
    its findings page. The live page's reads, template and keyboard stay the same."""

    cell_prefix: str
    overlay: Callable[[MatrixPage], None]
    editable: Callable[[list[Row]], set[int]]
    banner: str  # a template included above the matrix
    findings_url: str
    extra_role_ids: set[int] = field(default_factory=set)
    context: dict = field(default_factory=dict)


class _CountedPaginator(Paginator):
    """A paginator whose count is already known (read with the page's rows)."""

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self.count = count  # replaces the cached_property


def _duties(scope: selectors.Scope, project_filter: Project | None, only_findings: bool):
    duties = scope.duties()
    if project_filter is not None:
        duties = duties.filter(project=project_filter)
    if only_findings:
        duties = duties.filter(Exists(Finding.objects.filter(duty=OuterRef("pk"))))
    return duties.order_by("title", "pk")


def _page_number(duties, requested: str | int | None, focus: int | None, per_page: int) -> int:
    if focus is not None:
        focused = duties.filter(pk=focus).values("title").first()
        if focused is not None:
            # The rows before it in (title, pk) order: one count.
            before = duties.filter(
                Q(title__lt=focused["title"]) | Q(title=focused["title"], pk__lt=focus)
            ).count()
            return before // per_page + 1
    try:
        number = int(requested or 1)
    except (TypeError, ValueError):
        return 1
    # Far past the end reads as past the end (the last page), without a huge OFFSET.
    return min(max(1, number), 10**6)


def matrix_page(
    scope: selectors.Scope,
    *,
    page_number: str | int | None = 1,
    per_page: int = 50,
    project_filter: Project | None = None,
    only_findings: bool = False,
    extra_role_ids: Iterable[int] = (),
    focus: int | None = None,
    own_limit: int = 30,
) -> MatrixPage:
    duties = _duties(scope, project_filter, only_findings)
    number = _page_number(duties, page_number, focus, per_page)
    filters = _duties_sql(scope, project_filter, only_findings)
    rows = _page_rows(filters, number, per_page)
    total = rows[0]["total"] if rows else None
    if not rows and number > 1:
        # Past the end (a stale link): the last page, as Paginator.get_page() does.
        total = duties.count()
        number = max(1, -(-total // per_page))
        rows = _page_rows(filters, number, per_page)
    paginator = _CountedPaginator(total or 0, per_page)
    duty_ids = [row["pk"] for row in rows]

    # The letters and versions; the columns' roles are read once, by _columns().
    cells = _cells(duty_ids)
    assigned: dict[int, dict[int, dict]] = defaultdict(dict)
    for cell in cells:
        assigned[cell["duty_id"]][cell["role_id"]] = {
            "letter": cell["letter"],
            "version": cell["version"],
        }

    columns, hidden = _columns(scope, cells, set(extra_role_ids), own_limit)
    by_role = {column.role.id: column for column in columns}
    by_duty = defaultdict(list)
    for finding in selectors.stored_findings(duty_ids=duty_ids, role_ids=list(by_role)):
        if finding.duty_id is not None:
            by_duty[finding.duty_id].append(finding)
        else:
            by_role[finding.roles[0].id].findings.append(finding)
    page_rows = []
    for row in rows:
        row.pop("total", None)
        page_rows.append(
            Row(duty=row, assigned=assigned.get(row["pk"], {}), findings=by_duty[row["pk"]])
        )
    return MatrixPage(
        scope=scope,
        page=Page(page_rows, number, paginator),
        columns=columns,
        hidden_columns=hidden,
        summary=selectors.stored_summary(scope),
    )


def _duties_sql(
    scope: selectors.Scope, project_filter: Project | None, only_findings: bool
) -> tuple[str, list]:
    """_duties() in SQL: the duty `du` is one of the page's (its scope, the project
    filter, only rows with findings)."""
    where, params = in_scope("du", scope)
    if project_filter is not None:
        where += " AND du.project_id = %s"
        params = [*params, project_filter.pk]
    if only_findings:
        where += f" AND EXISTS (SELECT 1 FROM {table(Finding)} f WHERE f.duty_id = du.id)"
    return where, params


def _page_rows(filters: tuple[str, list], number: int, per_page: int) -> list[dict]:
    """The page's duties in (title, id) order, each with _DUTY_VALUES and the total of
    the filtered duties: one statement. Plain SQL: the ORM's (values across two
    relations and the count as a subquery) cost 1.2–1.5 ms of Python to build, several
    times the database's work (docs/decisions.md); a test compares the two.

    The total rides along with the rows, as a subquery: no separate round trip. (A
    window count joined and counted every duty of the department before the page's 50
    were picked: 8.5 ms for PRODUCTION's 2,206, against 2 ms with the rows read in order
    from the (department, title, id) index and the count from its own.)"""
    where, params = filters
    duty, department, project = table(Duty), table(Department), table(Project)
    statement = f"""
        SELECT du.id, du.title, du.department_id, dd.code, du.project_id, pr.code,
               du.active, du.frequency,
               (SELECT COUNT(*) FROM {duty} du WHERE {where}) AS total
        FROM {duty} du
        JOIN {department} dd ON dd.id = du.department_id
        LEFT JOIN {project} pr ON pr.id = du.project_id
        WHERE {where}
        ORDER BY du.title, du.id
        LIMIT %s OFFSET %s
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *params, per_page, (number - 1) * per_page])
        rows = cursor.fetchall()
    names = (*_DUTY_VALUES, "total")
    result = [dict(zip(names, row, strict=True)) for row in rows]
    for row in result:
        row["active"] = bool(row["active"])  # SQLite answers 0 or 1
    return result


def _cells(duty_ids: list[int]) -> list[dict]:
    """The letters and versions of these duties' filled cells: one statement."""
    if not duty_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT duty_id, role_id, letter, version FROM {table(Assignment)} "
            f"WHERE duty_id IN ({placeholders(duty_ids)})",
            duty_ids,
        )
        return [
            {"duty_id": duty_id, "role_id": role_id, "letter": letter, "version": version}
            for duty_id, role_id, letter, version in cursor.fetchall()
        ]


def _column_roles(scope: selectors.Scope, asked: set[int]) -> list[dict]:
    """The matrix's own roles (a department's active roles, and its retired ones while
    something in the scope is still assigned to them; for a project, every role assigned
    on it) and the roles `asked` for, each with whether it is filled now and whether it
    is an own role: one query.

    Plain SQL: the ORM spent 2–3 ms building this query (its two nested subqueries
    resolved twice, once to filter and once to say which roles are own) around 0.8 ms
    of the database's work, on every matrix page."""
    scoped, scoped_params = in_scope("du", scope)
    if scope.department is not None:
        own = "(r.department_id = %s AND (r.active OR r.id IN (SELECT role_id FROM scoped)))"
        own_params = [scope.department.pk]
    else:
        own = "r.id IN (SELECT role_id FROM scoped)"
        own_params = []
    asked_ids = sorted(asked)
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH scoped AS (
                SELECT DISTINCT a.role_id FROM {table(Assignment)} a
                JOIN {table(Duty)} du ON du.id = a.duty_id WHERE {scoped}
            ),
            candidate AS (
                SELECT r.id, r.title, r.department_id, r.active, {own} AS own
                FROM {table(Role)} r
            )
            SELECT c.id, c.title, c.department_id, d.code, c.active,
                   EXISTS (SELECT 1 FROM {table(RoleHolder)} h
                           WHERE h.role_id = c.id AND {holding_now("h")}),
                   c.own
            FROM candidate c JOIN {table(Department)} d ON d.id = c.department_id
            WHERE c.own OR c.id IN ({placeholders(asked_ids) or "NULL"})
            """,
            [*scoped_params, *own_params, today, today, *asked_ids],
        )
        return [
            {
                "pk": pk,
                "title": title,
                "department_id": department_id,
                "department__code": code,
                "active": bool(active),
                "filled": bool(filled),
                "own": bool(own),
            }
            for pk, title, department_id, code, active, filled, own in cursor.fetchall()
        ]


def _columns(
    scope: selectors.Scope, cells: list[dict], extra_ids: set[int], own_limit: int
) -> tuple[list[Column], int]:
    """The page's columns (the roles used on its rows, the roles asked for, and the
    matrix's own roles while there are at most `own_limit` of them) and how many own
    roles are left out: one query over the matrix's own roles."""
    used = {cell["role_id"] for cell in cells}
    roles = _column_roles(scope, used | extra_ids)
    own_count = sum(1 for role in roles if role["own"])
    show_own = own_count <= own_limit
    columns = []
    for role in roles:
        if not (role["pk"] in used or role["pk"] in extra_ids or (role["own"] and show_own)):
            continue
        is_own = (
            role["department_id"] == scope.department.pk if scope.department is not None else True
        )
        columns.append(Column(role=role_ref(role), own=is_own))
    head_id = scope.department.head_id if scope.department is not None else None
    columns.sort(
        key=lambda c: (
            not c.own,
            c.role.id != head_id,
            c.role.department_code,
            c.role.title.casefold(),
        )
    )
    hidden = sum(
        1
        for role in roles
        if role["own"] and role["pk"] not in {column.role.id for column in columns}
    )
    return columns, hidden
