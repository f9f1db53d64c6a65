"""The findings page and the `findings` command agree with the matrix pages."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from orgmap.models import Department

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def _json(*args) -> list[dict]:
    out = StringIO()
    call_command("findings", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_json_has_the_documented_keys(demo_duties):
    findings = _json()
    assert findings
    for finding in findings:
        assert set(finding) == {
            "rule",
            "severity",
            "department",
            "project",
            "duty",
            "duty_id",
            "roles",
            "message",
            "suggestion",
        }


def test_demo_organisation_has_its_planted_findings(demo_duties):
    rules = Counter((f["rule"], f["department"]) for f in _json())
    assert rules[("NO_ACCOUNTABLE", "SALES")] == 1
    assert rules[("MULTIPLE_ACCOUNTABLE", "SALES")] == 1
    assert rules[("CROSS_DEPARTMENT_DUPLICATE", "SALES")] == 1
    assert rules[("DUPLICATE_DUTY", "SALES-N")] == rules[("DUPLICATE_DUTY", "SALES-S")] == 1
    assert rules[("VACANT_RESPONSIBLE", "SALES-S")] == 1
    assert rules[("VACANT_ACCOUNTABLE", "MKT")] == 1
    assert rules[("INACTIVE_ROLE_ASSIGNED", "HR")] == 1
    launch = [f for f in _json("--project", "LAUNCH")]
    assert [(f["rule"], f["duty"]) for f in launch] == [
        ("NO_ACCOUNTABLE", "Ramp up production for the launch"),
        # R&D does the training that Sales is accountable for; the demo duties alone
        # record no information flow between them.
        ("MISSING_HANDOFF", "Train the sales team on the new product"),
    ]


def test_findings_json_matches_what_the_matrix_pages_show(demo_duties, member, client_for):
    by_department = Counter()
    for finding in _json():
        by_department[(finding["department"], finding["rule"])] += 1
    client = client_for(member)
    for department in Department.objects.all():
        page = client.get(reverse("department-matrix", args=[department.code]))
        shown = {
            (department.code, rule): count for rule, count in page.context["matrix"].summary.items()
        }
        expected = {key: count for key, count in by_department.items() if key[0] == department.code}
        assert shown == expected, department.code
        assert _json("--department", department.code) == [
            f for f in _json() if f["department"] == department.code
        ]


def test_text_output_and_errors(demo_duties):
    out = StringIO()
    call_command("findings", "--department", "sales", stdout=out)
    assert "NO_ACCOUNTABLE" in out.getvalue() and out.getvalue().strip().endswith("4 findings.")
    with pytest.raises(CommandError, match="No department with code 'NOPE'"):
        call_command("findings", "--department", "NOPE")
    with pytest.raises(CommandError, match="not both"):
        call_command("findings", "--department", "SALES", "--project", "LAUNCH")


def test_findings_page_groups_by_department_and_rule(member, client_for, demo_duties):
    response = client_for(member).get(reverse("findings"))
    assert response.status_code == 200
    codes = [group["code"] for group in response.context["groups"]]
    assert codes == sorted(codes)
    assert response.context["total"] == len(_json())
    assert "Go to the cell that fixes it" in response.text


def test_findings_page_filters(member, client_for, demo_duties):
    client = client_for(member)
    response = client.get(reverse("findings") + "?department=SALES&rule=NO_ACCOUNTABLE")
    assert response.context["total"] == 1
    response = client.get(reverse("findings") + "?severity=info")
    assert all(
        f.severity == "info"
        for g in response.context["groups"]
        for r in g["rules"]
        for f in r["findings"]
    )
    assert client.get(reverse("findings") + "?department=NOPE").status_code == 404


def test_department_page_has_a_finding_badge(member, client_for, demo_duties):
    response = client_for(member).get(reverse("department-detail", args=["SALES"]))
    assert response.context["finding_count"] == 4
    assert 'id="finding-count">4<' in response.text


def test_findings_page_cost_is_constant(
    member, client_for, demo_duties, django_assert_max_num_queries
):
    client = client_for(member)
    with django_assert_max_num_queries(15):
        client.get(reverse("findings"))


def test_an_information_flow_clears_the_missing_handoff(demo_duties):
    from responsibilities.models import InformationFlow

    def handoffs():
        return [f["duty"] for f in _json("--department", "SALES") if f["rule"] == "MISSING_HANDOFF"]

    assert handoffs() == ["Train the sales team on the new product"]
    flow = InformationFlow.objects.create(
        from_department=Department.objects.get(code="RND"),
        to_department=Department.objects.get(code="SALES"),
        information="New product briefings",
        channel="meeting",
        frequency="quarterly",
    )
    assert handoffs() == []
    flow.active = False
    flow.save(update_fields=["active"])
    assert handoffs() == ["Train the sales team on the new product"]


def test_a_department_and_its_sub_departments_need_no_flow(demo_duties):
    # "Set regional sales targets": accountable in SALES and SALES-N, done in SALES.
    duties = [f["duty"] for f in _json("--department", "SALES") if f["rule"] == "MISSING_HANDOFF"]
    assert "Set regional sales targets" not in duties


def test_findings_page_shows_a_page_at_a_time(member, client_for, demo_duties, monkeypatch):
    from responsibilities.views import findings as views

    monkeypatch.setattr(views, "FINDINGS_PER_PAGE", 3)
    client = client_for(member)
    first = client.get(reverse("findings"))
    shown = sum(len(r["findings"]) for g in first.context["groups"] for r in g["rules"])
    assert shown == 3 and first.context["total"] > 3
    assert "page=2" in first.text
    second = client.get(reverse("findings") + "?page=2")
    assert second.context["page"].number == 2
