"""The series rules: python-dateutil's rrule in the meeting's own time zone."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from collaboration.meetings import recurrence

UTC = datetime.UTC
BERLIN = ZoneInfo("Europe/Berlin")


def series(
    start: datetime.datetime, repeats: str, *, zone: str = "Europe/Berlin", until=None, count=None
):
    return SimpleNamespace(
        starts_at=start,
        time_zone=zone,
        recurrence=repeats,
        recurrence_until=until,
        recurrence_count=count,
    )


def test_weekly_meeting_keeps_its_local_time_across_the_spring_change():
    # Berlin moves to summer time on Sunday 29 March 2026.
    weekly = series(datetime.datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN), "weekly")
    found = recurrence.occurrences(
        weekly,
        start=datetime.datetime(2026, 3, 16, tzinfo=UTC),
        end=datetime.datetime(2026, 4, 7, tzinfo=UTC),
    )
    assert [o.astimezone(BERLIN).strftime("%d %H:%M") for o in found] == [
        "16 09:00",
        "23 09:00",
        "30 09:00",
        "06 09:00",
    ]
    # In UTC the meeting moves an hour earlier after the change.
    assert [o.hour for o in found] == [8, 8, 7, 7]


def test_weekly_meeting_keeps_its_local_time_across_the_autumn_change():
    weekly = series(datetime.datetime(2026, 10, 19, 9, 0, tzinfo=BERLIN), "weekly")
    found = recurrence.next_occurrences(
        weekly, after=datetime.datetime(2026, 10, 19, tzinfo=UTC), limit=3
    )
    assert [(o.astimezone(BERLIN).day, o.astimezone(BERLIN).hour, o.hour) for o in found] == [
        (19, 9, 7),
        (26, 9, 8),
        (2, 9, 8),
    ]


def test_biweekly_series_crosses_the_month_end():
    fortnightly = series(datetime.datetime(2026, 1, 21, 14, 0, tzinfo=BERLIN), "biweekly", count=4)
    found = recurrence.next_occurrences(
        fortnightly, after=datetime.datetime(2026, 1, 1, tzinfo=UTC), limit=10
    )
    assert [o.astimezone(BERLIN).date().isoformat() for o in found] == [
        "2026-01-21",
        "2026-02-04",
        "2026-02-18",
        "2026-03-04",
    ]


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months():
    monthly = series(datetime.datetime(2026, 1, 31, 10, 0, tzinfo=BERLIN), "monthly", count=4)
    found = recurrence.next_occurrences(
        monthly, after=datetime.datetime(2026, 1, 1, tzinfo=UTC), limit=10
    )
    assert [o.astimezone(BERLIN).date().isoformat() for o in found] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]
    # 31 March is summer time, 28 February is not: both at 10:00 local time.
    assert {o.astimezone(BERLIN).hour for o in found} == {10}


def test_monthly_on_an_ordinary_day():
    monthly = series(datetime.datetime(2026, 1, 15, 10, 0, tzinfo=BERLIN), "monthly")
    found = recurrence.next_occurrences(
        monthly, after=datetime.datetime(2026, 1, 16, tzinfo=UTC), limit=2
    )
    assert [o.astimezone(BERLIN).date().isoformat() for o in found] == ["2026-02-15", "2026-03-15"]


def test_until_date_is_inclusive_and_ends_the_series():
    daily = series(
        datetime.datetime(2026, 5, 4, 8, 30, tzinfo=UTC),
        "daily",
        zone="UTC",
        until=datetime.date(2026, 5, 6),
    )
    found = recurrence.occurrences(
        daily,
        start=datetime.datetime(2026, 5, 1, tzinfo=UTC),
        end=datetime.datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert [o.day for o in found] == [4, 5, 6]
    assert recurrence.last_occurrence(daily) == datetime.datetime(2026, 5, 6, 8, 30, tzinfo=UTC)


def test_one_off_meeting_has_one_occurrence():
    once = series(datetime.datetime(2026, 5, 4, 8, 30, tzinfo=UTC), "none", zone="UTC")
    assert recurrence.next_occurrences(once, after=datetime.datetime(2026, 5, 1, tzinfo=UTC)) == [
        datetime.datetime(2026, 5, 4, 8, 30, tzinfo=UTC)
    ]
    assert recurrence.next_occurrences(once, after=datetime.datetime(2026, 5, 5, tzinfo=UTC)) == []
    assert recurrence.is_occurrence(once, datetime.datetime(2026, 5, 4, 8, 30, tzinfo=UTC))
    assert not recurrence.is_occurrence(once, datetime.datetime(2026, 5, 4, 9, 30, tzinfo=UTC))


def test_open_ended_series_has_no_last_occurrence():
    weekly = series(datetime.datetime(2026, 5, 4, 8, 30, tzinfo=UTC), "weekly", zone="UTC")
    assert recurrence.last_occurrence(weekly) is None


def test_lead_times_are_read_from_the_environment_format():
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    from orgmap.settings import parse_lead_times

    assert parse_lead_times("24h,15m") == [1440, 15]
    assert parse_lead_times(" 2d , 90 ,1h") == [2880, 90, 60]
    with pytest.raises(ImproperlyConfigured):
        parse_lead_times("soon")
