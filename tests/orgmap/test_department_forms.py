"""Creating and editing departments: validation messages, and nothing saved on bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgmap.models import Department

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def test_admin_creates_top_level_department(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("department-create"), {"name": "Legal", "code": "legal", "description": ""}
    )
    assert response.status_code == 302
    legal = Department.objects.get(code="LEGAL")
    assert response["Location"] == legal.get_absolute_url()
    assert legal.parent is None


def test_duplicate_code_is_refused_case_insensitively(admin_user, client_for):
    before = Department.objects.count()
    response = client_for(admin_user).post(
        reverse("department-create"), {"name": "Sales again", "code": "sales"}
    )
    assert response.status_code == 200
    assert "A department with this code already exists." in response.text
    assert Department.objects.count() == before


def test_code_with_spaces_is_refused(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("department-create"), {"name": "Legal", "code": "LE GAL"}
    )
    assert "Use letters, digits, hyphens and underscores only" in response.text
    assert not Department.objects.filter(name="Legal").exists()


def test_empty_name_is_refused(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("department-create"), {"name": "  ", "code": "LEGAL"}
    )
    assert "Give the department a name." in response.text
    assert not Department.objects.filter(code="LEGAL").exists()


def test_department_cannot_be_its_own_parent(admin_user, client_for):
    sales = Department.objects.get(code="SALES")
    response = client_for(admin_user).post(
        reverse("department-edit", args=["SALES"]),
        {"name": "Sales", "code": "SALES", "parent": sales.pk},
    )
    assert "cannot be placed under itself or one of its sub-departments" in response.text
    sales.refresh_from_db()
    assert sales.parent is None


def test_department_cannot_be_moved_under_its_own_sub_department(admin_user, client_for):
    north = Department.objects.get(code="SALES-N")
    response = client_for(admin_user).post(
        reverse("department-edit", args=["SALES"]),
        {"name": "Sales", "code": "SALES", "parent": north.pk},
    )
    assert "cannot be placed under itself or one of its sub-departments" in response.text
    assert Department.objects.get(code="SALES").parent is None


def test_htmx_submit_returns_only_the_form_with_errors(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("department-create"), {"name": "", "code": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<form")
    assert "Give the department a name." in response.text
    assert "Give the department a short code." in response.text


def test_htmx_submit_redirects_the_client_on_success(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("department-create"),
        {"name": "Legal", "code": "LEGAL"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("department-detail", args=["LEGAL"])


def test_manager_creates_sub_department_under_own_department(sales_manager, client_for):
    sales = Department.objects.get(code="SALES")
    response = client_for(sales_manager).post(
        reverse("department-create") + "?parent=SALES",
        {"name": "Key Accounts", "code": "SALES-KA", "parent": sales.pk},
    )
    assert response.status_code == 302
    assert Department.objects.get(code="SALES-KA").parent == sales


def test_manager_cannot_place_department_under_another_department(sales_manager, client_for):
    production = Department.objects.get(code="PROD")
    response = client_for(sales_manager).post(
        reverse("department-create"),
        {"name": "Key Accounts", "code": "SALES-KA", "parent": production.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Department.objects.filter(code="SALES-KA").exists()


def test_manager_cannot_create_top_level_department(sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("department-create"), {"name": "Legal", "code": "LEGAL"}
    )
    assert "Choose the department this one belongs to." in response.text
    assert not Department.objects.filter(code="LEGAL").exists()


def test_head_must_be_a_role_of_the_department(admin_user, client_for):
    from orgmap.models import Role

    production_head = Role.objects.get(title="Production Manager")
    response = client_for(admin_user).post(
        reverse("department-edit", args=["SALES"]),
        {"name": "Sales", "code": "SALES", "head": production_head.pk},
    )
    assert "Select a valid choice" in response.text
    assert Department.objects.get(code="SALES").head.title == "Head of Sales"


def test_an_empty_post_shows_the_errors(admin_user, client_for):
    # Not a fresh form: a submit with no fields at all says what is missing.
    before = Department.objects.count()
    response = client_for(admin_user).post(reverse("department-create"))
    assert response.status_code == 200
    assert "Give the department a name." in response.text
    assert Department.objects.count() == before
