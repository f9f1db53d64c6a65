"""Bad input answers 400 (JSON, with a code and the problems by field), never 500,
and writes nothing."""

from __future__ import annotations

import datetime

import pytest

from orgmap.models import Department, Role, RoleHolder
from responsibilities.models import Assignment, Duty

pytestmark = pytest.mark.django_db

BAD_QUERIES = [
    "/api/v1/departments/?parent=NOPE",
    "/api/v1/departments/?root=perhaps",
    "/api/v1/roles/?department=NOPE",
    "/api/v1/roles/?active=2",
    "/api/v1/people/?department=NOPE",
    "/api/v1/role-holders/?role=abc",
    "/api/v1/role-holders/?role=99999999999999999999999",
    "/api/v1/projects/?status=finished",
    "/api/v1/duties/?project=NOPE",
    "/api/v1/assignments/?letter=Z",
    "/api/v1/assignments/?duty=-1",
    "/api/v1/findings/?rule=NOT_A_RULE",
    "/api/v1/findings/?severity=fatal",
    "/api/v1/findings/?department=NOPE",
    "/api/v1/meetings/?starts_from=2024-13-01",
    "/api/v1/search/?q=",
    "/api/v1/search/?q=a",
    "/api/v1/duties/?cursor=garbage",
]


@pytest.mark.parametrize("url", BAD_QUERIES)
def test_bad_filters_answer_400(url, org, member, api_client_for):
    response = api_client_for(member).get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["message"] and body["details"]


def _state() -> tuple:
    return (
        list(Role.objects.values()),
        list(RoleHolder.objects.values()),
        list(Duty.objects.values()),
        list(Assignment.objects.values()),
        Department.objects.count(),
    )


def bad_writes(org) -> list[tuple[str, str, object]]:
    analyst, holding = org["analyst"], org["holding"]
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    return [
        ("post", "/api/v1/roles/", {"department": "SALES"}),
        ("post", "/api/v1/roles/", {"title": "Clerk"}),
        ("post", "/api/v1/roles/", {"title": "Clerk", "department": "NOPE"}),
        ("post", "/api/v1/roles/", {"title": "x" * 300, "department": "SALES"}),
        ("post", "/api/v1/roles/", {"title": "Head of Sales", "department": "SALES"}),
        ("post", "/api/v1/roles/", {"title": "Clerk", "department": "SALES", "reports_to": 999999}),
        ("post", "/api/v1/roles/", {"title": "Nul\u0000l", "department": "SALES"}),
        ("patch", f"/api/v1/roles/{analyst.pk}/", {"last_reviewed_on": future}),
        ("patch", f"/api/v1/roles/{analyst.pk}/", {"review_cadence_months": 5}),
        ("patch", f"/api/v1/roles/{analyst.pk}/", {"active": "sometimes"}),
        ("post", "/api/v1/role-holders/", {"role": 999999, "person": "member"}),
        ("post", "/api/v1/role-holders/", {"role": analyst.pk, "person": "nobody"}),
        ("post", "/api/v1/role-holders/", {"role": analyst.pk, "person": "member"}),
        ("post", "/api/v1/role-holders/", {"role": analyst.pk, "person": "hr", "since": "soon"}),
        ("patch", f"/api/v1/role-holders/{holding.pk}/", {"until": "2000-01-01"}),
        ("patch", f"/api/v1/role-holders/{holding.pk}/", {}),
        ("post", "/api/v1/duties/", {"title": "Forecast"}),
        ("post", "/api/v1/duties/", {"title": "", "department": "SALES"}),
        (
            "post",
            "/api/v1/duties/",
            {"title": "negotiate KEY customer contracts", "department": "SALES"},
        ),
        (
            "post",
            "/api/v1/duties/",
            {"title": "Forecast", "department": "SALES", "project": "NOPE"},
        ),
        (
            "post",
            "/api/v1/duties/",
            {"title": "Forecast", "department": "SALES", "frequency": "hourly"},
        ),
        ("post", "/api/v1/duties/", {"title": "Forecast", "department": "CS", "project": "LAUNCH"}),
        ("patch", f"/api/v1/duties/{org['duty'].pk}/", {"department": "PROD"}),
        ("patch", f"/api/v1/duties/{org['duty'].pk}/", {"title": "   "}),
        (
            "patch",
            f"/api/v1/duties/{org['duty'].pk}/",
            {"title": "Launch pricing", "project": "LAUNCH"},
        ),
        ("post", "/api/v1/roles/", ["not", "an", "object"]),
    ]


def test_bad_writes_answer_400_and_write_nothing(org, admin_user, api_client_for):
    client = api_client_for(admin_user)
    failures = []
    for method, url, body in bad_writes(org):
        before = _state()
        response = getattr(client, method)(url, body, format="json")
        problem = None
        if response.status_code != 400:
            problem = f"{response.status_code} {response.content[:200]!r}"
        elif response.json().get("code") != "invalid" or not response.json().get("details"):
            problem = f"body {response.json()}"
        elif _state() != before:
            problem = "something was written"
        if problem:
            failures.append(f"{method.upper()} {url} {body!r}: {problem}")
    assert not failures, "\n".join(failures)


def test_a_body_that_is_not_json_answers_400(org, admin_user, api_client_for):
    response = api_client_for(admin_user).generic(
        "POST", "/api/v1/roles/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_form_encoded_body_answers_415_with_a_code(org, admin_user, api_client_for):
    response = api_client_for(admin_user).post("/api/v1/roles/", {"title": "Clerk"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_unknown_objects_answer_404_json(org, member, api_client_for):
    client = api_client_for(member)
    for url in (
        "/api/v1/departments/NOPE/",
        "/api/v1/roles/999999/",
        "/api/v1/people/nobody/",
        "/api/v1/projects/NOPE/",
        "/api/v1/duties/999999/",
        "/api/v1/meetings/999999/",
        "/api/v1/roles/999999/description/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"


def test_a_wrong_method_answers_405_json(org, member, api_client_for):
    response = api_client_for(member).delete(f"/api/v1/duties/{org['duty'].pk}/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_body_too_large_answers_413_json(org, hr, api_client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    rows = [
        {"email": f"p{n}@example.com", "department": "SALES", "role": "Clerk"} for n in range(500)
    ]
    response = api_client_for(hr).post(
        "/api/v1/people/bulk/?dry_run=1", {"people": rows}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
