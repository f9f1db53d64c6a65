"""Factories for meetings and helpers for reminder tests."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from collaboration.meetings.models import Meeting
from orgmap.models import Department, Role

UTC = datetime.UTC
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def make_meeting(demo_org):
    """make_meeting(starts_at=..., roles=[...titles], people=[users], **fields)."""

    def make(
        *,
        starts_at: datetime.datetime,
        roles: list[str] = (),
        people: list = (),
        departments: list[str] = ("SALES",),
        **fields,
    ) -> Meeting:
        fields.setdefault("title", "Sync")
        fields.setdefault("time_zone", "UTC")
        fields.setdefault("duration_minutes", 30)
        meeting = Meeting.objects.create(starts_at=starts_at, **fields)
        meeting.departments.set(Department.objects.filter(code__in=departments))
        meeting.attendee_roles.set(Role.objects.filter(title__in=roles))
        meeting.attendee_people.set(people)
        return meeting

    return make
