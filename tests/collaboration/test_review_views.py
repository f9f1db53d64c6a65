"""Reviews: the due list of a department, and recording a review of a role or duty."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from collaboration.meetings.models import Review
from orgmap.models import Role
from responsibilities.models import Duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(demo_org):
    """A Sales role a month overdue for its yearly review."""
    role = Role.objects.get(title="Sales Operations Analyst")
    role.review_cadence_months = 12
    role.last_reviewed_on = timezone.localdate() - relativedelta(months=13)
    role.save()
    return role


@pytest.fixture
def contracts(demo_duties):
    return Duty.objects.get(title="Negotiate key customer contracts")


def _review(client, role_or_duty, **data):
    kind = "role-review" if isinstance(role_or_duty, Role) else "duty-review"
    return client.post(reverse(kind, args=[role_or_duty.pk]), data)


def test_everyone_sees_what_is_due_but_only_managers_get_review_buttons(
    analyst, member, sales_manager, client_for
):
    url = reverse("department-reviews", args=["SALES"])
    for_member = client_for(member).get(url)
    assert for_member.status_code == 200
    overdue = [row.subject for row in for_member.context["overdue"]]
    assert analyst in overdue
    assert reverse("role-review", args=[analyst.pk]) not in for_member.text
    for_manager = client_for(sales_manager).get(url)
    assert reverse("role-review", args=[analyst.pk]) in for_manager.text


def test_due_list_includes_sub_departments(analyst, member, client_for):
    north = Role.objects.get(title="North Sales Representative")
    north.last_reviewed_on = timezone.localdate() - relativedelta(months=12)
    north.save()
    response = client_for(member).get(reverse("department-reviews", args=["SALES"]))
    assert north in [row.subject for row in response.context["overdue"]]


def test_manager_records_a_role_review(analyst, sales_manager, client_for):
    today = timezone.localdate()
    response = _review(
        client_for(sales_manager),
        analyst,
        reviewed_on=today.isoformat(),
        note="Description updated: CRM ownership.",
        cadence_months="6",
    )
    assert response.status_code == 302
    assert response.url == reverse("department-reviews", args=["SALES"])
    review = Review.objects.get()
    assert (review.role, review.reviewed_by, review.reviewed_on) == (analyst, sales_manager, today)
    assert review.note == "Description updated: CRM ownership."
    analyst.refresh_from_db()
    assert analyst.last_reviewed_on == today
    assert analyst.next_review_due == today + relativedelta(months=6)


def test_manager_of_a_parent_department_reviews_a_sub_department_role(
    demo_org, sales_manager, client_for
):
    north = Role.objects.get(title="North Sales Representative")
    today = timezone.localdate().isoformat()
    assert _review(client_for(sales_manager), north, reviewed_on=today).status_code == 302
    assert Review.objects.get().role == north


@pytest.mark.parametrize("persona", ["member", "production_manager", "hr", "coordinator"])
def test_others_may_not_review_a_sales_role(analyst, client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))
    page = client.get(reverse("role-review", args=[analyst.pk]))
    assert page.status_code == 403
    assert "only the managers of Sales may" in page.text
    today = timezone.localdate().isoformat()
    assert _review(client, analyst, reviewed_on=today).status_code == 403
    assert not Review.objects.exists()


def test_manager_records_a_duty_review(contracts, sales_manager, client_for):
    today = timezone.localdate()
    assert (
        _review(
            client_for(sales_manager), contracts, reviewed_on=today.isoformat(), cadence_months="12"
        ).status_code
        == 302
    )
    contracts.refresh_from_db()
    assert contracts.last_reviewed_on == today
    assert contracts.next_review_due == today + relativedelta(months=12)
    assert Review.objects.get().duty == contracts


def test_coordinator_reviews_the_duties_of_their_project_only(coordinator, contracts, client_for):
    launch_duty = Duty.objects.filter(project__code="LAUNCH").first()
    client = client_for(coordinator)
    today = timezone.localdate().isoformat()
    assert _review(client, launch_duty, reviewed_on=today).status_code == 302
    assert _review(client, contracts, reviewed_on=today).status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reviewed_on": ""}, "Say when the review took place."),
        ({"reviewed_on": "yesterday"}, "Enter the review date as a date."),
        ({"reviewed_on": "2999-01-01"}, "A review cannot be recorded in the future."),
        ({"reviewed_on": "2000-01-01"}, "this one cannot be earlier"),
        ({"reviewed_on": "TODAY", "cadence_months": "5"}, "Select a valid choice."),
        ({"reviewed_on": "TODAY", "note": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_review_input_is_refused_and_nothing_saved(
    analyst, sales_manager, client_for, data, message
):
    data = {
        key: timezone.localdate().isoformat() if value == "TODAY" else value
        for key, value in data.items()
    }
    before = analyst.last_reviewed_on
    response = _review(client_for(sales_manager), analyst, **data)
    assert response.status_code == 200
    assert message in response.text
    assert "The review was not recorded" in response.text
    assert not Review.objects.exists()
    analyst.refresh_from_db()
    assert analyst.last_reviewed_on == before


def test_review_list_cost_is_constant(
    demo_duties, member, client_for, django_assert_max_num_queries
):
    client = client_for(member)
    url = reverse("department-reviews", args=["SALES"])
    # 15: the page carries the bell's unread count (one query instead of a request).
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for index in range(10):
        Role.objects.create(
            department_id=Role.objects.get(title="Head of Sales").department_id,
            title=f"Extra role {index}",
            last_reviewed_on=datetime.date(2020, 1, 1),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
