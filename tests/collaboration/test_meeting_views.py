"""Meeting pages: who may create, edit and write minutes; every bad input refused
with a message and nothing saved; the list's cost."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from collaboration.meetings.models import Meeting
from orgmap.models import Department, Project, Role

from .conftest import BERLIN, UTC

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _pk(code: str) -> int:
    return Department.objects.get(code=code).pk


def _role(title: str) -> int:
    return Role.objects.get(title=title).pk


@pytest.fixture
def form_data(demo_org, sales_manager, member):
    def make(**overrides) -> dict:
        data = {
            "title": "Weekly Sales–Production sync",
            "kind": "sync",
            "departments": [_pk("SALES"), _pk("PROD")],
            "project": "",
            "organiser": sales_manager.pk,
            "starts_at": "2030-03-04T09:00",
            "ends_at": "09:45",
            "time_zone": "Europe/Berlin",
            "recurrence": "weekly",
            "recurrence_until": "",
            "recurrence_count": "",
            "attendee_roles": [_role("Head of Sales"), _role("Production Planner")],
            "attendee_people": [member.pk],
            "agenda": "Orders, capacity, escalations",
            "location": "Room 2.14",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return make


@pytest.fixture
def sales_sync(make_meeting, admin_user):
    return make_meeting(
        starts_at=datetime.datetime(2030, 3, 4, 8, 0, tzinfo=UTC),
        departments=["SALES"],
        organiser=admin_user,
        title="Sales sync",
        recurrence="weekly",
    )


# --- create ------------------------------------------------------------------------


def test_manager_schedules_a_weekly_cross_department_sync(sales_manager, client_for, form_data):
    response = client_for(sales_manager).post(reverse("meeting-create"), form_data())
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.starts_at == datetime.datetime(2030, 3, 4, 9, 0, tzinfo=BERLIN)
    assert meeting.duration_minutes == 45 and meeting.time_zone == "Europe/Berlin"
    assert meeting.organiser == sales_manager and meeting.recurrence == "weekly"
    assert {d.code for d in meeting.departments.all()} == {"SALES", "PROD"}
    assert {r.title for r in meeting.attendee_roles.all()} == {
        "Head of Sales",
        "Production Planner",
    }


def test_member_may_not_schedule_meetings(member, client_for, form_data):
    client = client_for(member)
    page = client.get(reverse("meeting-create"))
    assert page.status_code == 403
    assert "Only department managers, project coordinators" in page.text
    assert client.post(reverse("meeting-create"), form_data()).status_code == 403
    assert not Meeting.objects.exists()
    assert "New meeting" not in client.get(reverse("meeting-list")).text


def test_htmx_refusal_is_shown_in_the_flash_area(member, client_for):
    response = client_for(member).get(reverse("meeting-create"), headers=HTMX)
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert "Only department managers" in response.text


def test_manager_may_not_schedule_for_departments_they_do_not_manage(
    production_manager, client_for, form_data
):
    response = client_for(production_manager).post(
        reverse("meeting-create"), form_data(departments=[_pk("SALES")])
    )
    assert response.status_code == 200
    assert "You may only schedule meetings for departments you manage" in response.text
    assert not Meeting.objects.exists()


def test_coordinator_schedules_a_meeting_of_their_project(coordinator, client_for, form_data):
    launch = Project.objects.get(code="LAUNCH")
    response = client_for(coordinator).post(
        reverse("meeting-create"),
        form_data(departments=[], project=launch.pk, title="Launch retrospective"),
    )
    assert response.status_code == 302
    assert Meeting.objects.get().project == launch


def test_coordinator_may_not_schedule_a_department_meeting(coordinator, client_for, form_data):
    response = client_for(coordinator).post(reverse("meeting-create"), form_data())
    assert "You may only schedule meetings" in response.text
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "08:30"}, "The meeting must end after it starts."),
        ({"ends_at": "09:00"}, "The meeting must end after it starts."),
        ({"ends_at": "nine"}, "Enter the end as a time"),
        ({"starts_at": "tomorrow"}, "Enter the start as a date and a time."),
        ({"starts_at": ""}, "Say when the meeting starts."),
        ({"title": "   "}, "Give the meeting a title."),
        ({"recurrence_until": "2030-03-01"}, "The series must end after its first meeting."),
        ({"recurrence_until": "2030-03-04"}, "The series must end after its first meeting."),
        (
            {"recurrence_until": "2030-06-01", "recurrence_count": "5"},
            "Give either an end date or a number of meetings, not both.",
        ),
        ({"recurrence_count": "1"}, "A series has at least two meetings."),
        ({"recurrence_count": "100000"}, "A series has at most 500 meetings."),
        ({"recurrence": "none", "recurrence_count": "4"}, "A one-off meeting does not repeat"),
        ({"recurrence": "hourly"}, "Select a valid choice."),
        ({"attendee_people": ["99999"]}, "99999 is not a person who can be invited."),
        ({"attendee_people": ["max"]}, "“max” is not a person."),
        ({"attendee_roles": ["99999"]}, "99999 is not an active role that can be invited."),
        ({"attendee_roles": [], "attendee_people": []}, "Invite at least one role or person."),
        ({"departments": [], "project": ""}, "Choose the departments or the project"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"organiser": ""}, "Choose who organises the meeting."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(
    sales_manager, client_for, form_data, overrides, message
):
    response = client_for(sales_manager).post(reverse("meeting-create"), form_data(**overrides))
    assert response.status_code == 200
    assert message in response.text.replace("&quot;", '"').replace("&#x27;", "'")
    assert "The meeting was not saved" in response.text
    assert not Meeting.objects.exists()


def test_inactive_role_cannot_be_invited(sales_manager, client_for, form_data):
    retired = _role("Training Coordinator")
    response = client_for(sales_manager).post(
        reverse("meeting-create"), form_data(attendee_roles=[retired])
    )
    assert "is not an active role that can be invited" in response.text
    assert not Meeting.objects.exists()


def test_series_with_a_count_or_an_end_date(sales_manager, client_for, form_data):
    client = client_for(sales_manager)
    client.post(reverse("meeting-create"), form_data(recurrence_count="6", title="A"))
    client.post(reverse("meeting-create"), form_data(recurrence_until="2030-06-30", title="B"))
    client.post(reverse("meeting-create"), form_data(title="C"))  # open-ended
    series = {m.title: (m.recurrence_count, m.recurrence_until) for m in Meeting.objects.all()}
    assert series == {
        "A": (6, None),
        "B": (None, datetime.date(2030, 6, 30)),
        "C": (None, None),
    }


# --- edit --------------------------------------------------------------------------


def test_manager_edits_and_cancels_a_meeting_of_their_department(
    sales_manager, client_for, form_data, sales_sync
):
    client = client_for(sales_manager)
    page = client.get(reverse("meeting-edit", args=[sales_sync.pk]))
    assert page.status_code == 200
    assert 'value="2030-03-04T08:00"' in page.text  # shown in the meeting's own zone (UTC)
    response = client.post(
        reverse("meeting-edit", args=[sales_sync.pk]),
        form_data(departments=[_pk("SALES")], cancelled="on", organiser=sales_sync.organiser_id),
    )
    assert response.status_code == 302
    sales_sync.refresh_from_db()
    assert sales_sync.cancelled and sales_sync.sequence == 1
    assert sales_sync.time_zone == "Europe/Berlin"


def test_manager_of_another_department_may_not_edit(production_manager, client_for, sales_sync):
    client = client_for(production_manager)
    response = client.get(reverse("meeting-edit", args=[sales_sync.pk]))
    assert response.status_code == 403
    assert "You may not edit the meeting “Sales sync”" in response.text
    assert client.post(reverse("meeting-edit", args=[sales_sync.pk]), {}).status_code == 403
    assert (
        client.post(reverse("meeting-minutes", args=[sales_sync.pk]), {"minutes": "x"}).status_code
        == 403
    )
    sales_sync.refresh_from_db()
    assert sales_sync.minutes == ""


def test_organiser_edits_their_own_meeting_but_cannot_move_it_to_other_departments(
    member, client_for, form_data, sales_sync
):
    sales_sync.organiser = member
    sales_sync.save()
    client = client_for(member)
    kept = form_data(departments=[_pk("SALES")], organiser=member.pk, title="Sales sync (moved)")
    assert client.post(reverse("meeting-edit", args=[sales_sync.pk]), kept).status_code == 302
    sales_sync.refresh_from_db()
    assert sales_sync.title == "Sales sync (moved)"
    moved = form_data(departments=[_pk("PROD")], organiser=member.pk, title="Elsewhere")
    response = client.post(reverse("meeting-edit", args=[sales_sync.pk]), moved)
    assert "You may only schedule meetings" in response.text
    sales_sync.refresh_from_db()
    assert sales_sync.title == "Sales sync (moved)"


def test_minutes_are_written_after_the_meeting(sales_manager, client_for, make_meeting):
    past = make_meeting(
        starts_at=datetime.datetime(2026, 1, 5, 9, 0, tzinfo=UTC), title="January sync"
    )
    client = client_for(sales_manager)
    page = client.get(reverse("meeting-minutes", args=[past.pk]))
    assert page.status_code == 200 and "has not taken place yet" not in page.text
    response = client.post(
        reverse("meeting-minutes", args=[past.pk]),
        {"minutes": "  Agreed: weekly capacity report.  "},
    )
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.minutes == "Agreed: weekly capacity report."
    assert "Agreed: weekly capacity report." in client.get(past.get_absolute_url()).text


def test_member_may_not_write_minutes(member, client_for, sales_sync):
    response = client_for(member).post(
        reverse("meeting-minutes", args=[sales_sync.pk]), {"minutes": "x"}
    )
    assert response.status_code == 403


# --- read --------------------------------------------------------------------------


def test_member_sees_a_meeting_with_who_is_invited(member, client_for, make_meeting):
    meeting = make_meeting(
        starts_at=datetime.datetime(2030, 3, 4, 8, 0, tzinfo=UTC),
        roles=["Production Planner"],
        people=[member],
        recurrence="weekly",
        agenda="Capacity",
    )
    page = client_for(member).get(meeting.get_absolute_url())
    assert page.status_code == 200
    assert "Ken Ito" in page.text and "Max Member" in page.text  # the planner's holder
    assert "Mon 11 Mar 2030, 08:00" in page.text  # the second date of the series
    assert "Edit meeting" not in page.text


def test_list_shows_upcoming_and_past_and_filters(member, client_for, make_meeting, demo_duties):
    make_meeting(starts_at=datetime.datetime(2030, 1, 1, 9, tzinfo=UTC), title="Future sales")
    make_meeting(
        starts_at=datetime.datetime(2030, 1, 2, 9, tzinfo=UTC),
        title="Future production",
        departments=["PROD"],
    )
    make_meeting(starts_at=datetime.datetime(2020, 1, 1, 9, tzinfo=UTC), title="Old sales")
    launch = make_meeting(
        starts_at=datetime.datetime(2030, 1, 3, 9, tzinfo=UTC), title="Launch retro", departments=[]
    )
    launch.project = Project.objects.get(code="LAUNCH")
    launch.save()
    client = client_for(member)

    def titles(query: str) -> list[str]:
        rows = client.get(reverse("meeting-list") + query).context["page"].object_list
        return [row.meeting.title for row in rows]

    assert titles("") == ["Future sales", "Future production", "Launch retro"]
    assert titles("?when=past") == ["Old sales"]
    assert titles("?department=SALES") == ["Future sales"]
    assert titles("?project=LAUNCH") == ["Launch retro"]
    assert client.get(reverse("meeting-list") + "?department=NOPE").status_code == 404


def test_list_page_cost_does_not_grow_with_meetings(
    member, client_for, make_meeting, django_assert_max_num_queries
):
    client = client_for(member)
    for index in range(2):
        make_meeting(starts_at=datetime.datetime(2030, 1, 1 + index, 9, tzinfo=UTC))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("meeting-list"))
    for index in range(20):
        make_meeting(
            starts_at=datetime.datetime(2030, 2, 1 + index, 9, tzinfo=UTC),
            departments=["SALES", "PROD"],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("meeting-list"))


def test_detail_page_cost_is_constant(
    member, client_for, make_meeting, django_assert_max_num_queries
):
    meeting = make_meeting(
        starts_at=datetime.datetime(2030, 1, 1, 9, tzinfo=UTC),
        roles=["Production Planner", "Head of Sales", "Line Supervisor"],
        departments=["SALES", "PROD"],
    )
    client = client_for(member)
    with django_assert_max_num_queries(16):
        client.get(meeting.get_absolute_url())
