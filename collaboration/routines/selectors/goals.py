"""Reads of shared goals and the progress of their targets."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from orgmap.models import Department, Project

from ..models import (
    Goal,
    Target,
    TargetProgress,
)

# ------------------------------------------------------------------------ shared goals

AT_RISK_DAYS = 30  # due within this many days and not reached: at risk
SCHEDULE_TOLERANCE = 10  # percentage points behind the linear schedule


@dataclass(frozen=True)
class Progress:
    current: Decimal | None
    percent: int
    expected: int  # where a steady, linear path from baseline to target would be today
    at_risk: bool
    reason: str


def percent_progress(baseline: Decimal, target: Decimal, current: Decimal | None) -> int:
    """(current - baseline) / (target - baseline), clamped to 0..100. Works for targets
    that go down as well as up; a target equal to its baseline ("keep it at X") is
    100% while the current value is at the target and 0% otherwise."""
    if current is None:
        return 0
    if target == baseline:
        return 100 if current == target else 0
    ratio = (Decimal(current) - baseline) / (target - baseline) * 100
    return int(max(Decimal(0), min(Decimal(100), ratio)).to_integral_value(rounding="ROUND_FLOOR"))


def expected_percent(starts_on: datetime.date, due_on: datetime.date, today: datetime.date) -> int:
    span = (due_on - starts_on).days
    if span <= 0 or today >= due_on:
        return 100
    if today <= starts_on:
        return 0
    return int(100 * (today - starts_on).days / span)


def target_progress(
    *,
    baseline: Decimal,
    target_value: Decimal,
    current: Decimal | None,
    starts_on: datetime.date,
    due_on: datetime.date,
    today: datetime.date,
) -> Progress:
    """A target's progress and whether it is at risk. At risk, unless reached (100%):
    overdue; or due within AT_RISK_DAYS; or more than SCHEDULE_TOLERANCE points behind
    the straight line from the baseline (at starts_on) to the target (at due_on)."""
    percent = percent_progress(baseline, target_value, current)
    expected = expected_percent(starts_on, due_on, today)
    reason = ""
    if percent < 100:
        if today > due_on:
            reason = _("overdue")
        elif (due_on - today).days <= AT_RISK_DAYS:
            reason = _("due within %(days)d days") % {"days": AT_RISK_DAYS}
        elif percent < expected - SCHEDULE_TOLERANCE:
            reason = _("behind schedule (%(percent)d%% of an expected %(expected)d%%)") % {
                "percent": percent,
                "expected": expected,
            }
    return Progress(
        current=current, percent=percent, expected=expected, at_risk=bool(reason), reason=reason
    )


def targets_with_current(queryset: QuerySet[Target] | None = None) -> QuerySet[Target]:
    """Targets annotated with their latest measurement (`current_value`,
    `measured_at`), computed from the history in the same query."""
    latest = TargetProgress.objects.filter(target=OuterRef("pk")).order_by("-recorded_at", "-pk")
    queryset = Target.objects.all() if queryset is None else queryset
    return queryset.annotate(
        current_value=Subquery(latest.values("value")[:1]),
        measured_at=Subquery(latest.values("recorded_at")[:1]),
    )


def progress_of(target: Target, today: datetime.date) -> Progress:
    """`target` must come from targets_with_current()."""
    return target_progress(
        baseline=target.baseline,
        target_value=target.target_value,
        current=target.current_value,
        starts_on=target.starts_on,
        due_on=target.due_on,
        today=today,
    )


def current_value(target: Target) -> Decimal | None:
    """The latest recorded value of one target (one query): for single objects."""
    latest = target.progress.order_by("-recorded_at", "-pk").values_list("value", flat=True)[:1]
    return next(iter(latest), None)


@dataclass
class TargetRow:
    target: Target
    progress: Progress


@dataclass
class GoalRow:
    goal: Goal
    targets: list[TargetRow]

    @property
    def at_risk(self) -> bool:
        return any(row.progress.at_risk for row in self.targets)

    @property
    def percent(self) -> int:
        """The mean progress of the goal's targets."""
        if not self.targets:
            return 0
        return sum(row.progress.percent for row in self.targets) // len(self.targets)


def goal_queryset() -> QuerySet[Goal]:
    return Goal.objects.select_related("department", "project").prefetch_related(
        Prefetch("contributing_departments", queryset=Department.objects.order_by("name"))
    )


def goals_for(
    *, department: Department | None = None, project: Project | None = None
) -> QuerySet[Goal]:
    queryset = goal_queryset()
    if department is not None:
        queryset = queryset.filter(
            Q(department=department) | Q(contributing_departments=department)
        ).distinct()
    if project is not None:
        queryset = queryset.filter(project=project)
    return queryset


def goal_rows(goals: QuerySet[Goal], today: datetime.date) -> list[GoalRow]:
    """Goals with their targets' progress: the goals' queries plus one for targets."""
    goals = list(goals)
    if not goals:  # most department pages: no targets query to build
        return []
    by_goal: dict[int, list[TargetRow]] = defaultdict(list)
    for target in targets_with_current(Target.objects.filter(goal__in=[g.pk for g in goals])):
        by_goal[target.goal_id].append(
            TargetRow(target=target, progress=progress_of(target, today))
        )
    return [GoalRow(goal=goal, targets=by_goal.get(goal.pk, [])) for goal in goals]
