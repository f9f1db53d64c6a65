"""Matrix cells through the API: versioned writes, exactly like the matrix page."""

from __future__ import annotations

import pytest

from responsibilities import services
from responsibilities.models import Assignment, AssignmentChange

pytestmark = pytest.mark.django_db


def url(duty, role) -> str:
    return f"/api/v1/cells/{duty.pk}/{role.pk}/"


def test_manager_sets_a_cell_with_the_version_read(org, sales_manager, api_client_for):
    client = api_client_for(sales_manager)
    duty, role = org["duty"], org["analyst"]
    read = client.get(url(duty, role)).json()
    assert read == {"duty": duty.pk, "role": role.pk, "letter": None, "version": 0}
    response = client.put(url(duty, role), {"letter": "R", "version": 0}, format="json")
    assert response.status_code == 200
    assert response.json()["letter"] == "R" and response.json()["version"] == 1
    change = AssignmentChange.objects.filter(duty=duty, role=role).first()
    assert change.source == "api" and change.changed_by == sales_manager
    # A/R as typed on the page; null clears.
    assert (
        client.patch(url(duty, role), {"letter": "A/R", "version": 1}, format="json").json()[
            "letter"
        ]
        == "AR"
    )
    cleared = client.put(url(duty, role), {"letter": None, "version": 2}, format="json")
    assert cleared.json() == {"duty": duty.pk, "role": role.pk, "letter": None, "version": 0}


def test_a_stale_put_answers_409_with_who_changed_it_and_changes_nothing(
    org, sales_manager, admin_user, api_client_for
):
    duty, head = org["duty"], org["head"]  # Head of Sales is A, version 1 (by sales_manager)
    services.assignment_set(duty=duty, role=head, letter="R", expected_version=1, by=admin_user)
    before = list(Assignment.objects.values())
    history = AssignmentChange.objects.count()
    response = api_client_for(sales_manager).put(
        url(duty, head), {"letter": "C", "version": 1}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["message"].startswith(f"Changed by {admin_user.profile.name} at ")
    assert body["message"].endswith("it is now R. Your change was not applied.")
    assert body["details"]["changed_by"] == {
        "username": "admin",
        "name": admin_user.profile.name,
    }
    assert body["details"]["changed_at"]
    assert body["details"]["current"] == {
        "duty": duty.pk,
        "role": head.pk,
        "letter": "R",
        "version": 2,
    }
    assert list(Assignment.objects.values()) == before
    assert AssignmentChange.objects.count() == history


def test_the_409_message_is_the_matrix_pages(
    org, sales_manager, admin_user, client_for, api_client_for
):
    duty, head = org["duty"], org["head"]
    services.assignment_set(duty=duty, role=head, letter="R", expected_version=1, by=admin_user)
    page = client_for(sales_manager).post(
        f"/matrix/cells/{duty.pk}/{head.pk}/",
        {"letter": "C", "version": "1"},
        headers={"HX-Request": "true"},
    )
    assert page.status_code == 409
    api = api_client_for(sales_manager).put(
        url(duty, head), {"letter": "C", "version": 1}, format="json"
    )
    assert api.json()["message"] in page.text


@pytest.mark.parametrize(
    "body, field",
    [
        ({"letter": "X", "version": 0}, "letter"),
        ({"letter": "R"}, "version"),
        ({"letter": "R", "version": -1}, "version"),
        ({"letter": "R", "version": "one"}, "version"),
        ({"letter": "R", "version": 10**30}, "version"),
        ({"letter": ["R"], "version": 0}, "letter"),
        ({"version": 0}, "letter"),
    ],
)
def test_bad_cell_edits_answer_400_and_write_nothing(
    body, field, org, sales_manager, api_client_for
):
    before = list(Assignment.objects.values())
    response = api_client_for(sales_manager).put(
        url(org["duty"], org["analyst"]), body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["details"]
    assert list(Assignment.objects.values()) == before


def test_unknown_duty_or_role_answers_404_json(org, sales_manager, api_client_for):
    client = api_client_for(sales_manager)
    response = client.put(
        f"/api/v1/cells/999999/{org['head'].pk}/", {"letter": "R", "version": 0}, format="json"
    )
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_department_matrix_is_the_duties_list_with_their_cells(org, member, api_client_for):
    body = api_client_for(member).get("/api/v1/duties/?department=SALES").json()
    duty = next(d for d in body["results"] if d["id"] == org["duty"].pk)
    assert duty["cells"] == [{"role": org["head"].pk, "letter": "A", "version": 1}]
