"""A department matrix's two lists of projects, read in one query: the project filter
offers the projects with duties in the department, the "add a duty" form the projects
the department takes part in; what is posted is still checked against the latter."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from responsibilities.models import Duty
from tests import factories

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no {name} select"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


@pytest.fixture
def sales():
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    other = factories.DepartmentFactory(code="OPS", name="Operations")
    linked = factories.ProjectFactory(code="LINKED", name="Linked only", departments=[sales])
    both = factories.ProjectFactory(code="BOTH", name="Both", departments=[sales, other])
    foreign = factories.ProjectFactory(code="FOREIGN", name="Foreign", departments=[other])
    factories.ProjectFactory(code="NONE", name="Unrelated", departments=[other])
    role = factories.RoleFactory(department=sales, title="Seller")
    for title, project in (("Sell", None), ("Launch", both), ("Help out", foreign)):
        duty = factories.DutyFactory(department=sales, title=title, project=project)
        factories.AssignmentFactory(duty=duty, role=role, letter="A")
    return {"department": sales, "linked": linked, "both": both, "foreign": foreign}


def test_the_filter_and_the_add_a_duty_form_offer_their_own_projects(sales, admin_user, client_for):
    response = client_for(admin_user).get(reverse("department-matrix", args=["SALES"]))
    assert response.status_code == 200
    html = response.text
    # The filter: projects with duties here, a duty of another department's project
    # included (a department may work on a project it is not part of).
    assert _options(html, "project")[1:] == ["Both", "Foreign"]
    form = html[html.index('id="add-duty-heading"') :]
    assert _options(form, "project")[1:] == ["Both", "Linked only"]


def test_the_add_a_duty_form_still_refuses_a_project_of_other_departments(
    sales, admin_user, client_for
):
    client = client_for(admin_user)
    url = reverse("duty-create", args=["SALES"])
    response = client.post(url, {"title": "Smuggled", "project": sales["foreign"].pk})
    assert response.status_code == 200  # the form again, with its error
    assert not Duty.objects.filter(title="Smuggled").exists()
    response = client.post(url, {"title": "Linked duty", "project": sales["linked"].pk})
    assert response.status_code == 302
    assert Duty.objects.get(title="Linked duty").project == sales["linked"]


def test_a_member_gets_the_filter_without_the_form(sales, client_for):
    member = factories.UserFactory(username="member")
    html = client_for(member).get(reverse("department-matrix", args=["SALES"])).text
    assert _options(html, "project")[1:] == ["Both", "Foreign"]
    assert 'id="add-duty-heading"' not in html
