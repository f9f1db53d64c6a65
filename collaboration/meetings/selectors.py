"""Meetings: who may schedule and edit them, who attends, writes and reads.

Permissions follow orgmap/permissions.py: org admins everything; department managers
the meetings of their departments; project coordinators the meetings of their
project; the organiser their own meeting; every logged-in member reads meetings.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap import permissions
from orgmap.models import Department, Project, Role, RoleHolder
from orgmap.permissions import User

from . import recurrence
from .models import Meeting

# --- permissions -------------------------------------------------------------------


def meeting_queryset() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("organiser__profile", "project").prefetch_related(
        "departments"
    )


def get_meeting_for_manage(user: User, pk: int) -> Meeting:
    meeting = get_object_or_404(meeting_queryset(), pk=pk)
    if not permissions.can_manage_meeting(user, meeting):
        raise PermissionDenied(
            _(
                "You may not edit the meeting “%(title)s”: only its organiser, the managers of its departments and the coordinators of its project may."
            )
            % {"title": meeting.title}
        )
    return meeting


# --- attendees ---------------------------------------------------------------------


def attendee_map(
    meetings: Iterable[Meeting], *, on: datetime.date
) -> dict[int, list[AbstractBaseUser]]:
    """{meeting id: attendees} for many meetings in four queries: the organiser, the
    invited people, and whoever holds an invited role on that day; active people
    only, each once, sorted by name."""
    meetings = list(meetings)
    ids = [meeting.pk for meeting in meetings]
    if not ids:
        return {}
    user_ids: dict[int, set[int]] = defaultdict(set)
    for meeting in meetings:
        if meeting.organiser_id:
            user_ids[meeting.pk].add(meeting.organiser_id)
    people = Meeting.attendee_people.through.objects.filter(meeting_id__in=ids)
    for meeting_id, user_id in people.values_list("meeting_id", "user_id"):
        user_ids[meeting_id].add(user_id)
    invited_roles = Meeting.attendee_roles.through.objects.filter(meeting_id__in=ids)
    roles_of: dict[int, set[int]] = defaultdict(set)
    for meeting_id, role_id in invited_roles.values_list("meeting_id", "role_id"):
        roles_of[role_id].add(meeting_id)
    holdings = RoleHolder.objects.current(on).filter(role_id__in=roles_of, role__active=True)
    for role_id, person_id in holdings.values_list("role_id", "person_id"):
        for meeting_id in roles_of[role_id]:
            user_ids[meeting_id].add(person_id)
    everyone = set().union(*user_ids.values()) if user_ids else set()
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in=everyone, is_active=True)
        .select_related("profile")
    }
    return {
        meeting_id: sorted(
            (users[pk] for pk in user_ids.get(meeting_id, ()) if pk in users),
            key=lambda user: user.profile.name.lower(),
        )
        for meeting_id in ids
    }


def attendees(meeting: Meeting, *, on: datetime.date | None = None) -> list[AbstractBaseUser]:
    return attendee_map([meeting], on=on or timezone.localdate())[meeting.pk]


def meetings_of_user(user: AbstractBaseUser) -> QuerySet[Meeting]:
    """Meetings the user organises, is invited to, or holds an invited role for."""
    held_roles = RoleHolder.objects.current().filter(person=user).values("role_id")
    matching = Meeting.objects.filter(
        Q(organiser=user) | Q(attendee_people=user) | Q(attendee_roles__in=held_roles)
    ).values("pk")
    return Meeting.objects.filter(pk__in=matching)


# --- writes ------------------------------------------------------------------------


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    departments: Iterable[Department],
    attendee_roles: Iterable[Role],
    attendee_people: Iterable[AbstractBaseUser],
    by: AbstractBaseUser,
) -> Meeting:
    """Create or update a meeting and its invitations."""
    if meeting.organiser_id is None:
        meeting.organiser = by
    if meeting.pk:
        # Calendar apps take an update only when SEQUENCE grows.
        meeting.sequence += 1
    meeting.full_clean()
    meeting.save()
    meeting.departments.set(departments)
    meeting.attendee_roles.set(attendee_roles)
    meeting.attendee_people.set(attendee_people)
    return meeting


def meeting_minutes_set(*, meeting: Meeting, minutes: str) -> Meeting:
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes", "updated_at"])
    return meeting


# --- reads -------------------------------------------------------------------------


@dataclass
class MeetingRow:
    meeting: Meeting
    next_start: datetime.datetime | None
    last_start: datetime.datetime | None

    @property
    def sort_start(self) -> datetime.datetime:
        return self.next_start or self.last_start or self.meeting.starts_at


UPCOMING, PAST = "upcoming", "past"


def meeting_rows(
    *,
    now: datetime.datetime,
    when: str = UPCOMING,
    department: Department | None = None,
    project: Project | None = None,
    role: Role | None = None,
    attendee: AbstractBaseUser | None = None,
) -> list[MeetingRow]:
    """Meetings with their next occurrence (upcoming: soonest first) or their last one
    (past: latest first), in a constant number of queries."""
    meetings = meeting_queryset().order_by("starts_at", "pk")
    if department is not None:
        meetings = meetings.filter(departments=department)
    if project is not None:
        meetings = meetings.filter(project=project)
    if role is not None:
        meetings = meetings.filter(attendee_roles=role)
    if attendee is not None:
        meetings = meetings.filter(pk__in=meetings_of_user(attendee))
    if when == UPCOMING:
        # A cheap pre-filter; series ending by count are decided by the rule.
        meetings = meetings.filter(
            Q(recurrence=Meeting.Recurrence.NONE, starts_at__gte=now)
            | (
                ~Q(recurrence=Meeting.Recurrence.NONE)
                & (Q(recurrence_until__isnull=True) | Q(recurrence_until__gte=now.date()))
            )
        )
    rows = []
    for meeting in meetings.distinct():
        upcoming = recurrence.next_occurrences(meeting, after=now)
        next_start = upcoming[0] if upcoming else None
        if when == UPCOMING and next_start is None:
            continue
        if when == PAST and next_start is not None:
            continue
        last = None if next_start else recurrence.last_occurrence(meeting)
        rows.append(MeetingRow(meeting=meeting, next_start=next_start, last_start=last))
    rows.sort(key=lambda row: row.sort_start, reverse=when == PAST)
    return rows
