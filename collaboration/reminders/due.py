"""What is due: the meeting, review, improvement-action and role-confirmation reminders
that should exist
at a given moment (`now`), as PlannedReminder rows; the dispatcher turns them into
deliveries."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from collaboration.meetings import recurrence, reviews
from collaboration.meetings import selectors as meetings
from collaboration.meetings.models import Meeting
from collaboration.routines.selectors import overdue_improvement_actions
from orgmap.models import Role
from responsibilities.attestation.selectors import overdue_pending
from responsibilities.models import Duty

from .models import ReminderDelivery

logger = logging.getLogger(__name__)

Kind = ReminderDelivery.Kind
Status = ReminderDelivery.Status


# --- what is due -------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder the dispatcher wants to exist; `key` makes it unique."""

    kind: str
    recipient_id: int
    occurrence: datetime.datetime
    meeting_id: int | None = None
    role_id: int | None = None
    duty_id: int | None = None
    action_id: int | None = None
    lead_minutes: int | None = None
    due_on: datetime.date | None = None
    # A message (Kind.MESSAGE): what it is about, unique for its sender ("draft:3:asked"),
    # its words in every language and the page it links to.
    topic: str = ""
    texts: dict | None = None
    link: str = ""

    @property
    def key(self) -> str:
        if self.topic:
            return f"{self.topic}|to:{self.recipient_id}|{self.kind}"
        if self.meeting_id:
            thing = f"meeting:{self.meeting_id}"
            when = self.occurrence.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
            kind = f"{self.kind}-{self.lead_minutes}m"
        else:
            if self.role_id:
                thing = f"role:{self.role_id}"
            elif self.duty_id:
                thing = f"duty:{self.duty_id}"
            else:
                thing = f"action:{self.action_id}"
            when = f"{self.due_on:%Y%m%d}/{self.occurrence:%Y%m%d}"
            kind = self.kind
        return f"{thing}|{when}|to:{self.recipient_id}|{kind}"


def lead_times() -> list[int]:
    """Minutes before an occurrence, longest first, e.g. [1440, 15]."""
    return sorted(
        {int(minutes) for minutes in settings.REMINDER_LEAD_TIMES if minutes > 0}, reverse=True
    )


def applicable_lead(until_start: datetime.timedelta, leads: list[int]) -> int | None:
    """The reminder due for an occurrence starting in `until_start`: the shortest lead
    time that has been reached. A meeting planned two hours ahead gets its 24-hour
    reminder now and its 15-minute one later; a dispatcher that was down sends only
    the latest reminder, not a backlog."""
    if until_start <= datetime.timedelta(0):
        return None  # it has started: too late to remind
    reached = [lead for lead in leads if datetime.timedelta(minutes=lead) >= until_start]
    return min(reached) if reached else None


def due_meeting_reminders(*, now: datetime.datetime) -> list[PlannedReminder]:
    leads = lead_times()
    if not leads:
        return []
    horizon = now + datetime.timedelta(minutes=leads[0])
    candidates = list(
        Meeting.objects.filter(cancelled=False, starts_at__lte=horizon)
        .filter(
            Q(recurrence=Meeting.Recurrence.NONE, starts_at__gt=now)
            | (
                ~Q(recurrence=Meeting.Recurrence.NONE)
                & (
                    Q(recurrence_until__isnull=True)
                    | Q(recurrence_until__gte=(now - datetime.timedelta(days=1)).date())
                )
            )
        )
        .order_by("pk")
    )
    due: list[tuple[Meeting, datetime.datetime, int]] = []
    # Occurrences in (now, horizon]: one starting right now is too late to remind.
    tick = datetime.timedelta(microseconds=1)
    for meeting in candidates:
        for occurrence in recurrence.occurrences(meeting, start=now + tick, end=horizon + tick):
            lead = applicable_lead(occurrence - now, leads)
            if lead is not None:
                due.append((meeting, occurrence, lead))
    planned: list[PlannedReminder] = []
    # Invitations through roles go to whoever holds the role on the meeting's day.
    for day in sorted({timezone.localdate(occurrence) for _m, occurrence, _l in due}):
        todays = [(m, o, lead) for m, o, lead in due if timezone.localdate(o) == day]
        attendees = meetings.attendee_map({m.pk: m for m, _o, _l in todays}.values(), on=day)
        for meeting, occurrence, lead in todays:
            for person in attendees[meeting.pk]:
                planned.append(
                    PlannedReminder(
                        kind=Kind.MEETING,
                        recipient_id=person.pk,
                        occurrence=occurrence,
                        meeting_id=meeting.pk,
                        lead_minutes=lead,
                    )
                )
    return planned


def _at_review_hour(day: datetime.date) -> datetime.datetime:
    """Day-based reminders (reviews, improvement actions) go out from this time."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(settings.REMINDER_REVIEW_HOUR))
    )


def _review_subjects(today: datetime.date) -> list[tuple[Role | Duty, datetime.date]]:
    subjects: list[tuple[Role | Duty, datetime.date]] = []
    subjects += [(role, role.next_review_due) for role in reviews.roles_due(today=today)]
    subjects += [(duty, duty.next_review_due) for duty in reviews.duties_due(today=today)]
    return subjects


def due_review_reminders(*, now: datetime.datetime) -> list[PlannedReminder]:
    """A reminder to the department's managers on the due day and every
    REMINDER_REPEAT_DAYS while overdue; after REMINDER_ESCALATION_DAYS, once, to the
    holders of the parent department's head role. Whoever would get nothing (no
    managers, no parent head) is replaced by the org admins, so that nothing is lost.
    Sent from REMINDER_REVIEW_HOUR local time, not at midnight."""
    local_now = timezone.localtime(now)
    if local_now.hour < settings.REMINDER_REVIEW_HOUR:
        return []
    today = local_now.date()
    subjects = _review_subjects(today)
    if not subjects:
        return []
    managers = reviews.department_manager_map()
    escalate_after = datetime.timedelta(days=settings.REMINDER_ESCALATION_DAYS)
    overdue_departments = {s.department_id for s, due in subjects if today - due >= escalate_after}
    escalation_to = reviews.escalation_recipient_map(overdue_departments, on=today)
    admins: set[int] | None = None

    def or_admins(recipients: set[int]) -> set[int]:
        nonlocal admins
        if recipients:
            return recipients
        if admins is None:
            admins = reviews.org_admin_ids()
        return admins

    at = _at_review_hour
    planned: list[PlannedReminder] = []
    for subject, due_on in subjects:
        ids = {"role_id": subject.pk} if isinstance(subject, Role) else {"duty_id": subject.pk}
        repeats = (today - due_on).days // settings.REMINDER_REPEAT_DAYS
        reminder_day = due_on + datetime.timedelta(days=repeats * settings.REMINDER_REPEAT_DAYS)
        for recipient_id in or_admins(managers.get(subject.department_id, set())):
            planned.append(
                PlannedReminder(
                    kind=Kind.REVIEW,
                    recipient_id=recipient_id,
                    occurrence=at(reminder_day),
                    due_on=due_on,
                    **ids,
                )
            )
        if today - due_on >= escalate_after:
            for recipient_id in or_admins(escalation_to.get(subject.department_id, set())):
                planned.append(
                    PlannedReminder(
                        kind=Kind.ESCALATION,
                        recipient_id=recipient_id,
                        occurrence=at(due_on + escalate_after),
                        due_on=due_on,
                        **ids,
                    )
                )
    return planned


def _action_department_map(actions: list[dict]) -> dict[int, set[int]]:
    """{action id: the departments whose managers handle its feedback}: the target's
    department; both ends of a flow; a meeting's departments. The same scope as
    orgmap.permissions.feedback_owner_scope (so they can open the action), for all
    the actions at once. Feedback about a project has none: it falls to the org
    admins. One query, and only if some feedback is about a meeting."""
    meeting_departments: dict[int, set[int]] = defaultdict(set)
    meeting_ids = {action["meeting"] for action in actions if action["meeting"]}
    if meeting_ids:
        through = Meeting.departments.through.objects.filter(meeting_id__in=meeting_ids)
        for meeting_id, department_id in through.values_list("meeting_id", "department_id"):
            meeting_departments[meeting_id].add(department_id)
    departments: dict[int, set[int]] = {}
    for action in actions:
        ids = {
            action[name]
            for name in ("department", "duty_department", "role_department", "flow_from", "flow_to")
            if action[name]
        }
        departments[action["pk"]] = ids | meeting_departments.get(action["meeting"], set())
    return departments


class _ManagersOrAdmins:
    """{action id: the managers of the departments its feedback is about, or the org
    admins if there are none}; each read once, when first needed."""

    def __init__(self, departments: dict[int, set[int]]) -> None:
        self.departments = departments
        self.managers: dict[int, set[int]] | None = None
        self.admins: set[int] | None = None

    def __call__(self, action_id: int) -> set[int]:
        if self.managers is None:
            self.managers = reviews.department_manager_map()
        recipients = set().union(
            *(self.managers.get(pk, set()) for pk in self.departments[action_id])
        )
        if recipients:
            return recipients
        if self.admins is None:
            self.admins = reviews.org_admin_ids()
        return self.admins


def _overdue_actions(now: datetime.datetime) -> list[dict]:
    return list(
        overdue_improvement_actions(now).values(
            "pk",
            "owner_id",
            "due_on",
            owner_active=F("owner__is_active"),
            department=F("feedback__department_id"),
            duty_department=F("feedback__duty__department_id"),
            role_department=F("feedback__role__department_id"),
            flow_from=F("feedback__flow__from_department_id"),
            flow_to=F("feedback__flow__to_department_id"),
            meeting=F("feedback__meeting_id"),
        )
    )


def _action_reminders(
    action: dict, *, today: datetime.date, managers_or_admins: _ManagersOrAdmins
) -> list[PlannedReminder]:
    """The reminder (owner, or managers for a deactivated owner) and escalation due
    today for one overdue action."""
    due_on = action["due_on"]
    first_day = due_on + datetime.timedelta(days=1)
    repeat_days = settings.REMINDER_REPEAT_DAYS
    reminder_day = first_day + datetime.timedelta(
        days=(today - first_day).days // repeat_days * repeat_days
    )
    # A deactivated owner's reminders go to those who can give the action a new owner.
    owner_ids = {action["owner_id"]} if action["owner_active"] else managers_or_admins(action["pk"])
    common = {"action_id": action["pk"], "due_on": due_on}
    planned = [
        PlannedReminder(
            kind=Kind.ACTION,
            recipient_id=recipient_id,
            occurrence=_at_review_hour(reminder_day),
            **common,
        )
        for recipient_id in owner_ids
    ]
    escalate_after = datetime.timedelta(days=settings.REMINDER_ESCALATION_DAYS)
    if today - due_on >= escalate_after:
        planned += [
            PlannedReminder(
                kind=Kind.ACTION_ESCALATION,
                recipient_id=recipient_id,
                occurrence=_at_review_hour(due_on + escalate_after),
                **common,
            )
            for recipient_id in managers_or_admins(action["pk"])
        ]
    return planned


def due_action_reminders(*, now: datetime.datetime) -> list[PlannedReminder]:
    """Improvement actions not done whose due date has passed: a reminder to the owner
    on the day after the due date and every REMINDER_REPEAT_DAYS while still overdue;
    once REMINDER_ESCALATION_DAYS overdue, an escalation to the managers of the
    department the feedback is about. Org admins stand in for missing managers, and
    the managers for an owner whose account was deactivated, so that nothing is lost.
    Sent from REMINDER_REVIEW_HOUR local time, like review reminders. A constant
    number of queries, whatever the number of actions."""
    local_now = timezone.localtime(now)
    if local_now.hour < settings.REMINDER_REVIEW_HOUR:
        return []
    actions = _overdue_actions(now)
    if not actions:
        return []
    managers_or_admins = _ManagersOrAdmins(_action_department_map(actions))
    planned: list[PlannedReminder] = []
    for action in actions:
        planned += _action_reminders(
            action, today=local_now.date(), managers_or_admins=managers_or_admins
        )
    return planned


def due_confirmation_reminders(*, now: datetime.datetime) -> list[PlannedReminder]:
    """Role confirmations past their due date (responsibilities/attestation): once per
    due date a reminder to the holder, on the day after it; once, when
    ATTESTATION_ESCALATION_DAYS overdue, an escalation to the managers of the role's
    department (the org admins when it has none), one per role and due date. Sent
    from REMINDER_REVIEW_HOUR local time, like the other overdue reminders. Two
    queries, and the managers' map when something escalates."""
    local_now = timezone.localtime(now)
    if local_now.hour < settings.REMINDER_REVIEW_HOUR:
        return []
    today = local_now.date()
    overdue = overdue_pending(today)
    if not overdue:
        return []
    escalate_after = datetime.timedelta(days=settings.ATTESTATION_ESCALATION_DAYS)
    escalating = [row for row in overdue if today - row["due_on"] >= escalate_after]
    managers_or_admins = _ManagersOrAdmins({row["pk"]: {row["department_id"]} for row in overdue})
    planned = [
        PlannedReminder(
            kind=Kind.CONFIRMATION,
            recipient_id=row["person_id"],
            occurrence=_at_review_hour(row["due_on"] + datetime.timedelta(days=1)),
            role_id=row["role_id"],
            due_on=row["due_on"],
        )
        for row in overdue
    ]
    for row in escalating:
        planned += [
            PlannedReminder(
                kind=Kind.CONFIRMATION_ESCALATION,
                recipient_id=recipient_id,
                occurrence=_at_review_hour(row["due_on"] + escalate_after),
                role_id=row["role_id"],
                due_on=row["due_on"],
            )
            for recipient_id in managers_or_admins(row["pk"])
        ]
    return planned
