"""What the resources return and write, on the happy paths."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from orgmap.models import Role, RoleHolder
from responsibilities import raci
from responsibilities.models import Duty, Finding
from tests import factories

pytestmark = pytest.mark.django_db


def test_departments_as_a_tree(org, member, api_client_for):
    tree = api_client_for(member).get("/api/v1/departments/tree/").json()
    sales = next(node for node in tree if node["code"] == "SALES")
    assert [child["code"] for child in sales["children"]] == ["SALES-N"]
    assert sales["children"][0]["depth"] == 1
    detail = api_client_for(member).get("/api/v1/departments/sales-n/").json()
    assert detail["parent"] == "SALES"
    children = api_client_for(member).get("/api/v1/departments/?parent=SALES").json()
    assert [d["code"] for d in children["results"]] == ["SALES-N"]


@override_settings(API_PAGE_SIZE=2)
def test_lists_are_paged_by_cursor(org, member, api_client_for):
    client = api_client_for(member)
    seen, url = [], "/api/v1/roles/"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [role["id"] for role in page["results"]]
        url = page["next"]
    assert seen == sorted(Role.objects.values_list("pk", flat=True))
    assert len(client.get("/api/v1/roles/?page_size=5").json()["results"]) == 5


def test_roles_list_their_current_holders(org, member, api_client_for):
    roles = api_client_for(member).get("/api/v1/roles/?department=SALES&q=analyst").json()
    [analyst] = roles["results"]
    assert [holder["username"] for holder in analyst["holders"]] == ["member"]


def test_hr_creates_and_edits_a_role_through_the_role_form(org, hr, api_client_for):
    client = api_client_for(hr)
    created = client.post(
        "/api/v1/roles/",
        {"title": "  Key   Account Manager ", "department": "sales", "purpose": "Big clients."},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["title"] == "Key Account Manager"
    assert created.json()["department"] == "SALES"
    pk = created.json()["id"]
    changed = client.patch(f"/api/v1/roles/{pk}/", {"active": False}, format="json").json()
    assert changed["active"] is False and changed["purpose"] == "Big clients."


def test_manager_adds_and_ends_a_holding(org, sales_manager, hr, api_client_for):
    client = api_client_for(sales_manager)
    added = client.post(
        "/api/v1/role-holders/", {"role": org["head"].pk, "person": "hr"}, format="json"
    )
    assert added.status_code == 201
    holding = RoleHolder.objects.get(pk=added.json()["id"])
    assert holding.person == hr and holding.since == datetime.date.today()
    until = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    ended = client.patch(f"/api/v1/role-holders/{holding.pk}/", {"until": until}, format="json")
    assert ended.status_code == 200 and ended.json()["until"] == until
    current = client.get(f"/api/v1/role-holders/?role={org['head'].pk}&current=1").json()
    assert holding.pk in [h["id"] for h in current["results"]]


def test_people_with_their_roles(org, member, api_client_for):
    people = api_client_for(member).get("/api/v1/people/?department=SALES").json()["results"]
    usernames = {person["username"] for person in people}
    assert {"member", "sales_manager"} <= usernames
    me = api_client_for(member).get("/api/v1/people/member/").json()
    assert "Sales Operations Analyst" in [h["role_title"] for h in me["holdings"]]


def test_manager_creates_edits_and_retires_a_duty(org, sales_manager, api_client_for):
    client = api_client_for(sales_manager)
    created = client.post(
        "/api/v1/duties/",
        {"title": "Forecast sales", "department": "SALES", "frequency": "monthly"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["cells"] == []
    # Through the service: its findings are stored at once, and go when it is retired.
    assert Finding.objects.filter(duty_id=pk, rule=raci.NO_ACCOUNTABLE).exists()
    retired = client.patch(f"/api/v1/duties/{pk}/", {"active": False}, format="json")
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert Duty.objects.get(pk=pk).frequency == "monthly"
    assert not Finding.objects.filter(duty_id=pk).exists()


def test_coordinator_creates_a_project_duty(org, coordinator, api_client_for):
    created = api_client_for(coordinator).post(
        "/api/v1/duties/",
        {"title": "Launch event", "department": "SALES", "project": "LAUNCH", "kpis": "Visitors"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["project"] == "LAUNCH" and created.json()["kpis"] == "Visitors"


def test_findings_filter_by_department_rule_and_severity(org, member, api_client_for):
    client = api_client_for(member)
    found = client.get(
        f"/api/v1/findings/?department=SALES&rule={raci.NO_RESPONSIBLE}&severity=error"
    ).json()["results"]
    duty_ids = {finding["duty"] for finding in found}
    assert org["duty"].pk in duty_ids
    assert all(f["department"] == "SALES" and f["rule"] == raci.NO_RESPONSIBLE for f in found)
    assert found[0]["message"]
    project = client.get("/api/v1/findings/?project=LAUNCH").json()["results"]
    assert project and all(f["project"] == "LAUNCH" for f in project)


def test_search_answers_who_owns_a_duty(org, member, api_client_for):
    result = api_client_for(member).get("/api/v1/search/?q=negotiate").json()
    [hit] = result["duties"]
    assert hit["accountable"][0]["title"] == "Head of Sales"
    assert hit["accountable"][0]["holders"][0]["username"] == "sales_manager"


def test_role_description_links_its_documents(org, member, api_client_for, sales_manager):
    from responsibilities import services

    services.assignment_set(
        duty=org["duty"], role=org["analyst"], letter="R", expected_version=0, by=sales_manager
    )
    described = api_client_for(member).get(f"/api/v1/roles/{org['analyst'].pk}/description/")
    body = described.json()
    responsible = next(group for group in body["groups"] if group["key"] == "R")
    assert [duty["id"] for duty in responsible["duties"]] == [org["duty"].pk]
    assert body["links"]["pdf"].endswith(f"/roles/{org['analyst'].pk}/description.pdf")
    assert body["links"]["docx"].endswith(f"/roles/{org['analyst'].pk}/description.docx")


def test_meetings_are_read_with_filters(org, member, api_client_for):
    client = api_client_for(member)
    factories.MeetingFactory(
        title="Production weekly", departments=[factories.DepartmentFactory(code="PROD")]
    )
    sales = client.get("/api/v1/meetings/?department=SALES").json()["results"]
    assert [meeting["title"] for meeting in sales] == ["Sales sync"]
    assert sales[0]["departments"] == ["SALES"] and sales[0]["project"] == "LAUNCH"
    tomorrow = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    assert client.get(f"/api/v1/meetings/?starts_from={tomorrow}").json()["results"] == []


def test_errors_speak_the_requests_language(org, member, api_client_for):
    response = api_client_for(member).get(
        "/api/v1/findings/?rule=NOPE", headers={"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    assert response.json()["message"] == "请求无效；请查看详细信息。"
    assert response.json()["details"]["rule"] == ["未知规则。"]
