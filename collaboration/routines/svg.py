"""The picture of information flows: departments on a circle, one curved arrow per
direction between two departments, its width and badge showing how many flows it
carries. Only geometry is computed here; templates/routines/flow_map.html writes the
SVG markup (autoescaped), so no user text is ever assembled into markup by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

from orgmap.models import Department

from .selectors import FlowEdge

WIDTH = 1000
HEIGHT = 780
NODE_RADIUS = 34
CURVE = 0.16  # how far an arrow bends, as a share of its length
LABEL_LIMIT = 14  # beyond this many arrows, only counts are drawn (labels would collide)


@dataclass(frozen=True)
class Point:
    x: float
    y: float

    def __add__(self, other: Point) -> Point:
        return Point(self.x + other.x, self.y + other.y)

    def __sub__(self, other: Point) -> Point:
        return Point(self.x - other.x, self.y - other.y)

    def scale(self, factor: float) -> Point:
        return Point(self.x * factor, self.y * factor)

    def length(self) -> float:
        return math.hypot(self.x, self.y)

    def unit(self) -> Point:
        length = self.length() or 1.0
        return Point(self.x / length, self.y / length)


@dataclass(frozen=True)
class Node:
    department: Department
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str  # text-anchor of the name outside the circle


@dataclass(frozen=True)
class Arrow:
    edge: FlowEdge
    path: str  # SVG path data of a quadratic curve
    badge_x: float
    badge_y: float
    width: float
    label: str  # the first information, shortened; empty when too crowded
    label_path: str  # the curve again, drawn left to right so the label is never upside down
    label_offset: str  # where along label_path the label is centred, beside the badge


@dataclass(frozen=True)
class FlowMap:
    width: int
    height: int
    nodes: list[Node]
    arrows: list[Arrow]


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _at(start: Point, control: Point, end: Point, t: float) -> Point:
    """The point at parameter t of a quadratic Bézier curve."""
    return start.scale((1 - t) ** 2) + control.scale(2 * (1 - t) * t) + end.scale(t * t)


BADGE_SPOTS = (0.5, 0.4, 0.6, 0.32, 0.68)


def _free_spot(start: Point, control: Point, end: Point, taken: list[Point]) -> float:
    for t in BADGE_SPOTS:
        spot = _at(start, control, end, t)
        if all((spot - other).length() > 26 for other in taken):
            return t
    return 0.5


LABEL_CHAR_WIDTH = 6.5  # px of an 11 px label, per character (CJK characters count double)
LABEL_CLEARANCE = 13.0  # px between two labels, or a label and a badge


def _label_width(label: str) -> float:
    return sum(2 if ord(char) > 0x2E80 else 1 for char in label) * LABEL_CHAR_WIDTH


def _label_points(
    start: Point, control: Point, end: Point, share: float, label: str
) -> list[Point]:
    """Points along the stretch of the curve a label centred at `share` covers, lifted to
    where the label is drawn (beside the curve), to test it against other labels."""
    if not label:
        return []
    length = sum(
        (_at(start, control, end, (i + 1) / 20) - _at(start, control, end, i / 20)).length()
        for i in range(20)
    )
    half = _label_width(label) / 2 / (length or 1.0)
    # The label sits on the side the left-to-right drawing puts it: above the curve.
    left, right = (start, end) if start.x <= end.x else (end, start)
    normal = Point(right.y - left.y, -(right.x - left.x)).unit()
    if normal.y > 0:
        normal = normal.scale(-1)
    points = []
    for step in range(9):
        t = min(max(share - half + 2 * half * step / 8, 0.0), 1.0)
        points.append(_at(start, control, end, t) + normal.scale(10))
    return points


def _collides(points: list[Point], others: list[Point], clearance: float) -> bool:
    return any((point - other).length() < clearance for point in points for other in others)


def _curve(start: Point, control: Point, end: Point) -> str:
    return f"M{start.x:.1f},{start.y:.1f} Q{control.x:.1f},{control.y:.1f} {end.x:.1f},{end.y:.1f}"


def _nodes(departments: list[Department], centre: Point) -> tuple[list[Node], dict[int, Point]]:
    """The departments clockwise on an ellipse from the top, names outside; and
    {department id: its exact position}."""
    # An ellipse uses the width of the page; names outside the nodes need the margins.
    radius_x, radius_y = WIDTH / 2 - 170, HEIGHT / 2 - 90
    count = max(len(departments), 1)
    nodes: list[Node] = []
    positions: dict[int, Point] = {}
    for index, department in enumerate(departments):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        direction = Point(math.cos(angle), math.sin(angle))
        position = centre + Point(direction.x * radius_x, direction.y * radius_y)
        positions[department.pk] = position
        label = position + direction.scale(NODE_RADIUS + 14)
        anchor = "middle"
        if direction.x > 0.3:
            anchor = "start"
        elif direction.x < -0.3:
            anchor = "end"
        nodes.append(
            Node(
                department=department,
                x=round(position.x, 1),
                y=round(position.y, 1),
                label_x=round(label.x, 1),
                label_y=round(label.y + (12 if direction.y > 0.3 else 4), 1),
                anchor=anchor,
            )
        )
    return nodes, positions


def _bend(source: Point, target: Point, centre: Point, *, one_way: bool):
    """(start, control, end) of the curve from source to target: to the left of its
    direction, or, for a lone arrow, towards the centre."""
    along = target - source
    normal = Point(along.y, -along.x).unit()  # left of the direction of travel
    midpoint = source + along.scale(0.5)
    inward = centre - midpoint
    if one_way and normal.x * inward.x + normal.y * inward.y < 0:
        normal = normal.scale(-1)
    control = midpoint + normal.scale(along.length() * CURVE)
    start = source + (control - source).unit().scale(NODE_RADIUS + 2)
    end = target + (control - target).unit().scale(NODE_RADIUS + 6)
    return start, control, end


@dataclass
class _Placed:
    """What is on the map already: badges, label outlines, nodes."""

    badges: list[Point]
    labels: list[Point]
    nodes: list[Point]


def _badge_spot(start: Point, control: Point, end: Point, label: str, placed: _Placed):
    """(where along the arrow its badge goes, the label or "" if it fits nowhere)."""
    share = _free_spot(start, control, end, placed.badges)
    if not label:
        return share, ""
    # A spot where neither the badge nor the label touches an earlier one; with none,
    # the label is left out (the arrow's tooltip and the table carry it).
    for t in BADGE_SPOTS:
        spot = _at(start, control, end, t)
        points = _label_points(start, control, end, t, label)
        if all((spot - other).length() > 26 for other in placed.badges) and not (
            _collides(points, placed.labels, LABEL_CLEARANCE)
            or _collides(points, placed.badges, LABEL_CLEARANCE)
            or _collides(points, placed.nodes, NODE_RADIUS)
        ):
            placed.labels.extend(points)
            return t, label
    return share, ""


def _edge_label(edge: FlowEdge) -> str:
    label = _short(edge.flows[0].information)
    return f"{label} +{edge.count - 1}" if edge.count > 1 else label


def layout(departments: list[Department], edges: list[FlowEdge]) -> FlowMap:
    """Place `departments` (in the given order) clockwise on an ellipse from the top
    and draw `edges` between them. A lone arrow bends towards the centre, away from
    the neighbouring departments; two arrows between the same pair bend to opposite
    sides (each to the left of its own direction). A count badge that would cover an
    earlier one slides along its arrow."""
    centre = Point(WIDTH / 2, HEIGHT / 2)
    nodes, positions = _nodes(departments, centre)
    show_labels = len(edges) <= LABEL_LIMIT
    pairs = {(edge.source.pk, edge.target.pk) for edge in edges}
    placed = _Placed(badges=[], labels=[], nodes=list(positions.values()))
    arrows: list[Arrow] = []
    for edge in edges:
        source = positions.get(edge.source.pk)
        target = positions.get(edge.target.pk)
        if source is None or target is None:
            continue
        one_way = (edge.target.pk, edge.source.pk) not in pairs
        start, control, end = _bend(source, target, centre, one_way=one_way)
        label = _edge_label(edge) if show_labels else ""
        share, label = _badge_spot(start, control, end, label, placed)
        middle = _at(start, control, end, share)
        placed.badges.append(middle)
        forwards = start.x <= end.x
        arrows.append(
            Arrow(
                edge=edge,
                path=_curve(start, control, end),
                badge_x=round(middle.x, 1),
                badge_y=round(middle.y, 1),
                width=round(min(1.5 + edge.count, 6), 1),
                label=label,
                label_path=_curve(start, control, end) if forwards else _curve(end, control, start),
                label_offset=f"{round(100 * (share if forwards else 1 - share))}%",
            )
        )
    return FlowMap(width=WIDTH, height=HEIGHT, nodes=nodes, arrows=arrows)


def _radical_inverse(index: int) -> float:
    """0, 1/2, 1/4, 3/4, 1/8, 5/8…: each next point halves the largest gap."""
    result, base = 0.0, 0.5
    while index:
        if index & 1:
            result += base
        index >>= 1
        base /= 2
    return result


def spread_order(departments: list[Department], edges: list[FlowEdge]) -> list[Department]:
    """The order to place departments around the circle in: the busiest ones (most
    arrows) as far apart as possible, so their arrows do not bunch up on one side and
    their labels do not collide. Ties go by name, so the picture is stable."""
    count = len(departments)
    if count < 3:
        return list(departments)
    degree: dict[int, int] = {d.pk: 0 for d in departments}
    for edge in edges:
        degree[edge.source.pk] = degree.get(edge.source.pk, 0) + 1
        degree[edge.target.pk] = degree.get(edge.target.pk, 0) + 1
    busiest_first = sorted(departments, key=lambda d: (-degree[d.pk], d.name.casefold(), d.pk))
    slots: list[Department | None] = [None] * count
    for index, department in enumerate(busiest_first):
        slot = round(_radical_inverse(index) * count) % count
        while slots[slot] is not None:
            slot = (slot + 1) % count
        slots[slot] = department
    return [d for d in slots if d is not None]
