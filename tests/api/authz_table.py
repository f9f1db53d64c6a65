"""Every API endpoint × persona: the status each persona gets, with a token and with
the session. Writes name the UI page that makes the same change, so the table also
checks that the API decides as the page does.

Personas: those of the UI table (tests/test_authorization_table.py), plus an inactive
person and a manager's expired and revoked tokens (token mode only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse

PERSONAS = ["member", "other_manager", "manager", "coordinator", "hr", "admin"]
REFUSED = ["anonymous", "inactive", "expired_token", "revoked_token"]
# Not API endpoints: the schema and its reference page are public.
PUBLIC = {"api-schema", "api-docs"}


@dataclass
class Row:
    name: str  # the URL's name
    method: str
    url: str
    allowed: set[str]  # personas that may (the others get 403)
    ok: int = 200
    body: dict | None = None
    # The UI pages making the same change: the persona may use one of them exactly when
    # the API allows it (GET answers 403 to those who may not).
    ui: list[tuple[str, str]] = field(default_factory=list)  # (method, url)


def everyone() -> set[str]:
    return set(PERSONAS)


def rows(org) -> list[Row]:
    duty, project_duty = org["duty"], org["project_duty"]
    analyst, head, holding = org["analyst"], org["head"], org["holding"]
    today = datetime.date.today()
    reads = [
        ("api-department-list", "/api/v1/departments/"),
        ("api-department-tree", "/api/v1/departments/tree/"),
        ("api-department-detail", "/api/v1/departments/SALES/"),
        ("api-role-list", "/api/v1/roles/"),
        ("api-role-detail", f"/api/v1/roles/{analyst.pk}/"),
        ("api-person-list", "/api/v1/people/"),
        ("api-person-detail", "/api/v1/people/member/"),
        ("api-role-holder-list", "/api/v1/role-holders/"),
        ("api-role-holder-detail", f"/api/v1/role-holders/{holding.pk}/"),
        ("api-project-list", "/api/v1/projects/"),
        ("api-project-detail", "/api/v1/projects/LAUNCH/"),
        ("api-duty-list", "/api/v1/duties/?department=SALES"),
        ("api-duty-detail", f"/api/v1/duties/{duty.pk}/"),
        ("api-assignment-list", "/api/v1/assignments/?department=SALES"),
        ("api-cell-detail", f"/api/v1/cells/{duty.pk}/{head.pk}/"),
        ("api-finding-list", "/api/v1/findings/?department=SALES"),
        ("api-search", "/api/v1/search/?q=sales"),
        ("api-role-description", f"/api/v1/roles/{analyst.pk}/description/"),
        ("api-meeting-list", "/api/v1/meetings/"),
        ("api-meeting-detail", f"/api/v1/meetings/{org['meeting'].pk}/"),
    ]
    table = [Row(name, "get", url, everyone()) for name, url in reads]
    sales_managers = {"manager", "admin"}
    table += [
        Row(
            "api-role-list",
            "post",
            "/api/v1/roles/",
            {"manager", "hr", "admin"},
            ok=201,
            body={"title": "Key Account Manager", "department": "SALES"},
            ui=[("get", reverse("role-create", args=["SALES"]))],
        ),
        Row(
            "api-role-detail",
            "patch",
            f"/api/v1/roles/{analyst.pk}/",
            {"manager", "hr", "admin"},
            body={"purpose": "Keeps the numbers."},
            ui=[("get", reverse("role-edit", args=[analyst.pk]))],
        ),
        Row(
            "api-role-holder-list",
            "post",
            "/api/v1/role-holders/",
            sales_managers,
            ok=201,
            body={"role": head.pk, "person": "member"},
            ui=[("post", reverse("role-holder-add", args=[head.pk]))],
        ),
        Row(
            "api-role-holder-detail",
            "patch",
            f"/api/v1/role-holders/{holding.pk}/",
            sales_managers,
            body={"until": (today + datetime.timedelta(days=1)).isoformat()},
            ui=[("get", reverse("role-holder-end", args=[holding.pk]))],
        ),
        Row(
            "api-duty-list",
            "post",
            "/api/v1/duties/",
            sales_managers,
            ok=201,
            body={"title": "Forecast sales", "department": "SALES"},
            ui=[("get", reverse("duty-create", args=["SALES"]))],
        ),
        Row(
            "api-duty-list",
            "post",
            "/api/v1/duties/",
            {"manager", "coordinator", "admin"},
            ok=201,
            body={"title": "Launch discounts", "department": "SALES", "project": "LAUNCH"},
            ui=[
                ("get", reverse("duty-create", args=["SALES"])),
                ("get", reverse("project-duty-create", args=["LAUNCH"])),
            ],
        ),
        Row(
            "api-duty-detail",
            "patch",
            f"/api/v1/duties/{duty.pk}/",
            sales_managers,
            body={"description": "Every key account, yearly."},
            ui=[("get", reverse("duty-edit", args=[duty.pk]))],
        ),
        Row(
            "api-duty-detail",
            "patch",
            f"/api/v1/duties/{project_duty.pk}/",
            {"manager", "coordinator", "admin"},
            body={"kpis": "Margin"},
            ui=[("get", reverse("duty-edit", args=[project_duty.pk]))],
        ),
        Row(
            "api-cell-detail",
            "put",
            f"/api/v1/cells/{duty.pk}/{analyst.pk}/",
            sales_managers,
            body={"letter": "R", "version": 0},
            ui=[("get", reverse("matrix-cell", args=[duty.pk, analyst.pk]))],
        ),
        Row(
            "api-cell-detail",
            "patch",
            f"/api/v1/cells/{project_duty.pk}/{analyst.pk}/",
            {"manager", "coordinator", "admin"},
            body={"letter": "C", "version": 0},
            ui=[("get", reverse("matrix-cell", args=[project_duty.pk, analyst.pk]))],
        ),
        Row(
            "api-people-bulk",
            "post",
            "/api/v1/people/bulk/?dry_run=1",
            {"hr", "admin"},
            body={
                "people": [
                    {
                        "email": "new@example.com",
                        "name": "New",
                        "department": "SALES",
                        "role": "Clerk",
                    }
                ]
            },
            ui=[("get", reverse("import-people"))],
        ),
    ]
    return table


def covered_names() -> set[str]:
    """URL names the API table covers (every name the API adds to the URLconf)."""
    return {
        "api-department-list",
        "api-department-tree",
        "api-department-detail",
        "api-role-list",
        "api-role-detail",
        "api-person-list",
        "api-person-detail",
        "api-role-holder-list",
        "api-role-holder-detail",
        "api-project-list",
        "api-project-detail",
        "api-duty-list",
        "api-duty-detail",
        "api-assignment-list",
        "api-cell-detail",
        "api-finding-list",
        "api-search",
        "api-role-description",
        "api-people-bulk",
        "api-meeting-list",
        "api-meeting-detail",
        *PUBLIC,
    }
