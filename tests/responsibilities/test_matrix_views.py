"""The matrix page and cell editing: who may, what changes, and what it costs."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgmap.models import Department, Role
from responsibilities import (
    findings_facts,
    findings_rebuild,
    raci,
    selectors,
    services,
)
from responsibilities.models import Assignment, AssignmentChange, Duty

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]

HTMX = {"HX-Request": "true"}


def _cell_url(duty: Duty, role: Role) -> str:
    return reverse("matrix-cell", args=[duty.pk, role.pk])


@pytest.fixture
def contracts(demo_duties):
    return Duty.objects.get(title="Negotiate key customer contracts")


@pytest.fixture
def head_of_sales(demo_duties):
    return Role.objects.get(title="Head of Sales")


def test_member_sees_the_matrix_without_edit_controls(member, client_for, demo_duties):
    response = client_for(member).get(reverse("department-matrix", args=["SALES"]))
    assert response.status_code == 200
    assert "Negotiate key customer contracts" in response.text
    assert 'class="cell-button"' not in response.text
    assert "Add a duty" not in response.text


def test_manager_sees_edit_controls_and_the_finding_summary(sales_manager, client_for, demo_duties):
    response = client_for(sales_manager).get(reverse("department-matrix", args=["SALES"]))
    assert 'class="cell-button"' in response.text
    assert response.context["matrix"].summary == {
        "NO_ACCOUNTABLE": 1,
        "MULTIPLE_ACCOUNTABLE": 1,
        "CROSS_DEPARTMENT_DUPLICATE": 1,
        "MISSING_HANDOFF": 1,
    }
    # Roles from other departments assigned to Sales duties appear as columns.
    titles = [column.role.title for column in response.context["matrix"].columns]
    assert titles[0] == "Head of Sales"
    assert {"Finance Director", "Production Planner", "North Regional Sales Manager"} <= set(titles)


def test_setting_a_cell_updates_cell_flags_and_summary(
    sales_manager, client_for, contracts, head_of_sales
):
    response = client_for(sales_manager).post(
        _cell_url(contracts, head_of_sales),
        {"letter": "A", "version": "0", "scope": "department:SALES"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.text
    assert re.search(
        rf'<td class="cell has-letter letter-A" id="cell-{contracts.pk}-{head_of_sales.pk}"', html
    )
    flags = html[html.index(f'id="flags-{contracts.pk}"') :]
    flags = flags[: flags.index("</td>")]
    assert "NO_ACCOUNTABLE" not in flags and "CROSS_DEPARTMENT_DUPLICATE" in flags
    assert 'id="finding-summary"' in html and 'hx-swap-oob="true"' in html
    assert 'data-count="3"' in html
    assert Assignment.objects.get(duty=contracts, role=head_of_sales).letter == raci.A


def test_letters_are_case_insensitive_and_ar_is_accepted(
    sales_manager, client_for, contracts, head_of_sales
):
    client_for(sales_manager).post(
        _cell_url(contracts, head_of_sales), {"letter": "a/r", "version": "0"}, headers=HTMX
    )
    assert Assignment.objects.get(duty=contracts, role=head_of_sales).letter == raci.AR


def test_sales_manager_cannot_edit_a_production_cell(sales_manager, client_for, demo_duties):
    duty = Duty.objects.get(title="Maintain production lines")
    role = Role.objects.get(title="Production Manager")
    client = client_for(sales_manager)
    response = client.post(_cell_url(duty, role), {"letter": "A", "version": "0"}, headers=HTMX)
    assert response.status_code == 403
    assert "You may not edit the assignments of “Maintain production lines”." in response.text
    assert response["HX-Retarget"] == "#flash"
    assert client.post(_cell_url(duty, role), {"letter": "A", "version": "0"}).status_code == 403
    assert client.get(_cell_url(duty, role)).status_code == 403
    assert not Assignment.objects.filter(duty=duty, role=role).exists()
    assert not AssignmentChange.objects.filter(duty=duty, role=role).exists()


def test_member_cannot_edit_cells(member, client_for, contracts, head_of_sales):
    response = client_for(member).post(
        _cell_url(contracts, head_of_sales), {"letter": "A", "version": "0"}
    )
    assert response.status_code == 403
    assert not Assignment.objects.filter(duty=contracts, role=head_of_sales).exists()


def test_stale_edit_is_refused_and_says_who_changed_it(
    sales_manager, admin_user, client_for, contracts
):
    north = Role.objects.get(title="North Regional Sales Manager")
    version = Assignment.objects.get(duty=contracts, role=north).version
    client_for(admin_user).post(
        _cell_url(contracts, north), {"letter": "C", "version": version}, headers=HTMX
    )
    response = client_for(sales_manager).post(
        _cell_url(contracts, north), {"letter": "I", "version": version}, headers=HTMX
    )
    assert response.status_code == 409
    assert re.search(
        r"Changed by Alex Admin at \d\d:\d\d: it is now C\. Your change was not applied\.",
        response.text,
    )
    assert ">C</a>" in response.text  # the cell shows the current value
    assert Assignment.objects.get(duty=contracts, role=north).letter == raci.C


def test_stale_edit_without_javascript_redirects_with_a_message(
    sales_manager, admin_user, client_for, contracts
):
    north = Role.objects.get(title="North Regional Sales Manager")
    version = Assignment.objects.get(duty=contracts, role=north).version
    client_for(admin_user).post(_cell_url(contracts, north), {"letter": "C", "version": version})
    client = client_for(sales_manager)
    next_url = reverse("department-matrix", args=["SALES"])
    response = client.post(
        _cell_url(contracts, north), {"letter": "I", "version": version, "next": next_url}
    )
    assert response.status_code == 302 and response["Location"] == next_url
    assert "Changed by Alex Admin" in client.get(next_url).text


def test_cell_edit_page_works_without_javascript(
    sales_manager, client_for, contracts, head_of_sales
):
    client = client_for(sales_manager)
    page = client.get(_cell_url(contracts, head_of_sales) + "?next=/departments/SALES/matrix/")
    assert page.status_code == 200 and 'type="radio"' in page.text
    response = client.post(
        _cell_url(contracts, head_of_sales),
        {"letter": "A", "version": "0", "next": "/departments/SALES/matrix/"},
    )
    assert response["Location"] == "/departments/SALES/matrix/"
    assert Assignment.objects.get(duty=contracts, role=head_of_sales).letter == raci.A


def test_next_must_stay_on_this_site(sales_manager, client_for, contracts, head_of_sales):
    response = client_for(sales_manager).post(
        _cell_url(contracts, head_of_sales),
        {"letter": "A", "version": "0", "next": "https://evil.example/"},
    )
    assert response["Location"].startswith("/departments/SALES/matrix/")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"letter": "Z", "version": "0"}, "letter"),
        ({"letter": "A", "version": "abc"}, "The edit was malformed"),
        ({"letter": "A"}, "The edit was malformed"),
        ({"letter": "A", "version": "-1"}, "The edit was malformed"),
    ],
)
def test_malformed_edits_change_nothing(
    sales_manager, client_for, contracts, head_of_sales, data, message
):
    client = client_for(sales_manager)
    response = client.post(_cell_url(contracts, head_of_sales), data, headers=HTMX)
    assert response.status_code == 422
    assert message.lower() in response.text.lower()
    assert client.post(_cell_url(contracts, head_of_sales), data).status_code == 400
    assert not Assignment.objects.filter(duty=contracts, role=head_of_sales).exists()


def test_cell_editor_fragment(sales_manager, client_for, contracts, head_of_sales):
    response = client_for(sales_manager).get(_cell_url(contracts, head_of_sales), headers=HTMX)
    assert response.text.lstrip().startswith('<td class="cell editing"')
    assert 'name="version" value="0"' in response.text


def test_only_rows_with_findings_filter(sales_manager, client_for, demo_duties):
    response = client_for(sales_manager).get(
        reverse("department-matrix", args=["SALES"]) + "?findings=1"
    )
    titles = [row.duty["title"] for row in response.context["page"].object_list]
    assert titles == [
        "Negotiate key customer contracts",
        "Set regional sales targets",
        "Train the sales team on the new product",
    ]


def test_project_filter(sales_manager, client_for, demo_duties):
    response = client_for(sales_manager).get(
        reverse("department-matrix", args=["SALES"]) + "?project=LAUNCH"
    )
    assert [row.duty["title"] for row in response.context["page"].object_list] == [
        "Train the sales team on the new product"
    ]


def test_department_filter_switches_matrix(member, client_for, demo_duties):
    response = client_for(member).get(
        reverse("department-matrix", args=["SALES"]) + "?department=PROD"
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "department-matrix", args=["PROD"]
    )


def test_add_role_column(sales_manager, client_for, demo_duties):
    service_lead = Role.objects.get(title="Customer Service Lead")
    response = client_for(sales_manager).get(
        reverse("department-matrix", args=["SALES"]) + f"?add_role={service_lead.pk}"
    )
    assert "Customer Service Lead" in [
        column.role.title for column in response.context["matrix"].columns
    ]


def _bulk_duties(department: Department, roles: list[Role], count: int, start: int = 0) -> None:
    duties = Duty.objects.bulk_create(
        Duty(title=f"Generated duty {i}", title_key=f"generated duty {i}", department=department)
        for i in range(start, start + count)
    )
    from django.utils import timezone

    now = timezone.now()
    Assignment.objects.bulk_create(
        Assignment(
            duty=duty, role=roles[i % len(roles)], letter=raci.LETTERS[i % 5], updated_at=now
        )
        for i, duty in enumerate(duties)
    )


def _matrix_and_cell_edit_queries(client, duty: Duty, head: Role, letter: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("department-matrix", args=["SALES"]))
    assert response.status_code == 200
    version = (
        Assignment.objects.filter(duty=duty, role=head).values_list("version", flat=True).first()
        or 0
    )
    with CaptureQueriesContext(connection) as edit:
        response = client.post(
            _cell_url(duty, head),
            {"letter": letter, "version": version, "scope": "department:SALES"},
            headers=HTMX,
        )
    assert response.status_code == 200
    statements = [
        q["sql"]
        for q in edit.captured_queries
        # Savepoints exist only because the test runs inside a transaction.
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    return len(page.captured_queries), len(statements)


def test_matrix_and_cell_edit_cost_the_same_for_10_and_500_duties(sales_manager, client_for):
    sales = Department.objects.get(code="SALES")
    roles = list(Role.objects.filter(department__code__startswith="SALES"))
    head = Role.objects.get(title="Head of Sales")
    client = client_for(sales_manager)
    client.get(reverse("profile"))
    _bulk_duties(sales, roles, 10)
    findings_rebuild.findings_rebuild()  # bulk_create sends no signals
    duty = Duty.objects.get(title="Generated duty 3")
    small = _matrix_and_cell_edit_queries(client, duty, head, "A")
    _bulk_duties(sales, roles, 490, start=10)
    findings_rebuild.findings_rebuild()
    # The same edit (a new cell on the same duty) in the now larger department: the cost
    # of an edit depends on the duty's shape (which rules it can touch), not on size.
    cell = Assignment.objects.get(duty=duty, role=head)
    services.assignment_set(
        duty=duty, role=head, letter=None, expected_version=cell.version, by=None
    )
    large = _matrix_and_cell_edit_queries(client, duty, head, "A")
    assert small == large, "the cost grew with the department"
    page, edit = large
    # Page: the department, 50 duty rows with their total, their cells, the columns'
    # roles, their stored findings, the summary aggregate, the project picker; the user
    # with the profile (the session is in the cache), the permission lookups (groups,
    # two grant tables, the department tree), the add-a-duty form's project choices, the
    # notification bell (the "please confirm your role" prompt is cached since the
    # profile page); the role picker is a combobox loaded on demand.
    assert page <= 14
    # Edit: the user with the profile, the permission lookups (4); the duty with its
    # head, the role with its load; the duty's cells (locked), insert (its version read
    # inside), history; replace the duty's stored findings (2 on SQLite, 1 on
    # PostgreSQL); the summary aggregate.
    assert edit <= 13


def test_the_matrix_shows_stored_findings_for_its_rows_and_columns(member, client_for, demo_duties):
    response = client_for(member).get(reverse("department-matrix", args=["SALES"]))
    everything = findings_facts.computed_findings(
        selectors.Scope(department=Department.objects.get(code="SALES"))
    )
    shown_rows = {
        (finding.rule, finding.duty_id)
        for row in response.context["page"].object_list
        for finding in row.findings
    }
    shown_columns = {
        (finding.rule, finding.roles[0].id)
        for column in response.context["columns"]
        for finding in column.findings
    }
    assert shown_rows == {(f.rule, f.duty_id) for f in everything if f.duty_id}
    assert shown_columns == {(f.rule, f.roles[0].id) for f in everything if not f.duty_id}
    assert response.context["matrix"].summary == raci.summarise(everything)


def test_add_duty_inline(sales_manager, client_for, demo_duties):
    client = client_for(sales_manager)
    url = reverse("duty-create", args=["SALES"])
    response = client.post(url, {"title": "Review lost deals", "project": ""}, headers=HTMX)
    duty = Duty.objects.get(title="Review lost deals")
    assert response["HX-Redirect"].startswith(
        reverse("department-matrix", args=["SALES"]) + f"?focus={duty.pk}"
    )
    response = client.post(url, {"title": "review  LOST deals", "project": ""}, headers=HTMX)
    assert "This department already has a duty with this title." in response.text
    response = client.post(url, {"title": "   ", "project": ""}, headers=HTMX)
    assert "Give the duty a title." in response.text
    assert Duty.objects.filter(department__code="SALES", title_key="review lost deals").count() == 1


def test_member_cannot_add_duties(member, client_for, demo_duties):
    response = client_for(member).post(reverse("duty-create", args=["SALES"]), {"title": "X"})
    assert response.status_code == 403
    assert not Duty.objects.filter(title="X").exists()


def test_duty_page_shows_owners_and_history(
    sales_manager, member, client_for, contracts, head_of_sales
):
    client_for(sales_manager).post(
        _cell_url(contracts, head_of_sales), {"letter": "A", "version": "0"}, headers=HTMX
    )
    response = client_for(member).get(reverse("duty-detail", args=[contracts.pk]))
    assert response.status_code == 200
    assert "Sam Sales" in response.text and "sales.manager@example.com" in response.text
    history = response.context["history"]
    assert (history[0].role, history[0].before, history[0].after) == (head_of_sales, "", "A")


def test_duty_edit_permissions(sales_manager, production_manager, client_for, contracts):
    data = {
        "title": "Negotiate key customer contracts",
        "description": "Big ones.",
        "frequency": "",
        "kpis": "",
        "active": "on",
    }
    assert (
        client_for(production_manager)
        .post(reverse("duty-edit", args=[contracts.pk]), data)
        .status_code
        == 403
    )
    assert (
        client_for(sales_manager).post(reverse("duty-edit", args=[contracts.pk]), data).status_code
        == 302
    )
    contracts.refresh_from_db()
    assert contracts.description == "Big ones."


def test_coordinator_edits_project_cells_but_not_department_cells(coordinator, client_for):
    ramp_up = Duty.objects.get(title="Ramp up production for the launch")
    planner = Role.objects.get(title="Production Planner")
    version = Assignment.objects.get(duty=ramp_up, role=planner).version
    client = client_for(coordinator)
    response = client.post(
        _cell_url(ramp_up, planner),
        {"letter": "AR", "version": version, "scope": "project:LAUNCH"},
        headers=HTMX,
    )
    assert response.status_code == 200
    lines = Duty.objects.get(title="Maintain production lines")
    assert client.post(_cell_url(lines, planner), {"letter": "A", "version": 0}).status_code == 403


def test_project_matrix_shows_roles_involved(member, client_for, demo_duties):
    response = client_for(member).get(reverse("project-matrix", args=["LAUNCH"]))
    assert response.status_code == 200
    titles = {column.role.title for column in response.context["matrix"].columns}
    assert {"R&D Director", "Marketing Director", "Head of Sales", "Production Planner"} <= titles
    assert response.context["matrix"].summary == {"NO_ACCOUNTABLE": 1, "MISSING_HANDOFF": 1}


def test_matrix_cost_does_not_grow_with_departments_managed(client_for, demo_duties):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from guardian.shortcuts import assign_perm

    from orgmap.models import Department as Dept

    def queries_for(user) -> int:
        client = client_for(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("department-matrix", args=["SALES"])).status_code == 200
        return len(captured.captured_queries)

    few = get_user_model().objects.create_user("few")
    many = get_user_model().objects.create_user("many")
    assign_perm("orgmap.manage_department", few, Dept.objects.get(code="SALES"))
    for index in range(15):
        extra = Dept.objects.create(name=f"Extra {index}", code=f"EXTRA{index}")
        assign_perm("orgmap.manage_department", many, extra)
    assign_perm("orgmap.manage_department", many, Dept.objects.get(code="SALES"))
    assert queries_for(few) == queries_for(many)


def test_a_department_with_many_roles_shows_only_the_roles_used_on_the_page(
    sales_manager, client_for, demo_duties
):
    sales = Department.objects.get(code="SALES")
    Role.objects.bulk_create(
        Role(title=f"Specialist {index}", department=sales) for index in range(40)
    )
    response = client_for(sales_manager).get(reverse("department-matrix", args=["SALES"]))
    titles = [column.role.title for column in response.context["columns"]]
    assert "Specialist 1" not in titles and "Head of Sales" in titles
    assert response.context["hidden_columns"] == 40
    assert "40 roles of this department have nothing assigned on this page" in response.text
    # Asking for one brings it back, so that it can be assigned.
    specialist = Role.objects.get(title="Specialist 1")
    response = client_for(sales_manager).get(
        reverse("department-matrix", args=["SALES"]) + f"?add_role={specialist.pk}"
    )
    assert "Specialist 1" in [column.role.title for column in response.context["columns"]]


def test_the_matrix_as_it_was_on_an_earlier_day(
    sales_manager, client_for, contracts, head_of_sales
):
    import datetime

    from django.utils import timezone

    # Everything seeded "two days ago"; then today the manager sets A on Head of Sales.
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    AssignmentChange.objects.update(changed_at=two_days_ago)
    Duty.objects.update(created_at=two_days_ago)
    north = Role.objects.get(title="North Regional Sales Manager")
    version = Assignment.objects.get(duty=contracts, role=north).version
    client = client_for(sales_manager)
    client.post(_cell_url(contracts, head_of_sales), {"letter": "A", "version": "0"}, headers=HTMX)
    client.post(_cell_url(contracts, north), {"letter": "", "version": version}, headers=HTMX)

    url = reverse("department-matrix", args=["SALES"])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.get(url, {"as_of": yesterday})
    row = next(r for r in response.context["page"].object_list if r.duty["pk"] == contracts.pk)
    assert head_of_sales.pk not in row.assigned  # set today, so not yet there
    assert row.assigned[north.pk]["letter"] == raci.R  # cleared today, still there then
    assert "NO_ACCOUNTABLE" in response.context["matrix"].summary
    assert 'class="cell-button"' not in response.text  # the past is read-only
    assert "The letters as they were at the end of" in response.text

    # Before anything existed, the matrix is empty.
    long_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert not client.get(url, {"as_of": long_ago}).context["page"].object_list

    # Today is today; a bad date says so and shows today.
    today = client.get(url, {"as_of": "not-a-date"})
    assert "is not a date; write it as YYYY-MM-DD" in today.text
    assert 'class="cell-button"' in today.text
