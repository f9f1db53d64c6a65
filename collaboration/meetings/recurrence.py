"""When a meeting happens: its series as a python-dateutil rrule, expanded in the
meeting's own time zone. No ORM here: a Meeting (or anything with the same fields) in,
aware datetimes out.

The rule runs over naive wall-clock times in the meeting's zone and each occurrence
is localised afterwards, so a weekly 09:00 meeting in Europe/Berlin stays at 09:00
local time when the clocks change (its UTC time moves by an hour instead).
"""

from __future__ import annotations

import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

UTC = datetime.UTC

# recurrence value: (rrule frequency, interval)
FREQUENCIES = {
    "daily": (rrule.DAILY, 1),
    "weekly": (rrule.WEEKLY, 1),
    "biweekly": (rrule.WEEKLY, 2),
    "monthly": (rrule.MONTHLY, 1),
}


class Schedulable(Protocol):
    starts_at: datetime.datetime
    time_zone: str
    recurrence: str
    recurrence_until: datetime.date | None
    recurrence_count: int | None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def monthly_days(day: int) -> dict:
    """rrule arguments for "monthly on this day". Days after the 28th fall on the
    last day of shorter months (the 31st becomes 30 April and 28 February) instead of
    skipping those months, as rrule alone would."""
    if day <= 28:
        return {"bymonthday": (day,)}
    return {"bymonthday": (day, -1), "bysetpos": 1}


def series_rule(meeting: Schedulable) -> rrule.rrule | None:
    """The series over naive local times, or None for a one-off meeting."""
    if meeting.recurrence not in FREQUENCIES:
        return None
    frequency, interval = FREQUENCIES[meeting.recurrence]
    local_start = meeting.starts_at.astimezone(zone(meeting.time_zone)).replace(tzinfo=None)
    options: dict = {"dtstart": local_start, "interval": interval}
    if meeting.recurrence == "monthly":
        options |= monthly_days(local_start.day)
    if meeting.recurrence_until:
        # The end date is inclusive: a meeting on that day still happens.
        options["until"] = datetime.datetime.combine(meeting.recurrence_until, datetime.time.max)
    if meeting.recurrence_count:
        options["count"] = meeting.recurrence_count
    return rrule.rrule(frequency, **options)


def _localise(local: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    # fold=0: in the repeated hour of an autumn change, the first (summer-time) one.
    return local.replace(tzinfo=tz).astimezone(UTC)


def occurrences(
    meeting: Schedulable, *, start: datetime.datetime, end: datetime.datetime
) -> list[datetime.datetime]:
    """Starts of the occurrences with start <= occurrence < end, in UTC."""
    if meeting.recurrence not in FREQUENCIES:
        return [meeting.starts_at.astimezone(UTC)] if start <= meeting.starts_at < end else []
    tz = zone(meeting.time_zone)
    rule = series_rule(meeting)
    # The rule speaks wall-clock time; widen by a day each side, then filter in UTC.
    local_from = start.astimezone(tz).replace(tzinfo=None) - datetime.timedelta(days=1)
    local_to = end.astimezone(tz).replace(tzinfo=None) + datetime.timedelta(days=1)
    found = (_localise(local, tz) for local in rule.between(local_from, local_to, inc=True))
    return [occurrence for occurrence in found if start <= occurrence < end]


def next_occurrences(
    meeting: Schedulable, *, after: datetime.datetime, limit: int = 1
) -> list[datetime.datetime]:
    """The next `limit` occurrences starting at or after `after`, in UTC."""
    if meeting.recurrence not in FREQUENCIES:
        return [meeting.starts_at.astimezone(UTC)] if meeting.starts_at >= after else []
    tz = zone(meeting.time_zone)
    local_from = after.astimezone(tz).replace(tzinfo=None) - datetime.timedelta(days=1)
    found: list[datetime.datetime] = []
    for local in series_rule(meeting).xafter(local_from, inc=True):
        occurrence = _localise(local, tz)
        if occurrence >= after:
            found.append(occurrence)
            if len(found) >= limit:
                break
    return found


def last_occurrence(meeting: Schedulable) -> datetime.datetime | None:
    """The start of the last occurrence, or None for a series without an end."""
    if meeting.recurrence not in FREQUENCIES:
        return meeting.starts_at.astimezone(UTC)
    if not (meeting.recurrence_until or meeting.recurrence_count):
        return None
    rule = series_rule(meeting)
    last = None
    for last in rule:  # noqa: B007 - bounded by UNTIL or COUNT
        pass
    return _localise(last, zone(meeting.time_zone)) if last else None


def is_occurrence(meeting: Schedulable, moment: datetime.datetime) -> bool:
    """Whether the series (as it is now) still has an occurrence starting at `moment`."""
    return bool(occurrences(meeting, start=moment, end=moment + datetime.timedelta(seconds=1)))
