"""iCalendar files: one meeting (download, email attachment) and a person's feed.

A recurring meeting is one VEVENT with an RRULE in the meeting's own time zone (with
its VTIMEZONE), so calendar apps expand it exactly as the reminders do. The feed's
secret address is a (feed id, token) pair; the token is compared in constant time.
"""

from __future__ import annotations

import datetime
import hmac
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from . import recurrence
from . import selectors as meetings
from .models import CalendarFeed, Meeting

PRODID = "-//orgmap//meetings//EN"
FREQ_NAMES = {"daily": "DAILY", "weekly": "WEEKLY", "biweekly": "WEEKLY", "monthly": "MONTHLY"}


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def meeting_uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@orgmap"


def _address(user: AbstractBaseUser, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.profile.name
    address.params["ROLE"] = role
    return address


def series_rrule(meeting: Meeting) -> dict | None:
    if meeting.recurrence not in FREQ_NAMES:
        return None
    rule: dict = {"FREQ": FREQ_NAMES[meeting.recurrence]}
    if meeting.recurrence == Meeting.Recurrence.BIWEEKLY:
        rule["INTERVAL"] = 2
    if meeting.recurrence == Meeting.Recurrence.MONTHLY:
        day = meeting.starts_at.astimezone(recurrence.zone(meeting.time_zone)).day
        rule |= {key.upper(): value for key, value in recurrence.monthly_days(day).items()}
    if meeting.recurrence_until:
        # RFC 5545: with a zoned DTSTART, UNTIL is given in UTC.
        tz = recurrence.zone(meeting.time_zone)
        end_of_day = datetime.datetime.combine(
            meeting.recurrence_until, datetime.time(23, 59, 59), tzinfo=tz
        )
        rule["UNTIL"] = end_of_day.astimezone(datetime.UTC)
    if meeting.recurrence_count:
        rule["COUNT"] = meeting.recurrence_count
    return rule


def meeting_event(meeting: Meeting, *, attendees: Iterable[AbstractBaseUser]) -> Event:
    tz = recurrence.zone(meeting.time_zone)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at or timezone.now())
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("duration", datetime.timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    description = meeting.agenda.strip()
    url = site_url(meeting.get_absolute_url())
    event.add("description", f"{description}\n\n{url}" if description else url)
    event.add("url", url)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    rule = series_rrule(meeting)
    if rule:
        event.add("rrule", rule)
    if meeting.organiser_id and meeting.organiser.email:
        event.add("organizer", _address(meeting.organiser, "CHAIR"), encode=0)
    for person in attendees:
        if person.email and person.pk != meeting.organiser_id:
            event.add("attendee", _address(person, "REQ-PARTICIPANT"), encode=0)
    return event


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def meeting_ics(meeting: Meeting, *, attendees: Iterable[AbstractBaseUser] | None = None) -> bytes:
    if attendees is None:
        attendees = meetings.attendees(meeting)
    calendar = _calendar()
    calendar.add_component(meeting_event(meeting, attendees=attendees))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(user: AbstractBaseUser, *, name: str) -> bytes:
    """Every meeting of the user, cancelled ones included (as CANCELLED) so that
    subscribed calendars drop them."""
    found = list(
        meetings.meeting_queryset().filter(pk__in=meetings.meetings_of_user(user).values("pk"))
    )
    attendees = meetings.attendee_map(found, on=timezone.localdate())
    calendar = _calendar(name)
    # Calendar apps poll subscriptions; ask for an hourly refresh.
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for meeting in found:
        calendar.add_component(meeting_event(meeting, attendees=attendees[meeting.pk]))
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- the secret feed address -------------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_get(*, user: AbstractBaseUser) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": _new_token()})
    return feed


def calendar_feed_reset(*, user: AbstractBaseUser) -> CalendarFeed:
    """A new token: the old address stops working at once."""
    feed, created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": _new_token()})
    if not created:
        feed.token = _new_token()
        feed.save(update_fields=["token", "created_at"])
    return feed


def calendar_feed_url(feed: CalendarFeed) -> str:
    return site_url(reverse("calendar-feed", args=[feed.pk, feed.token]))


def calendar_feed_check(*, feed_id: int, token: str) -> CalendarFeed | None:
    """The feed if the token matches, else None. The lookup is by id; the secret is
    compared with hmac.compare_digest so its timing says nothing about the token."""
    feed = CalendarFeed.objects.select_related("user__profile").filter(pk=feed_id).first()
    expected = feed.token if feed else _new_token()
    if not hmac.compare_digest(expected.encode(), token.encode()):
        return None
    if feed is None or not feed.user.is_active:
        return None
    return feed
