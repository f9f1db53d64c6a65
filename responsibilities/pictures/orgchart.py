"""The org chart: the department tree, each department's roles and their holders, and
the findings of each as badges (gap, overlap, overload) that link to what fixes them.

Departments start collapsed; a department's roles are read only when it is open (the
page opens the path to a search match; htmx opens one department at a time). Every read
is a constant number of queries: 22 departments with 923 roles cost what 3 with 10 do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.urls import reverse

from orgmap.models import Department, Role
from orgmap.selectors import current_holder_exists

from .. import raci
from ..models import Finding

GAP = "gap"
OVERLAP = "overlap"
OVERLOAD = "overload"
# Which finding rules each badge counts; the other rules (an inactive role still
# assigned, a role without duties) are on the findings page, not on the chart.
BADGE_RULES: dict[str, tuple[str, ...]] = {
    GAP: (
        raci.NO_ACCOUNTABLE,
        raci.NO_RESPONSIBLE,
        raci.VACANT_ACCOUNTABLE,
        raci.VACANT_RESPONSIBLE,
        raci.MISSING_HANDOFF,
    ),
    OVERLAP: (raci.MULTIPLE_ACCOUNTABLE, raci.CROSS_DEPARTMENT_DUPLICATE, raci.DUPLICATE_DUTY),
    OVERLOAD: (raci.ROLE_OVERLOADED,),
}
KIND_OF_RULE = {rule: kind for kind, rules in BADGE_RULES.items() for rule in rules}
RULE_ORDER = {rule: index for index, rule in enumerate(raci.RULES)}
BADGE_KINDS = tuple(BADGE_RULES)


@dataclass
class Badge:
    kind: str
    count: int
    url: str


@dataclass
class RoleCard:
    pk: int
    title: str
    active: bool
    holders: list[str]
    is_head: bool
    badges: list[Badge] = field(default_factory=list)
    matched: bool = False

    @property
    def vacant(self) -> bool:
        return self.active and not self.holders


@dataclass
class DepartmentCard:
    pk: int
    code: str
    name: str
    parent_id: int | None
    head_id: int | None = None
    depth: int = 0
    role_count: int = 0
    vacant_count: int = 0
    badges: list[Badge] = field(default_factory=list)
    children: list[DepartmentCard] = field(default_factory=list)
    roles: list[RoleCard] | None = None  # read only when the department is open
    open: bool = False
    matched: bool = False

    @property
    def dom_id(self) -> str:
        return f"dept-{self.pk}"


@dataclass
class Chart:
    roots: list[DepartmentCard]
    by_pk: dict[int, DepartmentCard]
    query: str = ""
    matches: int = 0
    focus_id: str = ""  # the DOM id of the first match

    def walk(self):
        stack = list(reversed(self.roots))
        while stack:
            card = stack.pop()
            yield card
            stack.extend(reversed(card.children))


def _matrix_url(department_code: str, project_code: str) -> str:
    if project_code:
        return reverse("project-matrix", args=[project_code])
    return reverse("department-matrix", args=[department_code])


def finding_url(row: dict) -> str:
    """Where a finding is fixed: the matrix filtered to the rows with findings, at the
    cell that fixes it (or its row); a role finding's role page."""
    if row["duty_id"] is None:
        role_id = row["role_id"] or (row["roles"][0][0] if row["roles"] else None)
        return reverse("role-detail", args=[role_id]) if role_id else reverse("findings")
    base = _matrix_url(row["department_code"], row["project_code"])
    fix = row["fix"]
    if fix and fix[1]:
        duty_id, role_id = fix[0], fix[1]
        return f"{base}?findings=1&focus={duty_id}&add_role={role_id}#cell-{duty_id}-{role_id}"
    return f"{base}?findings=1&focus={row['duty_id']}#duty-{row['duty_id']}"


_FINDING_VALUES = (
    "pk",
    "rule",
    "department_code",
    "project_code",
    "duty_id",
    "role_id",
    "roles",
    "fix",
)


def _department_badges(by_pk: dict[int, DepartmentCard]) -> None:
    """Badge counts of every department (one GROUP BY) and the finding each badge
    links to, the first of its kind that one cell fixes (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Finding.objects.filter(rule__in=list(KIND_OF_RULE))
        .values("department_id", "rule")
        .annotate(
            count=Count("pk"),
            first=Min("pk"),
            first_fixable=Min("pk", filter=Q(fix__isnull=False)),
        )
        .order_by()
    )
    # A badge leads to a finding of its most severe rule (raci's order) that one cell
    # fixes, else to the first finding of its most severe rule.
    ranked: dict[tuple[int, str], tuple] = {}
    for row in rows:
        kind = KIND_OF_RULE[row["rule"]]
        counts[row["department_id"]][kind] += row["count"]
        key = (row["department_id"], kind)
        fixable = row["first_fixable"] is not None
        rank = (not fixable, RULE_ORDER[row["rule"]], row["first_fixable"] or row["first"])
        ranked[key] = min(ranked.get(key, rank), rank)
    first = {key: rank[2] for key, rank in ranked.items()}
    targets = {
        row["pk"]: finding_url(row)
        for row in Finding.objects.filter(pk__in=first.values()).values(*_FINDING_VALUES)
    }
    for (department_id, kind), pk in first.items():
        card = by_pk.get(department_id)
        if card is not None:
            card.badges.append(Badge(kind, counts[department_id][kind], targets[pk]))
    for card in by_pk.values():
        card.badges.sort(key=lambda badge: BADGE_KINDS.index(badge.kind))


def _open_roles(chart: Chart, open_ids: set[int], role_matches: set[int]) -> None:
    """Roles and current holders of the open departments (two queries), and their
    badges from the findings that name them (one query)."""
    roles_by_department: dict[int, list[RoleCard]] = defaultdict(list)
    role_cards: dict[int, RoleCard] = {}
    heads = {card.pk: card.head_id for card in chart.by_pk.values()}
    roles = (
        Role.objects.filter(department_id__in=open_ids)
        .with_current_holders()
        .order_by("-active", "title")
    )
    for role in roles:
        card = RoleCard(
            pk=role.pk,
            title=role.title,
            active=role.active,
            holders=[holding.person.profile.name for holding in role.current_holders],
            is_head=heads.get(role.department_id) == role.pk,
            matched=role.pk in role_matches,
        )
        role_cards[role.pk] = card
        roles_by_department[role.department_id].append(card)
    counts: dict[tuple[int, str], list[dict]] = defaultdict(list)
    rows = (
        Finding.objects.filter(
            Q(department_id__in=open_ids) | Q(role_id__in=list(role_cards)),
            rule__in=list(KIND_OF_RULE),
        )
        .values(*_FINDING_VALUES)
        .order_by("pk")
    )
    for row in rows:
        named = {role[0] for role in row["roles"]}
        if row["role_id"]:
            named.add(row["role_id"])
        for role_id in named & role_cards.keys():
            counts[(role_id, KIND_OF_RULE[row["rule"]])].append(row)
    for (role_id, kind), found in counts.items():
        target = min(found, key=lambda row: (not row["fix"], RULE_ORDER[row["rule"]], row["pk"]))
        role_cards[role_id].badges.append(Badge(kind, len(found), finding_url(target)))
    for card in role_cards.values():
        card.badges.sort(key=lambda badge: BADGE_KINDS.index(badge.kind))
    for department_id in open_ids:
        # Head first, then the other roles by title (active before inactive).
        roles_of = roles_by_department.get(department_id, [])
        chart.by_pk[department_id].roles = sorted(roles_of, key=lambda r: not r.is_head)


def _department_cards() -> tuple[dict[int, DepartmentCard], list[DepartmentCard]]:
    """Every department as a card (depth, role and vacancy counts, badges), by id, and
    the roots of the tree."""
    by_pk: dict[int, DepartmentCard] = {
        row["pk"]: DepartmentCard(
            pk=row["pk"],
            code=row["code"],
            name=row["name"],
            parent_id=row["parent_id"],
            head_id=row["head_id"],
        )
        for row in Department.objects.order_by("name").values(
            "pk", "code", "name", "parent_id", "head_id"
        )
    }
    roots = []
    for card in by_pk.values():
        parent = by_pk.get(card.parent_id)
        (parent.children if parent else roots).append(card)
    stack = [(card, 0) for card in roots]
    while stack:
        card, depth = stack.pop()
        card.depth = depth
        stack.extend((child, depth + 1) for child in card.children)
    rows = (
        Role.objects.filter(active=True)
        .values("department_id")
        .annotate(
            roles=Count("pk"),
            vacant=Count("pk", filter=~Q(current_holder_exists())),
        )
        .order_by()
    )
    for row in rows:
        if card := by_pk.get(row["department_id"]):
            card.role_count, card.vacant_count = row["roles"], row["vacant"]
    _department_badges(by_pk)
    return by_pk, roots


def _search(chart: Chart) -> tuple[list[DepartmentCard], dict[int, int]]:
    """The departments (by name or code) and roles (by title, role id -> department id)
    that match the chart's query, the departments marked."""
    if not chart.query:
        return [], {}
    needle = chart.query.casefold()
    departments = [
        card
        for card in sorted(chart.by_pk.values(), key=lambda c: c.name)
        if needle in card.name.casefold() or needle == card.code.casefold()
    ]
    roles = dict(
        Role.objects.filter(title__icontains=chart.query)
        .order_by("title")
        .values_list("pk", "department_id")[:50]
    )
    for card in departments:
        card.matched = True
    chart.matches = len(departments) + len(roles)
    return departments, roles


def _with_ancestors(by_pk: dict[int, DepartmentCard], open_ids: set[int]) -> set[int]:
    """The departments to open so that each of `open_ids` is visible: the path from the
    root down to it."""
    result = set(open_ids)
    for department_id in open_ids:
        parent_id = by_pk[department_id].parent_id if department_id in by_pk else None
        while parent_id is not None and parent_id in by_pk:
            result.add(parent_id)
            parent_id = by_pk[parent_id].parent_id
    return result & by_pk.keys()


def org_chart(*, open_codes: list[str] = (), query: str = "", open_all: bool = False) -> Chart:
    """The chart with the departments in `open_codes` open (and the path to each), and
    the path to whatever matches `query` (a department's name or code, a role's title)
    open with the first match marked for focus."""
    by_pk, roots = _department_cards()
    chart = Chart(roots=roots, by_pk=by_pk, query=query.strip())
    wanted = {code.upper() for code in open_codes if code}
    open_ids = {card.pk for card in by_pk.values() if card.code.upper() in wanted}
    department_matches, role_matches = _search(chart)
    open_ids |= {card.parent_id for card in department_matches if card.parent_id}
    open_ids |= set(role_matches.values())
    open_ids = set(by_pk) if open_all else _with_ancestors(by_pk, open_ids)
    for department_id in open_ids:
        by_pk[department_id].open = True
    if open_ids:
        _open_roles(chart, open_ids, set(role_matches))
    if department_matches:
        chart.focus_id = f"card-{department_matches[0].dom_id}"
    elif role_matches:
        chart.focus_id = f"role-{next(iter(role_matches))}"
    return chart
