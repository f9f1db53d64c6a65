"""Who may open and submit the edit forms of the organisation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgmap.models import Department, Role

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


@pytest.mark.parametrize("persona", ["member", "hr", "production_manager"])
def test_cannot_edit_sales(persona, request, client_for):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert client.get(reverse("department-edit", args=["SALES"])).status_code == 403
    response = client.post(
        reverse("department-edit", args=["SALES"]), {"name": "Hacked", "code": "SALES"}
    )
    assert response.status_code == 403
    assert "You may not edit this department." in response.text
    assert Department.objects.get(code="SALES").name == "Sales"


def test_forbidden_htmx_request_gets_a_readable_message_in_place(member, client_for):
    response = client_for(member).post(
        reverse("department-edit", args=["SALES"]),
        {"name": "X", "code": "SALES"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert "You may not edit this department." in response.text
    assert "<html" not in response.text


def test_manager_of_parent_edits_sub_department(sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("department-edit", args=["SALES-S"]),
        {
            "name": "South Sales Team",
            "code": "SALES-S",
            "parent": Department.objects.get(code="SALES").pk,
        },
    )
    assert response.status_code == 302
    assert Department.objects.get(code="SALES-S").name == "South Sales Team"


def test_member_cannot_create_departments_or_roles(member, client_for):
    client = client_for(member)
    assert client.post(reverse("department-create"), {"name": "X", "code": "X"}).status_code == 403
    assert client.post(reverse("role-create", args=["CS"]), {"title": "X"}).status_code == 403
    assert not Department.objects.filter(code="X").exists()
    assert not Role.objects.filter(title="X").exists()


def test_hr_cannot_change_role_holders(hr, client_for):
    role = Role.objects.get(title="South Sales Representative")
    response = client_for(hr).post(
        reverse("role-holder-add", args=[role.pk]), {"person": hr.pk, "since": "2025-01-01"}
    )
    assert response.status_code == 403
    assert not role.holders.exists()


def test_production_manager_cannot_edit_sales_role(production_manager, client_for):
    role = Role.objects.get(title="Head of Sales")
    client = client_for(production_manager)
    assert client.get(reverse("role-edit", args=[role.pk])).status_code == 403
    assert client.post(reverse("role-edit", args=[role.pk]), {"title": "X"}).status_code == 403
    role.refresh_from_db()
    assert role.title == "Head of Sales"


def test_wrong_method_is_refused(sales_manager, client_for):
    role = Role.objects.get(title="Head of Sales")
    assert (
        client_for(sales_manager).get(reverse("role-holder-add", args=[role.pk])).status_code == 405
    )
