"""The matrix's "show a role as a column" picker: matching roles on demand, limited,
permission-checked, with a page of links when there is no JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgmap.models import Department, Role
from responsibilities.views import role_picker

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
URL = reverse("matrix-role-picker")


def test_matrix_offers_the_picker_not_a_select_of_every_role(
    sales_manager, client_for, demo_duties
):
    page = client_for(sales_manager).get(reverse("department-matrix", args=["SALES"]))
    assert 'role="combobox"' in page.text and 'id="role-picker-q"' in page.text
    assert '<select name="add_role"' not in page.text


def test_member_gets_no_picker_and_may_not_ask_it(member, client_for, demo_duties):
    page = client_for(member).get(reverse("department-matrix", args=["SALES"]))
    assert 'id="role-picker-q"' not in page.text
    response = client_for(member).get(URL, {"department": "SALES", "q": "sales"}, headers=HTMX)
    assert response.status_code == 403


def test_manager_of_another_department_may_not_ask_for_sales(
    production_manager, client_for, demo_duties
):
    response = client_for(production_manager).get(URL, {"department": "SALES", "q": "head"})
    assert response.status_code == 403


def test_htmx_answers_a_listbox_of_matching_roles_with_their_matrix_address(
    sales_manager, client_for, demo_duties
):
    planner = Role.objects.get(title="Production Planner")
    response = client_for(sales_manager).get(
        URL, {"department": "SALES", "q": "planner", "add_role": ["7"]}, headers=HTMX
    )
    assert response.status_code == 200
    assert 'role="listbox"' in response.text
    assert f'id="role-option-{planner.pk}"' in response.text
    expected = (
        reverse("department-matrix", args=["SALES"]) + f"?add_role=7&amp;add_role={planner.pk}"
    )
    assert expected in response.text
    assert "<html" not in response.text


def test_without_javascript_the_picker_is_a_page_of_links(sales_manager, client_for, demo_duties):
    response = client_for(sales_manager).get(URL, {"department": "sales", "q": "Production"})
    assert response.status_code == 200
    assert "<html" in response.text and 'id="role-picker-results"' in response.text
    assert "Production Planner" in response.text


def test_results_are_limited_and_say_how_many_more(
    sales_manager, client_for, demo_duties, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(role_picker, "PICKER_LIMIT", 3)
    department = Department.objects.get(code="SALES")
    Role.objects.bulk_create(
        Role(department=department, title=f"Picker role {n}") for n in range(10)
    )
    client = client_for(sales_manager)
    # Session, user, profile, permissions, then one query for the page and one count.
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"department": "SALES", "q": "picker role"}, headers=HTMX)
    assert response.text.count('role="option"') == 3
    assert "7 more roles match" in response.text


def test_project_coordinator_picks_for_the_project_matrix(coordinator, client_for, demo_duties):
    response = client_for(coordinator).get(URL, {"project": "LAUNCH", "q": "sales"}, headers=HTMX)
    assert response.status_code == 200
    assert reverse("project-matrix", args=["LAUNCH"]) + "?add_role=" in response.text


def test_unknown_department_is_a_404_not_a_500(sales_manager, client_for, demo_duties):
    assert client_for(sales_manager).get(URL, {"department": "NOPE"}).status_code == 404
    assert (
        client_for(sales_manager).get(URL, {"department": "SALES", "q": "x" * 5000}).status_code
        == 200
    )
