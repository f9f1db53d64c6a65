"""Reads of the collaboration routines, each in a constant number of queries.

`overdue_improvement_actions(now)` is used outside this app, by the reminder dispatcher
(collaboration.reminders, the layer above).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboration.meetings.selectors import UPCOMING, MeetingRow, meeting_rows
from orgmap import permissions
from orgmap.models import Department, Project, Role, RoleHolder
from orgmap.permissions import ORG_ADMINS_GROUP
from orgmap.selectors import department_ancestor_ids, department_parent_map
from responsibilities import selectors as responsibility_selectors
from responsibilities.models import InformationFlow

from .models import (
    Conflict,
    Feedback,
    Goal,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
)

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


# ------------------------------------------------------------------------ conflicts


@dataclass
class CoordinatorSuggestion:
    """Who should coordinate a conflict between some departments."""

    people: list[AbstractBaseUser]
    department: Department | None  # the common parent whose head was suggested
    message: str

    @property
    def first(self) -> AbstractBaseUser | None:
        return self.people[0] if self.people else None


def _chain(department_id: int, parents: dict[int, int | None]) -> list[int]:
    return [department_id, *department_ancestor_ids(department_id, parents)]


def common_parent_ids(department_ids: Iterable[int]) -> list[int]:
    """The departments above (or equal to) every given one, lowest first."""
    ids = list(dict.fromkeys(department_ids))
    if not ids:
        return []
    parents = department_parent_map()
    chains = [_chain(pk, parents) for pk in ids]
    others = [set(chain) for chain in chains[1:]]
    return [pk for pk in chains[0] if all(pk in other for other in others)]


def org_admins() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=ORG_ADMINS_GROUP), is_active=True)
        .select_related("profile")
        .distinct()
        .order_by("username")
    )


def suggest_coordinator(departments: Iterable[Department]) -> CoordinatorSuggestion:
    """The current holders of the head role of the lowest common parent department.

    A common parent whose head role is missing or vacant is skipped for the next one
    up. With no common parent at all (two top-level departments), the organisation
    administrators are suggested: nobody below them has authority over both."""
    common = common_parent_ids(d.pk for d in departments)
    if common:
        by_id = Department.objects.select_related("head").in_bulk(common)
        holdings = (
            RoleHolder.objects.current()
            .filter(role__in=[d.head_id for d in by_id.values() if d.head_id])
            .select_related("person__profile")
            .order_by("since", "pk")
        )
        people_by_role: dict[int, list] = defaultdict(list)
        for holding in holdings:
            if holding.person.is_active:
                people_by_role[holding.role_id].append(holding.person)
        for pk in common:
            department = by_id.get(pk)
            if department and department.head_id and people_by_role.get(department.head_id):
                return CoordinatorSuggestion(
                    people=people_by_role[department.head_id],
                    department=department,
                    message=_(
                        "Suggested: the head of %(department)s (%(role)s), the lowest department above all of them."
                    )
                    % {"department": department.name, "role": department.head.title},
                )
    return CoordinatorSuggestion(
        people=list(org_admins()),
        department=None,
        message=_(
            "These departments share no parent department with a head in post, so an organisation administrator coordinates."
        ),
    )


def has_authority_over(user: AbstractBaseUser, departments: Iterable[Department]) -> bool:
    """Org admins, a manager of every department involved, or a current holder of
    the head role of a department above all of them."""
    ids = {d.pk for d in departments}
    if permissions.is_org_admin(user) or ids <= permissions.managed_department_ids(user):
        return True
    common = common_parent_ids(ids)
    head_ids = Department.objects.filter(pk__in=common, head__isnull=False).values("head_id")
    return RoleHolder.objects.current().filter(person=user, role__in=head_ids).exists()


def conflict_queryset() -> QuerySet[Conflict]:
    return Conflict.objects.select_related(
        "raised_by__profile", "coordinator__profile", "settled_by__profile"
    ).prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("name")))


def conflicts(
    *, status: str | None = None, department: Department | None = None, open_only: bool = False
) -> QuerySet[Conflict]:
    queryset = conflict_queryset()
    if status:
        queryset = queryset.filter(status=status)
    if open_only:
        queryset = queryset.exclude(status=Conflict.Status.SETTLED)
    if department is not None:
        queryset = queryset.filter(departments=department)
    return queryset


def conflicts_to_coordinate(user: AbstractBaseUser) -> tuple[list[Conflict], list[Conflict]]:
    """(open conflicts the user coordinates, open conflicts with no coordinator —
    shown to org admins, who coordinate those)."""
    mine = list(conflicts(open_only=True).filter(coordinator=user))
    unassigned = (
        list(conflicts(open_only=True).filter(coordinator__isnull=True))
        if permissions.is_org_admin(user)
        else []
    )
    return mine, unassigned


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
    by_goal: dict[int, list[TargetRow]] = defaultdict(list)
    for target in targets_with_current(Target.objects.filter(goal__in=[g.pk for g in goals])):
        by_goal[target.goal_id].append(
            TargetRow(target=target, progress=progress_of(target, today))
        )
    return [GoalRow(goal=goal, targets=by_goal.get(goal.pk, [])) for goal in goals]


# ---------------------------------------------------------------------------- reviews


@dataclass(frozen=True)
class OverdueRole:
    id: int
    title: str
    department_code: str
    department_name: str
    due_on: datetime.date


def overdue_roles(
    *, today: datetime.date, department: Department | None = None
) -> list[OverdueRole]:
    """Active roles whose review (last review + cadence) is past: one query of the
    fields involved. Adding months is done here because SQLite and PostgreSQL do date
    arithmetic differently; the rows are small."""
    rows = Role.objects.filter(
        active=True, review_cadence_months__isnull=False, last_reviewed_on__isnull=False
    )
    if department is not None:
        rows = rows.filter(department=department)
    overdue = []
    for row in rows.values(
        "pk",
        "title",
        "department__code",
        "department__name",
        "review_cadence_months",
        "last_reviewed_on",
    ):
        due = row["last_reviewed_on"] + relativedelta(months=row["review_cadence_months"])
        if due < today:
            overdue.append(
                OverdueRole(
                    id=row["pk"],
                    title=row["title"],
                    department_code=row["department__code"],
                    department_name=row["department__name"],
                    due_on=due,
                )
            )
    return sorted(overdue, key=lambda r: (r.due_on, r.title))


# ------------------------------------------------------------ feedback and improvement


def feedback_queryset() -> QuerySet[Feedback]:
    return Feedback.objects.select_related(
        "duty__department",
        "role__department",
        "department",
        "project",
        "flow__from_department",
        "flow__to_department",
        "meeting",
        "author__profile",
        "duplicate_of",
    )


def feedback_about_departments(department: Department) -> Q:
    """Feedback whose target belongs to the department."""
    return (
        Q(department=department)
        | Q(duty__department=department)
        | Q(role__department=department)
        | Q(flow__from_department=department)
        | Q(flow__to_department=department)
        | Q(project__departments=department)
    )


def action_queryset() -> QuerySet[ImprovementAction]:
    return ImprovementAction.objects.select_related("owner__profile", "feedback")


def overdue_improvement_actions(now: datetime.datetime) -> QuerySet[ImprovementAction]:
    """Open or in-progress actions whose due date has passed (in the local time zone
    at `now`), with their owner and feedback loaded: for the reminder dispatcher."""
    today = timezone.localdate(now)
    return (
        action_queryset()
        .filter(due_on__lt=today)
        .exclude(status=ImprovementAction.Status.DONE)
        .order_by("due_on", "pk")
    )


# ---------------------------------------------------------------------------- lessons


def lessons(*, query: str = "", tag: str = "") -> QuerySet[Lesson]:
    """Lessons whose title, texts or tags contain the query (icontains: works for
    Chinese, which has no word boundaries for a full-text index to use)."""
    queryset = Lesson.objects.select_related("department", "project", "author__profile")
    for word in query.split():
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(what_worked__icontains=word)
            | Q(what_did_not__icontains=word)
            | Q(recommendation__icontains=word)
            | Q(tags__icontains=word)
        )
    tag = " ".join(tag.split()).lower()
    if tag:
        queryset = queryset.filter(
            Q(tags=tag)
            | Q(tags__startswith=f"{tag}, ")
            | Q(tags__endswith=f", {tag}")
            | Q(tags__contains=f", {tag}, ")
        )
    return queryset


def popular_tags(limit: int = 15) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for tags in Lesson.objects.exclude(tags="").values_list("tags", flat=True):
        counts.update(tag for tag in tags.split(", ") if tag)
    return counts.most_common(limit)


# -------------------------------------------------------------------------- dashboard

RECENT_LESSONS = 5
UPCOMING_MEETINGS = 5


@dataclass
class Dashboard:
    department: Department | None
    finding_count: int
    finding_errors: int
    open_conflicts: list[Conflict]
    goals_at_risk: list[GoalRow]
    goal_count: int
    overdue_roles: list[OverdueRole]
    overdue_actions: list[ImprovementAction]
    new_feedback: int
    recent_lessons: list[Lesson]
    upcoming_meetings: list[MeetingRow]
    flows_out: int
    flows_in: int


def dashboard(*, department: Department | None, now: datetime.datetime) -> Dashboard:
    """Everything on a collaboration dashboard, for one department or (None) the
    whole organisation, in a constant number of queries."""
    today = timezone.localdate(now)
    scope = responsibility_selectors.Scope(department=department)
    found = responsibility_selectors.findings(scope)
    goals = goal_rows(goals_for(department=department), today)
    actions = overdue_improvement_actions(now)
    feedback = Feedback.objects.filter(status=Feedback.Status.NEW)
    recent = Lesson.objects.select_related("department", "project")
    flow_rows = InformationFlow.objects.filter(active=True)
    # The next occurrence of every meeting, recurring series included.
    upcoming = [
        row
        for row in meeting_rows(now=now, when=UPCOMING, department=department)
        if not row.meeting.cancelled
    ][:UPCOMING_MEETINGS]
    if department is not None:
        about = feedback_about_departments(department)
        actions = actions.filter(feedback__in=Feedback.objects.filter(about).values("pk"))
        feedback = feedback.filter(pk__in=Feedback.objects.filter(about).values("pk"))
        recent = recent.filter(Q(department=department) | Q(project__departments=department))
        flows_out = flow_rows.filter(from_department=department).count()
        flows_in = flow_rows.filter(to_department=department).count()
    else:
        flows_out = flows_in = flow_rows.count()
    return Dashboard(
        department=department,
        finding_count=len(found),
        finding_errors=sum(1 for f in found if f.severity == "error"),
        open_conflicts=list(conflicts(open_only=True, department=department)),
        goals_at_risk=[row for row in goals if row.at_risk],
        goal_count=len(goals),
        overdue_roles=overdue_roles(today=today, department=department),
        overdue_actions=list(actions),
        new_feedback=feedback.count(),
        recent_lessons=list(recent.distinct().order_by("-created_at", "-pk")[:RECENT_LESSONS]),
        upcoming_meetings=upcoming,
        flows_out=flows_out,
        flows_in=flows_in,
    )
