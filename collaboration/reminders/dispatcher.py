"""Reminders: what is due, and sending each one exactly once.

Beat runs `dispatch_reminders` every minute (orgmap/celery.py). The dispatcher reads
the database with the clock it is given (`now`) and, for every (thing, occurrence,
recipient, kind) that is due, inserts one ReminderDelivery whose `key` is unique, with
its in-app Notification, in one transaction; the email task is enqueued on commit.
A second dispatcher run, or two at once, finds the key taken and does nothing.

The send task claims the delivery with a conditional UPDATE (pending -> sending)
before it talks to the mail server, so a task delivered twice sends once. A failed
send goes back to pending with a backoff (next_attempt_at) and the dispatcher
re-enqueues it when that time comes; after REMINDER_MAX_ATTEMPTS it is marked failed
and stays visible in the admin. A delivery left in `sending` by a worker that died is
picked up again after REMINDER_STUCK_SECONDS: we prefer a rare duplicate (the worker
had in fact sent it) to a lost reminder. docs/reminders.md has the details.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from collaboration.meetings import calendar, recurrence, reviews
from collaboration.meetings import selectors as meetings
from collaboration.meetings.models import Meeting
from collaboration.routines.models import ImprovementAction
from collaboration.routines.selectors import overdue_improvement_actions
from orgmap.models import Role
from responsibilities.models import Duty

from .models import Notification, ReminderDelivery

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

    @property
    def key(self) -> str:
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
    today = local_now.date()
    actions = list(
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
    if not actions:
        return []
    departments = _action_department_map(actions)
    repeat_days = settings.REMINDER_REPEAT_DAYS
    escalate_after = datetime.timedelta(days=settings.REMINDER_ESCALATION_DAYS)
    managers: dict[int, set[int]] | None = None
    admins: set[int] | None = None

    def managers_or_admins(action_id: int) -> set[int]:
        nonlocal managers, admins
        if managers is None:
            managers = reviews.department_manager_map()
        recipients = set().union(*(managers.get(pk, set()) for pk in departments[action_id]))
        if recipients:
            return recipients
        if admins is None:
            admins = reviews.org_admin_ids()
        return admins

    planned: list[PlannedReminder] = []
    for action in actions:
        due_on = action["due_on"]
        first_day = due_on + datetime.timedelta(days=1)
        repeats = (today - first_day).days // repeat_days
        reminder_day = first_day + datetime.timedelta(days=repeats * repeat_days)
        if action["owner_active"]:
            owner_ids = {action["owner_id"]}
        else:
            owner_ids = managers_or_admins(action["pk"])
        for recipient_id in owner_ids:
            planned.append(
                PlannedReminder(
                    kind=Kind.ACTION,
                    recipient_id=recipient_id,
                    occurrence=_at_review_hour(reminder_day),
                    action_id=action["pk"],
                    due_on=due_on,
                )
            )
        if today - due_on >= escalate_after:
            for recipient_id in managers_or_admins(action["pk"]):
                planned.append(
                    PlannedReminder(
                        kind=Kind.ACTION_ESCALATION,
                        recipient_id=recipient_id,
                        occurrence=_at_review_hour(due_on + escalate_after),
                        action_id=action["pk"],
                        due_on=due_on,
                    )
                )
    return planned


# --- dispatching -------------------------------------------------------------------


@dataclass
class DispatchResult:
    created: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)


# The send task, by its registered name: tasks.py imports this module, so this module
# does not import tasks.py (no import cycle). Looked up in the app's registry, the task
# still runs inline where tests make Celery eager.
SEND_REMINDER_TASK = "collaboration.tasks.send_reminder"


def _enqueue(delivery_id: int) -> None:
    current_app.tasks[SEND_REMINDER_TASK].delay(delivery_id)


def _email_wanted(user) -> tuple[bool, str]:
    if not user.email:
        return False, "No email address."
    if not user.profile.email_reminders:
        return False, "Email reminders are turned off in the profile."
    return True, ""


def _delivery_create(planned: PlannedReminder, *, recipient, now: datetime.datetime) -> int | None:
    """Insert the delivery and its notification; None if the key already exists."""
    wanted, reason = _email_wanted(recipient)
    try:
        with transaction.atomic():
            delivery = ReminderDelivery.objects.create(
                key=planned.key,
                kind=planned.kind,
                recipient=recipient,
                meeting_id=planned.meeting_id,
                role_id=planned.role_id,
                duty_id=planned.duty_id,
                action_id=planned.action_id,
                occurrence=planned.occurrence,
                lead_minutes=planned.lead_minutes,
                due_on=planned.due_on,
                status=Status.PENDING if wanted else Status.SKIPPED,
                detail=reason,
                next_attempt_at=now if wanted else None,
                enqueued_at=now if wanted else None,
            )
            Notification.objects.create(recipient=recipient, delivery=delivery)
            if wanted:
                transaction.on_commit(partial(_enqueue, delivery.pk))
    except IntegrityError:
        # Another dispatcher inserted the same key first: that one sends it.
        return None
    return delivery.pk


def _deliveries_create(planned: Iterable[PlannedReminder], *, now: datetime.datetime) -> list[int]:
    by_key = {reminder.key: reminder for reminder in planned}
    existing: set[str] = set()
    keys = list(by_key)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        existing |= set(
            ReminderDelivery.objects.filter(key__in=chunk).values_list("key", flat=True)
        )
    missing = [reminder for key, reminder in by_key.items() if key not in existing]
    if not missing:
        return []
    recipients = (
        get_user_model()
        .objects.select_related("profile")
        .in_bulk({reminder.recipient_id for reminder in missing})
    )
    created = []
    for reminder in missing:
        recipient = recipients.get(reminder.recipient_id)
        if recipient is None or not recipient.is_active:
            continue
        delivery_id = _delivery_create(reminder, recipient=recipient, now=now)
        if delivery_id is not None:
            created.append(delivery_id)
    return created


def _requeue_condition(now: datetime.datetime) -> Q:
    """Deliveries whose send task is due but not (any more) on its way: a retry whose
    backoff has passed, a task lost with the broker, or a worker that died mid-send."""
    stale = now - datetime.timedelta(seconds=settings.REMINDER_STUCK_SECONDS)
    not_queued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale)
    retry_due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    stuck = Q(status=Status.SENDING, claimed_at__lt=stale)
    return (retry_due | stuck) & not_queued


def _deliveries_requeue(*, now: datetime.datetime) -> list[int]:
    condition = _requeue_condition(now)
    requeued = []
    for delivery_id in ReminderDelivery.objects.filter(condition).values_list("pk", flat=True)[
        :500
    ]:
        # Conditional: of two dispatchers at once, one enqueues it.
        with transaction.atomic():
            if ReminderDelivery.objects.filter(condition, pk=delivery_id).update(enqueued_at=now):
                transaction.on_commit(partial(_enqueue, delivery_id))
                requeued.append(delivery_id)
    return requeued


def reminders_dispatch(*, now: datetime.datetime) -> DispatchResult:
    """Create what is due and enqueue what needs sending. Safe to run twice, or
    twice at once."""
    result = DispatchResult()
    result.requeued = _deliveries_requeue(now=now)
    planned = (
        due_meeting_reminders(now=now)
        + due_review_reminders(now=now)
        + due_action_reminders(now=now)
    )
    result.created = _deliveries_create(planned, now=now)
    if result.created or result.requeued:
        logger.info("reminders: %d new, %d re-enqueued", len(result.created), len(result.requeued))
    return result


# --- sending -----------------------------------------------------------------------


def _obsolete_reason(delivery: ReminderDelivery, now: datetime.datetime) -> str:
    """Why this reminder should not go out any more, or "" if it should."""
    if delivery.meeting_id:
        meeting = delivery.meeting
        if meeting.cancelled:
            return "The meeting was cancelled."
        if not recurrence.is_occurrence(meeting, delivery.occurrence):
            return "The meeting was moved; this occurrence no longer exists."
        if delivery.occurrence <= now:
            return "The meeting had started before the reminder could be sent."
        return ""
    if delivery.action_id:
        action = delivery.action
        if action.status == ImprovementAction.Status.DONE:
            return "The improvement action was done in the meantime."
        if action.due_on != delivery.due_on:
            return "The improvement action's due date was moved in the meantime."
        if (
            delivery.kind == Kind.ACTION
            and action.owner.is_active
            and delivery.recipient_id != action.owner_id
        ):
            return "The improvement action was given to somebody else in the meantime."
        return ""
    subject = delivery.role or delivery.duty
    if not subject.active or subject.next_review_due != delivery.due_on:
        return "The review was recorded (or the role or duty retired) in the meantime."
    return ""


def reminder_summary(delivery: ReminderDelivery) -> str:
    """One translated sentence, in the active language, for the bell and the email."""
    if delivery.meeting_id:
        meeting = delivery.meeting
        local = delivery.occurrence.astimezone(recurrence.zone(meeting.time_zone))
        return _("“%(title)s” starts on %(date)s at %(time)s (%(zone)s).") % {
            "title": meeting.title,
            "date": formats.date_format(local, "DATE_FORMAT"),
            "time": local.strftime("%H:%M"),
            "zone": meeting.time_zone,
        }
    if delivery.action_id:
        action = delivery.action
        values = {
            "title": action.title,
            "owner": action.owner.profile.name,
            "date": formats.date_format(delivery.due_on, "DATE_FORMAT"),
            "days": settings.REMINDER_ESCALATION_DAYS,
        }
        if delivery.kind == Kind.ACTION_ESCALATION:
            return (
                _(
                    "The improvement action “%(title)s” (owner: %(owner)s) has been overdue for %(days)s days (due on %(date)s)."
                )
                % values
            )
        return (
            _("The improvement action “%(title)s” was due on %(date)s and is not done yet.")
            % values
        )
    subject = delivery.role or delivery.duty
    values = {
        "title": str(subject),
        "department": subject.department.name,
        "date": formats.date_format(delivery.due_on, "DATE_FORMAT"),
        "days": settings.REMINDER_ESCALATION_DAYS,
    }
    if delivery.kind == Kind.ESCALATION:
        if delivery.role_id:
            return (
                _(
                    "The review of the role “%(title)s” (%(department)s) has been overdue for %(days)s days (due on %(date)s)."
                )
                % values
            )
        return (
            _(
                "The review of the duty “%(title)s” (%(department)s) has been overdue for %(days)s days (due on %(date)s)."
            )
            % values
        )
    if delivery.role_id:
        return (
            _("The review of the role “%(title)s” (%(department)s) fell due on %(date)s.") % values
        )
    return _("The review of the duty “%(title)s” (%(department)s) fell due on %(date)s.") % values


def reminder_url(delivery: ReminderDelivery) -> str:
    if delivery.meeting_id:
        return delivery.meeting.get_absolute_url()
    if delivery.action_id:
        # Its owner and the managers escalated to may both change it there.
        return reverse("action-edit", args=[delivery.action_id])
    if delivery.kind == Kind.ESCALATION:
        # The head of the parent department may not be one who records the review.
        subject = delivery.role or delivery.duty
        return reverse("department-reviews", args=[subject.department.code])
    if delivery.role_id:
        return reverse("role-review", args=[delivery.role_id])
    return reverse("duty-review", args=[delivery.duty_id])


def reminder_email(delivery: ReminderDelivery) -> EmailMultiAlternatives:
    """The email, in the recipient's language; times in the meeting's time zone."""
    recipient = delivery.recipient
    meeting = delivery.meeting
    zone_name = meeting.time_zone if meeting else settings.TIME_ZONE
    with translation.override(recipient.profile.preferred_language), timezone.override(zone_name):
        context = {
            "delivery": delivery,
            "recipient": recipient,
            "meeting": meeting,
            "subject": delivery.role or delivery.duty,
            "action": delivery.action,
            "escalation_days": settings.REMINDER_ESCALATION_DAYS,
            "summary": reminder_summary(delivery),
            "url": calendar.site_url(reminder_url(delivery)),
            "site_url": settings.SITE_URL,
            "profile_url": calendar.site_url(reverse("profile")),
        }
        if meeting:
            template = "meeting_reminder"
        elif delivery.action_id:
            template = "action_reminder"
        else:
            template = "review_reminder"
        subject = render_to_string(f"reminders/email/{template}_subject.txt", context)
        body = render_to_string(f"reminders/email/{template}.txt", context)
        html = render_to_string(f"reminders/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[recipient.email]
    )
    message.attach_alternative(html, "text/html")
    if meeting:
        message.attach(
            f"{slugify(meeting.title) or 'meeting'}.ics",
            calendar.meeting_ics(meeting).decode(),
            "text/calendar",
        )
    return message


def _backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.REMINDER_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return datetime.timedelta(seconds=min(seconds, 3600))


# Statuses that mean an email reminder did not (surely) reach its recipient: counted
# together on the notifications page and found together in the admin.
UNDELIVERED = (Status.FAILED, Status.EXPIRED, Status.UNKNOWN)


def _too_late(delivery: ReminderDelivery, now: datetime.datetime) -> bool:
    """A meeting reminder whose meeting has begun: it can no longer be useful."""
    if not delivery.meeting_id or delivery.occurrence > now:
        return False
    meeting = delivery.meeting
    # A cancelled or moved occurrence needed nothing: that is "skipped", not a loss.
    return not meeting.cancelled and recurrence.is_occurrence(meeting, delivery.occurrence)


def delivery_send(*, delivery_id: int, now: datetime.datetime) -> str:
    """Claim the delivery, send its email, record the outcome. Returns the status
    it was left in, or "" if it was not ours to send (already sent, being sent by
    another worker, failed, in-app only).

    Never silent about a loss: a reminder that something needed but that could not go
    out before its meeting began is EXPIRED (not SKIPPED, which means nothing needed
    sending), and a retry is never planned after that moment. A delivery reclaimed
    from a worker that stopped mid-send is sent again while still useful; once it is
    too late, its outcome is UNKNOWN (the first attempt may have arrived)."""
    stale = now - datetime.timedelta(seconds=settings.REMINDER_STUCK_SECONDS)
    claim = {
        "status": Status.SENDING,
        "claimed_at": now,
        "enqueued_at": None,
        "attempts": F("attempts") + 1,
    }
    # Two updates, so that we know whether this is a send interrupted earlier.
    interrupted = bool(
        ReminderDelivery.objects.filter(
            pk=delivery_id, status=Status.SENDING, claimed_at__lt=stale
        ).update(**claim)
    )
    claimed = interrupted or ReminderDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING
    ).update(**claim)
    if not claimed:
        return ""
    delivery = ReminderDelivery.objects.select_related(
        "recipient__profile",
        "meeting__organiser__profile",
        "role__department",
        "duty__department",
        "action__owner__profile",
        "action__feedback",
    ).get(pk=delivery_id)
    ours = ReminderDelivery.objects.filter(pk=delivery_id, status=Status.SENDING, claimed_at=now)
    reason = _obsolete_reason(delivery, now)
    if reason and _too_late(delivery, now):
        if interrupted:
            ours.update(
                status=Status.UNKNOWN,
                detail="A worker stopped while sending this reminder and the meeting has "
                "begun since: the mail server may or may not have received it.",
                next_attempt_at=None,
            )
            return Status.UNKNOWN
        earlier = f" Last error: {delivery.detail}" if delivery.detail else ""
        ours.update(status=Status.EXPIRED, detail=reason + earlier, next_attempt_at=None)
        return Status.EXPIRED
    if not reason:
        _wanted, reason = _email_wanted(delivery.recipient)
    if reason:
        ours.update(status=Status.SKIPPED, detail=reason)
        return Status.SKIPPED
    try:
        reminder_email(delivery).send()
    except Exception as error:  # SMTP refusals, connection errors, timeouts, bugs
        detail = f"{type(error).__name__}: {error}"
        if delivery.attempts >= settings.REMINDER_MAX_ATTEMPTS:
            logger.error("reminder %s failed for good: %s", delivery.key, detail)
            ours.update(status=Status.FAILED, detail=detail, next_attempt_at=None)
            return Status.FAILED
        retry_at = now + _backoff(delivery.attempts)
        if delivery.meeting_id and retry_at >= delivery.occurrence:
            # Within the useful window: halfway to the start, or give up if no time is left.
            left = delivery.occurrence - now
            if left < datetime.timedelta(seconds=settings.REMINDER_RETRY_SECONDS):
                logger.error("reminder %s expired unsent: %s", delivery.key, detail)
                ours.update(
                    status=Status.EXPIRED,
                    detail=f"No time left to retry before the meeting. Last error: {detail}",
                    next_attempt_at=None,
                )
                return Status.EXPIRED
            retry_at = now + left / 2
        logger.warning("reminder %s failed, retrying at %s: %s", delivery.key, retry_at, detail)
        ours.update(status=Status.PENDING, detail=detail, next_attempt_at=retry_at)
        return Status.PENDING
    ours.update(status=Status.SENT, sent_at=now, detail="", next_attempt_at=None)
    return Status.SENT


def delivery_retry(*, delivery: ReminderDelivery, now: datetime.datetime) -> bool:
    """An admin's "try again" on a failed delivery: back to pending, fresh attempts."""
    return bool(
        ReminderDelivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
            status=Status.PENDING, attempts=0, next_attempt_at=now, enqueued_at=None
        )
    )
