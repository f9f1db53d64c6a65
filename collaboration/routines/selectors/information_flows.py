"""Reads of information flows between departments: lists, interfaces, the flow map's edges."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from orgmap.models import Department
from responsibilities.models import InformationFlow

# ------------------------------------------------------------------ information flows


def flow_queryset() -> QuerySet[InformationFlow]:
    return InformationFlow.objects.select_related(
        "from_department", "to_department", "from_role", "to_role", "duty"
    )


def flows(
    *, department: Department | None = None, include_inactive: bool = False
) -> QuerySet[InformationFlow]:
    queryset = flow_queryset()
    if department is not None:
        queryset = queryset.filter(Q(from_department=department) | Q(to_department=department))
    if not include_inactive:
        queryset = queryset.filter(active=True)
    return queryset


@dataclass
class Interfaces:
    gives: list[InformationFlow]
    receives: list[InformationFlow]


def department_interfaces(department: Department, *, include_inactive: bool = False) -> Interfaces:
    """What a department hands to others and what it gets from them: one query."""
    gives: list[InformationFlow] = []
    receives: list[InformationFlow] = []
    for flow in flows(department=department, include_inactive=include_inactive):
        (gives if flow.from_department_id == department.pk else receives).append(flow)
    gives.sort(key=lambda f: (f.to_department.name, f.information))
    receives.sort(key=lambda f: (f.from_department.name, f.information))
    return Interfaces(gives=gives, receives=receives)


@dataclass
class FlowEdge:
    """All active flows from one department to another, drawn as one arrow."""

    source: Department
    target: Department
    flows: list[InformationFlow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.flows)


def flow_edges() -> tuple[list[Department], list[FlowEdge]]:
    """The departments that take part in an active flow and the flows grouped by
    direction: one query."""
    edges: dict[tuple[int, int], FlowEdge] = {}
    departments: dict[int, Department] = {}
    for flow in flows().order_by("information", "pk"):
        departments[flow.from_department_id] = flow.from_department
        departments[flow.to_department_id] = flow.to_department
        key = (flow.from_department_id, flow.to_department_id)
        if key not in edges:
            edges[key] = FlowEdge(source=flow.from_department, target=flow.to_department)
        edges[key].flows.append(flow)
    ordered = sorted(departments.values(), key=lambda d: (d.name.casefold(), d.pk))
    return ordered, sorted(edges.values(), key=lambda e: (e.source.name, e.target.name))
