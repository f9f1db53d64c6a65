"""Findings over time, from the daily snapshots: a bar per day and rule, and what opened
and closed since a week before the latest snapshot."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from orgmap.models import Department, Role

from .. import raci
from ..models import Duty, FindingSnapshot

DAYS = 28
BAR_WIDTH = 6
BAR_GAP = 1
CHART_HEIGHT = 36


@dataclass(frozen=True)
class Bar:
    day: datetime.date
    count: int | None  # None: no snapshot that day
    x: int
    y: int
    height: int


@dataclass
class RuleTrend:
    rule: str
    bars: list[Bar]
    latest: int
    base: int

    @property
    def change(self) -> int:
        return self.latest - self.base


@dataclass(frozen=True)
class Change:
    """A finding that opened or closed: its duty or role, by name."""

    rule: str
    label: str
    duty_id: int | None
    role_id: int | None


@dataclass
class Trend:
    days: list[datetime.date]
    rules: list[RuleTrend]
    latest_day: datetime.date | None
    base_day: datetime.date | None
    opened: list[Change] = field(default_factory=list)  # the first `changes_limit`
    closed: list[Change] = field(default_factory=list)
    opened_count: int = 0
    closed_count: int = 0
    width: int = 0
    height: int = CHART_HEIGHT

    @property
    def has_data(self) -> bool:
        return self.latest_day is not None


def _ids(key: str) -> tuple[int | None, list[int]]:
    duty, _sep, roles = key.partition("/")
    return (int(duty) if duty else None), [int(r) for r in roles.split("-") if r]


def _changes(
    before: dict[str, set[str]], after: dict[str, set[str]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    opened, closed = [], []
    for rule in raci.RULES:
        opened += [(rule, key) for key in sorted(after.get(rule, set()) - before.get(rule, set()))]
        closed += [(rule, key) for key in sorted(before.get(rule, set()) - after.get(rule, set()))]
    return opened, closed


def _name(pairs: list[tuple[str, str]], duties: dict, roles: dict) -> list[Change]:
    named = []
    for rule, key in pairs:
        duty_id, role_ids = _ids(key)
        role_id = role_ids[0] if role_ids else None
        if duty_id is not None:
            label = duties.get(duty_id, f"#{duty_id}")
        else:
            label = roles.get(role_id, f"#{role_id}")
        named.append(Change(rule=rule, label=label, duty_id=duty_id, role_id=role_id))
    return named


def _days(taken: set[datetime.date]) -> tuple[datetime.date | None, datetime.date | None]:
    """The latest snapshotted day, and the one to compare it with: a week before (or
    the earliest there is)."""
    if not taken:
        return None, None
    latest_day = max(taken)
    week_before = latest_day - datetime.timedelta(days=7)
    older = [day for day in taken if day <= week_before]
    return latest_day, (max(older) if older else min(taken))


def _bars(by_day: dict, span: list, taken: set, top: int) -> list[Bar]:
    bars = []
    for index, day in enumerate(span):
        count = by_day.get(day, 0) if day in taken else None
        height = round((count or 0) * (CHART_HEIGHT - 2) / top)
        if count:
            height = max(height, 2)
        bars.append(
            Bar(
                day=day,
                count=count,
                x=index * (BAR_WIDTH + BAR_GAP),
                y=CHART_HEIGHT - height,
                height=height,
            )
        )
    return bars


def _add_changes(trend: Trend, department: Department | None, limit: int) -> None:
    """The findings opened and closed between the base day and the latest, by name."""
    keys: dict[datetime.date, dict[str, set[str]]] = {trend.latest_day: {}, trend.base_day: {}}
    for day, rule, found in FindingSnapshot.objects.filter(
        department=department, date__in=[trend.latest_day, trend.base_day]
    ).values_list("date", "rule", "keys"):
        keys[day][rule] = set(found)
    opened, closed = _changes(keys[trend.base_day], keys[trend.latest_day])
    trend.opened_count, trend.closed_count = len(opened), len(closed)
    opened, closed = opened[:limit], closed[:limit]
    duty_ids, role_ids = set(), set()
    for _rule, key in opened + closed:
        duty_id, roles = _ids(key)
        if duty_id is not None:
            duty_ids.add(duty_id)
        elif roles:
            role_ids.add(roles[0])
    duties = dict(Duty.objects.filter(pk__in=duty_ids).values_list("pk", "title"))
    roles = dict(Role.objects.filter(pk__in=role_ids).values_list("pk", "title"))
    trend.opened = _name(opened, duties, roles)
    trend.closed = _name(closed, duties, roles)


def findings_trend(
    *, department: Department | None = None, days: int = DAYS, changes_limit: int = 20
) -> Trend:
    """The last `days` days of snapshots of a department (or the organisation): at most
    five queries whatever the organisation's size."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=days - 1)
    span = [start + datetime.timedelta(days=n) for n in range(days)]
    # The organisation has a row per rule on every snapshotted day: those are the days.
    taken = set(
        FindingSnapshot.objects.filter(department__isnull=True, date__gte=start, date__lte=today)
        .values_list("date", flat=True)
        .distinct()
    )
    counts: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for day, rule, count in FindingSnapshot.objects.filter(
        department=department, date__gte=start, date__lte=today
    ).values_list("date", "rule", "count"):
        counts[rule][day] = count
    latest_day, base_day = _days(taken)
    top = max([count for by_day in counts.values() for count in by_day.values()] or [1]) or 1
    rules = []
    for rule in raci.RULES:
        by_day = counts.get(rule, {})
        latest = by_day.get(latest_day, 0) if latest_day else 0
        base = by_day.get(base_day, 0) if base_day else 0
        if latest or base or any(by_day.values()):
            bars = _bars(by_day, span, taken, top)
            rules.append(RuleTrend(rule=rule, bars=bars, latest=latest, base=base))
    trend = Trend(
        days=span,
        rules=rules,
        latest_day=latest_day,
        base_day=base_day,
        width=days * (BAR_WIDTH + BAR_GAP),
    )
    if latest_day is not None and base_day is not None and base_day != latest_day:
        _add_changes(trend, department, changes_limit)
    return trend
