"""Lessons learned: recorded by those who run a department or project, read and
searched by everybody."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collaboration.routines.models import Lesson

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def test_search_finds_chinese_text_and_filters_by_tag(routines_demo, member, client_for):
    client = client_for(member)
    page = client.get(reverse("lesson-list"), {"q": "月结"})
    assert [lesson.title for lesson in page.context["page"]] == [
        "Prepare the month-end financial report from a shared checklist"
    ]
    assert not client.get(reverse("lesson-list"), {"q": "无关"}).context["page"].object_list
    assert len(client.get(reverse("lesson-list"), {"tag": "finance"}).context["page"]) == 1
    live = client.get(reverse("lesson-list"), {"q": "checklist"}, HTTP_HX_REQUEST="true")
    assert live.text.lstrip().startswith('<div id="lesson-results"')


def test_a_manager_records_a_lesson_with_normalised_tags(sales_manager, departments, client_for):
    response = client_for(sales_manager).post(
        reverse("lesson-create"),
        {
            "title": "Forecast together",
            "department": departments["SALES"].pk,
            "what_worked": "One shared sheet.",
            "tags": "Forecast, CRM，crm",
        },
    )
    lesson = Lesson.objects.get()
    assert response.status_code == 302 and response["Location"] == lesson.get_absolute_url()
    assert (lesson.tags, lesson.author) == ("forecast, crm", sales_manager)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"department": None}, "Choose the department or the project the lesson is about."),
        ({"what_worked": ""}, "Say what worked or what did not."),
        ({"title": ""}, "Give the lesson a title."),
        ({"department": "FIN"}, "Select a valid choice"),  # not a department they manage
    ],
)
def test_bad_lesson_input_gives_a_message_and_saves_nothing(
    fields, message, sales_manager, departments, client_for
):
    data = {"title": "Forecast", "department": departments["SALES"].pk, "what_worked": "Sheet."}
    for key, value in fields.items():
        if value is None:
            data.pop(key)
        elif key == "department":
            data[key] = departments[value].pk
        else:
            data[key] = value
    response = client_for(sales_manager).post(reverse("lesson-create"), data)
    assert response.status_code == 200 and message in response.text
    assert not Lesson.objects.exists()


def test_members_read_lessons_but_do_not_record_them(routines_demo, member, client_for):
    lesson = Lesson.objects.get()
    assert client_for(member).get(lesson.get_absolute_url()).status_code == 200
    assert client_for(member).get(reverse("lesson-create")).status_code == 403
    assert client_for(member).post(reverse("lesson-edit", args=[lesson.pk])).status_code == 403
