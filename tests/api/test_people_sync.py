"""Bulk people upsert (POST /api/v1/people/bulk/): the people import with JSON rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from orgmap.api.models import ExternalId
from orgmap.models import Department, Role, RoleHolder
from responsibilities.api.people_sync import COLUMNS, plan_report

pytestmark = pytest.mark.django_db
URL = "/api/v1/people/bulk/"
User = get_user_model()

ROWS = [
    {
        "email": "lena.ng@example.com",
        "name": "Lena Ng",
        "department": "Logistics",
        "role": "Head of Logistics",
        "parent_department": "SALES",
        "manager_email": "sales.manager@example.com",
    },
    {
        "email": "omar.diaz@example.com",
        "name": "Omar Díaz",
        "department": "Logistics",
        "role": "Dispatcher",
        "manager_email": "lena.ng@example.com",
        "active": "yes",
    },
    {"email": "", "name": "", "department": "Logistics", "role": "Forklift Driver"},
    {"email": "member@example.com", "name": "Max Renamed", "department": "SALES", "role": "Clerk"},
]
BAD_ROWS = [
    {"email": "bad address", "name": "A", "department": "CS", "role": "Agent"},
    {"email": "", "name": "", "department": "", "role": "Agent"},
    {"email": "x@example.com", "name": "X", "department": "CS", "role": "Agent", "active": "maybe"},
]


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode()


def _state() -> tuple:
    return (
        Department.objects.count(),
        Role.objects.count(),
        User.objects.count(),
        RoleHolder.objects.count(),
        ExternalId.objects.count(),
    )


@pytest.mark.parametrize("rows", [ROWS, BAD_ROWS], ids=["changes", "problems"])
def test_dry_run_returns_the_import_pages_report(rows, org, hr, client_for, api_client_for):
    before = _state()
    page = client_for(hr).post(
        "/import/people/", {"file": SimpleUploadedFile("people.csv", _csv(rows))}
    )
    response = api_client_for(hr).post(f"{URL}?dry_run=1", {"people": rows}, format="json")
    assert response.status_code == 200
    assert response.json() == plan_report(page.context["plan"], dry_run=True)
    assert _state() == before, "a dry run writes nothing"


def test_the_report_lists_what_would_change(org, hr, api_client_for):
    report = api_client_for(hr).post(f"{URL}?dry_run=1", {"people": ROWS}, format="json").json()
    assert report["valid"] and not report["applied"]
    assert report["summary"]["people_created"] == 2
    assert report["summary"]["people_renamed"] == 1
    assert report["departments_created"][0]["name"] == "Logistics"
    assert {p["email"] for p in report["people_created"]} == {
        "lena.ng@example.com",
        "omar.diaz@example.com",
    }


def test_problems_are_reported_by_row_as_in_a_file(org, hr, api_client_for):
    report = api_client_for(hr).post(f"{URL}?dry_run=1", {"people": BAD_ROWS}, format="json").json()
    assert not report["valid"]
    assert {problem["row"] for problem in report["problems"]} >= {2, 3, 4}


def test_upsert_applies_and_a_second_run_changes_nothing(org, hr, api_client_for):
    client = api_client_for(hr)
    response = client.post(URL, {"people": ROWS}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["applied"]
    lena = User.objects.get(email="lena.ng@example.com")
    assert lena.profile.name == "Lena Ng"
    assert RoleHolder.objects.filter(person=lena, role__title="Head of Logistics").exists()
    assert User.objects.get(username="member").profile.display_name == "Max Renamed"
    again = client.post(URL, {"people": ROWS}, format="json").json()
    changes = {k: v for k, v in again["summary"].items() if k not in ("rows", "open_positions")}
    assert again["applied"] and not any(changes.values())


def test_rows_with_problems_write_nothing_and_answer_400(org, hr, api_client_for):
    before = _state()
    response = api_client_for(hr).post(URL, {"people": BAD_ROWS}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused" and body["details"]["problems"]
    assert _state() == before


def test_external_id_is_remembered_and_then_keys_the_person(org, hr, api_client_for):
    client = api_client_for(hr)
    first = [
        {
            "email": "omar.diaz@example.com",
            "name": "Omar Díaz",
            "department": "SALES",
            "role": "Dispatcher",
            "external_id": "HR-0042",
        }
    ]
    assert client.post(URL, {"people": first}, format="json").status_code == 200
    omar = User.objects.get(email="omar.diaz@example.com")
    assert omar.external_id.external_id == "HR-0042"
    # Later the HR system sends only its id: the row is Omar's.
    later = [
        {"external_id": "HR-0042", "name": "Omar Diaz", "department": "SALES", "role": "Clerk"}
    ]
    report = client.post(URL, {"people": later}, format="json").json()
    assert report["applied"] and report["summary"]["people_renamed"] == 1
    omar.refresh_from_db()
    assert omar.profile.display_name == "Omar Diaz"
    assert (
        api_client_for(hr)
        .get("/api/v1/people/?external_id=HR-0042")
        .json()["results"][0]["username"]
        == omar.username
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"people": []},
        {"people": "everyone"},
        {"people": [{"email": "a@example.com"}]},
        {"people": [{"external_id": "UNKNOWN", "department": "CS", "role": "Agent"}]},
        {"people": [{"department": "CS", "role": "x" * 300}]},
    ],
)
def test_bad_bodies_answer_400_with_a_code(body, org, hr, api_client_for):
    before = _state()
    response = api_client_for(hr).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert _state() == before


def test_the_external_id_of_someone_else_is_refused(org, hr, member, api_client_for):
    ExternalId.objects.create(person=member, external_id="HR-1")
    rows = [{"external_id": "HR-1", "email": "other@example.com", "department": "CS", "role": "A"}]
    response = api_client_for(hr).post(URL, {"people": rows}, format="json")
    assert response.status_code == 400
    assert "member@example.com" in str(response.json()["details"])
