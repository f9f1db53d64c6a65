"""Reads of the organisation, each in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from .models import Department, Role, RoleHolder


def department_parent_map() -> dict[int, int | None]:
    """{department id: parent id} for the whole organisation, in one query."""
    return dict(Department.objects.values_list("pk", "parent_id"))


def department_descendant_ids(root_ids: Iterable[int]) -> set[int]:
    """The given departments and every department below them."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in department_parent_map().items():
        children[parent_id].append(pk)
    found: set[int] = set()
    stack = list(root_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(children.get(pk, ()))
    return found


def department_ancestor_ids(department_id: int, parents: dict[int, int | None]) -> list[int]:
    """Ancestors from the direct parent up to the root; stops on a cycle."""
    chain: list[int] = []
    current = parents.get(department_id)
    while current is not None and current not in chain and current != department_id:
        chain.append(current)
        current = parents.get(current)
    return chain


@dataclass
class DepartmentNode:
    department: Department
    depth: int
    roles: int = 0
    people: int = 0
    vacancies: int = 0
    children: list[DepartmentNode] = field(default_factory=list)


def current_holder_exists() -> Exists:
    return Exists(RoleHolder.objects.current().filter(role=OuterRef("pk")))


def department_counts(department_ids: list[int] | None = None) -> dict[int, dict[str, int]]:
    """Active roles, people holding them and vacancies per department (of every
    department, or of those given): two queries."""
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"roles": 0, "people": 0, "vacancies": 0}
    )
    roles = Role.objects.filter(active=True)
    holdings = RoleHolder.objects.current().filter(role__active=True)
    if department_ids is not None:
        roles = roles.filter(department_id__in=department_ids)
        holdings = holdings.filter(role__department_id__in=department_ids)
    role_rows = (
        roles.annotate(filled=current_holder_exists())
        .values("department_id")
        .annotate(roles=Count("pk"), vacancies=Count("pk", filter=Q(filled=False)))
    )
    for row in role_rows:
        counts[row["department_id"]].update(roles=row["roles"], vacancies=row["vacancies"])
    people_rows = holdings.values("role__department_id").annotate(
        people=Count("person", distinct=True)
    )
    for row in people_rows:
        counts[row["role__department_id"]]["people"] = row["people"]
    return counts


def department_tree() -> list[DepartmentNode]:
    """The whole organisation as a list of root nodes, children sorted by name."""
    departments = list(Department.objects.select_related("head").order_by("name"))
    counts = department_counts()
    nodes = {
        d.pk: DepartmentNode(department=d, depth=0, **counts.get(d.pk, {})) for d in departments
    }
    roots: list[DepartmentNode] = []
    for department in departments:
        node = nodes[department.pk]
        parent = nodes.get(department.parent_id) if department.parent_id else None
        (parent.children if parent else roots).append(node)

    def set_depth(node: DepartmentNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def flatten_tree(roots: list[DepartmentNode]) -> list[DepartmentNode]:
    flat: list[DepartmentNode] = []

    def walk(node: DepartmentNode) -> None:
        flat.append(node)
        for child in node.children:
            walk(child)

    for root in roots:
        walk(root)
    return flat


def department_breadcrumbs(
    department: Department, parents: dict[int, int | None] | None = None
) -> list[Department]:
    """The ancestors of a department, root first, in two queries (one when the
    organisation's `parents` map, department_parent_map(), is given)."""
    if parents is None:
        parents = department_parent_map()
    ids = department_ancestor_ids(department.pk, parents)
    by_id = Department.objects.in_bulk(ids)
    return [by_id[pk] for pk in reversed(ids) if pk in by_id]


def department_roles(department: Department) -> list[Role]:
    return list(
        department.roles.select_related("reports_to")
        .with_current_holders()
        .order_by("-active", "title")
    )


def department_children(department: Department) -> list[DepartmentNode]:
    """The department's sub-departments with their counts (none: one query)."""
    children = list(department.children.order_by("name"))
    if not children:
        return []
    counts = department_counts([child.pk for child in children])
    return [
        DepartmentNode(department=child, depth=0, **counts.get(child.pk, {})) for child in children
    ]


def role_holders(role: Role) -> tuple[list[RoleHolder], list[RoleHolder]]:
    """(current holders, past holders) of a role, in one query."""
    holdings = list(role.holders.select_related("person__profile").order_by("-since"))
    current = [h for h in holdings if h.is_current]
    past = [h for h in holdings if not h.is_current]
    return current, past
