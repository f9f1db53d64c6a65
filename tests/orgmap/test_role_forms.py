"""Creating and editing roles and their holders."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from orgmap.models import Department, Role, RoleHolder

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def _role_data(**overrides):
    data = {
        "title": "Key Account Manager",
        "department": Department.objects.get(code="SALES").pk,
        "purpose": "Looks after the largest customers.",
        "active": "on",
        "review_cadence_months": "12",
    }
    data.update(overrides)
    return data


def test_manager_creates_role_in_own_department(sales_manager, client_for):
    response = client_for(sales_manager).post(reverse("role-create", args=["SALES"]), _role_data())
    assert response.status_code == 302
    role = Role.objects.get(title="Key Account Manager")
    assert role.department.code == "SALES"
    assert (
        client_for(sales_manager)
        .get(reverse("department-detail", args=["SALES"]))
        .text.count("Key Account Manager")
        == 1
    )


def test_role_in_no_department_is_refused(sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("role-create", args=["SALES"]), _role_data(department="")
    )
    assert response.status_code == 200
    assert "Choose the department this role belongs to." in response.text
    assert not Role.objects.filter(title="Key Account Manager").exists()


def test_empty_title_is_refused(sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("role-create", args=["SALES"]), _role_data(title="   ")
    )
    assert "Give the role a title." in response.text
    assert Role.objects.filter(department__code="SALES").count() == 2


def test_duplicate_title_in_department_is_refused(sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("role-create", args=["SALES"]), _role_data(title="head of sales")
    )
    assert "This department already has a role with this title." in response.text
    assert Role.objects.filter(department__code="SALES").count() == 2


def test_future_review_date_is_refused(sales_manager, client_for):
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = client_for(sales_manager).post(
        reverse("role-create", args=["SALES"]), _role_data(last_reviewed_on=future)
    )
    assert "The last review cannot be in the future." in response.text
    assert not Role.objects.filter(title="Key Account Manager").exists()


def test_manager_cannot_put_role_in_another_department(sales_manager, client_for):
    production = Department.objects.get(code="PROD")
    response = client_for(sales_manager).post(
        reverse("role-create", args=["SALES"]), _role_data(department=production.pk)
    )
    assert "Select a valid choice" in response.text
    assert not Role.objects.filter(title="Key Account Manager").exists()


def test_role_cannot_report_to_itself_indirectly(admin_user, client_for):
    head = Role.objects.get(title="Head of Sales")
    analyst = Role.objects.get(title="Sales Operations Analyst")  # reports to Head of Sales
    response = client_for(admin_user).post(
        reverse("role-edit", args=[head.pk]),
        _role_data(title="Head of Sales", reports_to=analyst.pk),
    )
    assert "A role cannot report to itself, even indirectly." in response.text
    head.refresh_from_db()
    assert head.reports_to is None


def test_hr_edits_role_purpose_anywhere(hr, client_for):
    role = Role.objects.get(title="Production Planner")
    response = client_for(hr).post(
        reverse("role-edit", args=[role.pk]),
        _role_data(
            title="Production Planner", department=role.department_id, purpose="Plans production."
        ),
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.purpose == "Plans production."


def test_manager_adds_and_ends_a_holder(sales_manager, client_for):
    role = Role.objects.get(title="South Sales Representative")
    assert not RoleHolder.objects.current().filter(role=role).exists()
    client = client_for(sales_manager)
    person = sales_manager.__class__.objects.get(username="member")
    response = client.post(
        reverse("role-holder-add", args=[role.pk]),
        {"person": person.pk, "since": "2025-03-01"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Max Member" in response.text
    holding = RoleHolder.objects.get(role=role, person=person)
    response = client.post(reverse("role-holder-end", args=[holding.pk]), {"until": "2025-02-01"})
    assert "The end date must be after the start date." in response.text
    response = client.post(reverse("role-holder-end", args=[holding.pk]), {"until": "2025-06-01"})
    assert response.status_code == 302
    holding.refresh_from_db()
    assert holding.until == datetime.date(2025, 6, 1)


def test_same_person_cannot_hold_a_role_twice(sales_manager, client_for):
    role = Role.objects.get(title="Head of Sales")
    response = client_for(sales_manager).post(
        reverse("role-holder-add", args=[role.pk]),
        {"person": sales_manager.pk, "since": "2025-03-01"},
        headers={"HX-Request": "true"},
    )
    assert "Sam Sales already holds this role." in response.text
    assert RoleHolder.objects.filter(role=role).count() == 1


def test_holder_without_person_is_refused(sales_manager, client_for):
    role = Role.objects.get(title="South Sales Representative")
    response = client_for(sales_manager).post(
        reverse("role-holder-add", args=[role.pk]), {"since": "2025-03-01"}
    )
    assert response.status_code == 200
    assert "Choose who holds the role." in response.text
    assert not RoleHolder.objects.filter(role=role).exists()
