"""iCalendar: the .ics of a meeting and the personal feed import cleanly, and the
feed is reachable only with its secret token."""

from __future__ import annotations

import datetime
import hmac

import pytest
from dateutil.rrule import rrulestr
from django.urls import reverse
from icalendar import Calendar

from collaboration.meetings import calendar as calendar_service
from collaboration.meetings import recurrence
from collaboration.meetings.models import CalendarFeed

from .conftest import BERLIN, UTC

pytestmark = pytest.mark.django_db


def _parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def _expand(event, limit: int = 20) -> list[datetime.datetime]:
    """Expand the event's RRULE as a calendar app would (dateutil's RFC parser)."""
    rule = event["RRULE"].to_ical().decode()
    return list(rrulestr(f"RRULE:{rule}", dtstart=event.start))[:limit]


@pytest.fixture
def fortnightly(make_meeting, member, hr):
    return make_meeting(
        starts_at=datetime.datetime(2026, 3, 18, 9, 0, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        recurrence="biweekly",
        recurrence_count=4,
        title="Sales–Production sync 销售生产周会",
        agenda="1. Orders\n2. Capacity",
        location="Room 2.14",
        organiser=hr,
        people=[member],
        roles=["Production Planner"],
    )


def test_meeting_ics_imports_cleanly_with_its_series(member, client_for, fortnightly):
    response = client_for(member).get(reverse("meeting-ics", args=[fortnightly.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="salesproduction-sync.ics"'
    parsed = _parse(response)
    [event] = parsed.events
    assert str(event["SUMMARY"]) == "Sales–Production sync 销售生产周会"
    assert event.start == datetime.datetime(2026, 3, 18, 9, 0, tzinfo=BERLIN)
    assert "TZID=Europe/Berlin" in response.content.decode()
    assert event.duration == datetime.timedelta(minutes=30)
    assert str(event["UID"]) == f"meeting-{fortnightly.pk}@orgmap"
    assert "1. Orders" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Room 2.14"
    assert str(event["ORGANIZER"]) == "mailto:hr@example.com"
    assert {str(a) for a in event.get("ATTENDEE")} == {
        "mailto:member@example.com",
        "mailto:ken.ito@example.com",
    }
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["INTERVAL"] == [2]
    assert event["RRULE"]["COUNT"] == [4]
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    # A calendar app expands it to the same dates as orgmap's reminders (across the
    # change to summer time on 29 March).
    expanded = [start.astimezone(UTC) for start in _expand(event)]
    ours = recurrence.next_occurrences(
        fortnightly, after=datetime.datetime(2026, 1, 1, tzinfo=UTC), limit=10
    )
    assert expanded == ours
    assert [start.hour for start in expanded] == [8, 7, 7, 7]


def test_monthly_series_on_the_31st_and_an_end_date(make_meeting, member, client_for):
    meeting = make_meeting(
        starts_at=datetime.datetime(2026, 1, 31, 10, 0, tzinfo=BERLIN),
        time_zone="Europe/Berlin",
        recurrence="monthly",
        recurrence_until=datetime.date(2026, 4, 30),
        people=[member],
    )
    [event] = _parse(client_for(member).get(reverse("meeting-ics", args=[meeting.pk]))).events
    rule = event["RRULE"]
    assert rule["BYMONTHDAY"] == [31, -1] and rule["BYSETPOS"] == [1]
    assert rule["UNTIL"][0].tzinfo is not None  # RFC 5545: UTC with a zoned DTSTART
    assert [start.date().isoformat() for start in _expand(event)] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]


def test_cancelled_meeting_is_marked_cancelled(make_meeting, member, client_for):
    meeting = make_meeting(
        starts_at=datetime.datetime(2026, 3, 2, 9, tzinfo=UTC), cancelled=True, people=[member]
    )
    [event] = _parse(client_for(member).get(reverse("meeting-ics", args=[meeting.pk]))).events
    assert str(event["STATUS"]) == "CANCELLED"
    assert "RRULE" not in event


# --- the personal feed -------------------------------------------------------------


@pytest.fixture
def feed(member):
    return calendar_service.calendar_feed_get(user=member)


def _feed_url(feed: CalendarFeed, token: str | None = None) -> str:
    return reverse("calendar-feed", args=[feed.pk, token or feed.token])


def test_feed_lists_the_users_meetings_with_their_rules(
    client, feed, fortnightly, make_meeting, member, admin_user
):
    organised = make_meeting(
        starts_at=datetime.datetime(2026, 4, 1, 9, tzinfo=UTC), organiser=member, title="Mine"
    )
    through_role = make_meeting(
        starts_at=datetime.datetime(2026, 4, 2, 9, tzinfo=UTC),
        roles=["Service Agent"],  # member holds it
        title="Service huddle",
        recurrence="daily",
    )
    make_meeting(
        starts_at=datetime.datetime(2026, 4, 3, 9, tzinfo=UTC), people=[admin_user], title="Other"
    )
    parsed = _parse(client.get(_feed_url(feed)))  # anonymous: a calendar app
    titles = {str(event["SUMMARY"]) for event in parsed.events}
    assert titles == {fortnightly.title, organised.title, through_role.title}
    rules = {str(e["SUMMARY"]): e.get("RRULE") for e in parsed.events}
    assert rules["Service huddle"]["FREQ"] == ["DAILY"]
    assert rules[fortnightly.title]["INTERVAL"] == [2]
    assert rules["Mine"] is None
    assert "Max Member" in str(parsed["X-WR-CALNAME"])


def test_feed_needs_the_right_token(client, feed, fortnightly):
    assert client.get(_feed_url(feed, "x" * len(feed.token))).status_code == 404
    assert client.get(_feed_url(feed, "short")).status_code == 404
    assert client.get(reverse("calendar-feed", args=[feed.pk + 99, feed.token])).status_code == 404


def test_token_is_compared_in_constant_time(client, feed, monkeypatch):
    compared = []
    compare_digest = hmac.compare_digest

    def recording_compare(a, b):
        compared.append((a, b))
        return compare_digest(a, b)

    monkeypatch.setattr(calendar_service.hmac, "compare_digest", recording_compare)
    client.get(_feed_url(feed, "guess"))
    assert compared == [(feed.token.encode(), b"guess")]


def test_reset_gives_a_new_address_and_the_old_one_stops_working(member, client_for, client, feed):
    old_url = _feed_url(feed)
    member_client = client_for(member)
    page = member_client.get(reverse("calendar"))
    assert feed.token in page.text
    response = member_client.post(reverse("calendar-reset"))
    assert response.status_code == 302 and response.url == reverse("calendar")
    feed.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(_feed_url(feed)).status_code == 200
    assert feed.token in member_client.get(reverse("calendar")).text


def test_feed_of_a_deactivated_person_is_closed(client, feed, member):
    member.is_active = False
    member.save()
    assert client.get(_feed_url(feed)).status_code == 404


def test_calendar_page_lists_my_upcoming_meetings(member, client_for, make_meeting, admin_user):
    make_meeting(
        starts_at=datetime.datetime(2031, 1, 1, 9, tzinfo=UTC), people=[member], title="Mine"
    )
    make_meeting(
        starts_at=datetime.datetime(2031, 1, 1, 9, tzinfo=UTC), people=[admin_user], title="Theirs"
    )
    page = client_for(member).get(reverse("calendar"))
    rows = [row.meeting.title for row in page.context["rows"]]
    assert rows == ["Mine"]


def test_feed_cost_does_not_grow_with_meetings(
    client, feed, make_meeting, member, django_assert_max_num_queries
):
    make_meeting(
        starts_at=datetime.datetime(2030, 1, 1, 9, tzinfo=UTC),
        people=[member],
        roles=["Line Supervisor"],
    )
    with django_assert_max_num_queries(12) as few:
        client.get(_feed_url(feed))
    for day in range(2, 20):
        make_meeting(
            starts_at=datetime.datetime(2030, 1, day, 9, tzinfo=UTC),
            people=[member],
            roles=["Production Planner"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_feed_url(feed))
