"""People import: departments, roles, people and holdings from an HR system's CSV."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from orgmap.models import Department, Role, RoleHolder
from responsibilities.spreadsheets import imports
from responsibilities.spreadsheets.sheets import read_table

from .transfer_support import csv_bytes, seeded_demo_fixtures, snapshot, xlsx_bytes

# These tests read the demo organisation, seeded once per module (transfer_support.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]
demo_seed, demo_org, demo_duties = seeded_demo_fixtures()

HEADER = ["email", "name", "department", "role", "parent_department", "manager_email", "active"]
IMPORT = "/import/people/"
User = get_user_model()


def run(rows: list[list[str]], header: list[str] = HEADER, *, dry_run: bool = False):
    return imports.people_import(
        read_table(csv_bytes([header, *rows]), "people.csv"), dry_run=dry_run
    )


def found(plan) -> list[tuple]:
    return [(p.row, p.column, p.message) for p in plan.problems]


LOGISTICS = [
    [
        "lena.ng@example.com",
        "Lena Ng",
        "Logistics",
        "Head of Logistics",
        "PROD",
        "production.manager@example.com",
        "",
    ],
    [
        "omar.diaz@example.com",
        "Omar Díaz",
        "Logistics",
        "Dispatcher",
        "",
        "lena.ng@example.com",
        "yes",
    ],
    ["", "", "Logistics", "Forklift Driver", "", "lena.ng@example.com", ""],
    ["", "", "logistics", "Customs Clerk", "", "", "no"],
]


def test_creates_departments_roles_people_and_holdings(demo_org):
    plan = run(LOGISTICS)
    assert plan.applied, found(plan)
    assert plan.summary() == {
        "rows": 4,
        "departments_created": 1,
        "departments_moved": 0,
        "roles_created": 4,
        "roles_updated": 0,
        "people_created": 2,
        "people_renamed": 0,
        "holdings_created": 2,
        "open_positions": 2,
    }
    logistics = Department.objects.get(name="Logistics")
    assert logistics.code == "LOGISTICS" and logistics.parent.code == "PROD"
    head = Role.objects.get(department=logistics, title="Head of Logistics")
    assert head.reports_to == Role.objects.get(title="Production Manager")
    assert Role.objects.get(title="Dispatcher").reports_to == head
    driver = Role.objects.get(title="Forklift Driver")
    assert driver.reports_to == head and driver.active
    assert not RoleHolder.objects.filter(role=driver).exists(), "an open position"
    assert not Role.objects.get(title="Customs Clerk").active
    lena = User.objects.get(email="lena.ng@example.com")
    assert lena.username == "lena.ng" and lena.profile.name == "Lena Ng"
    assert not lena.has_usable_password()
    holding = RoleHolder.objects.get(person=lena)
    assert (holding.role, holding.since, holding.until) == (head, timezone.localdate(), None)
    assert User.objects.get(username="omar.diaz").profile.display_name == "Omar Díaz"


def test_a_second_run_changes_nothing(demo_org):
    run(LOGISTICS)
    state = snapshot()
    plan = run(LOGISTICS)
    assert plan.applied and not plan.has_changes
    assert plan.summary()["open_positions"] == 2
    assert snapshot() == state


def test_existing_people_and_roles_are_updated_not_duplicated(demo_org):
    state = snapshot()
    plan = run(
        [
            ["MEMBER@example.com", "Max Mustermann", "CS", "Service Agent", "", "", ""],
            [
                "member@example.com",
                "Max Mustermann",
                "Customer Service",
                "Night Desk Agent",
                "",
                "fatima.ali@example.com",
                "",
            ],
            ["", "", "HR", "Training Coordinator", "", "", "yes"],
        ]
    )
    assert plan.applied, found(plan)
    member = User.objects.get(username="member")
    assert member.profile.display_name == "Max Mustermann"
    assert User.objects.count() == state["users"]
    assert Department.objects.count() == state["departments"], "Customer Service is CS, by name"
    night = Role.objects.get(title="Night Desk Agent")
    assert night.department.code == "CS" and night.reports_to.title == "Customer Service Lead"
    assert RoleHolder.objects.filter(person=member, role=night).exists()
    assert RoleHolder.objects.filter(person=member).count() == 2  # Service Agent kept
    assert Role.objects.get(title="Training Coordinator").active
    assert plan.summary()["roles_updated"] == 1  # Training Coordinator; Night Desk Agent is new


def test_a_person_holding_several_roles_is_a_manager_through_their_head_role(demo_org):
    sales = Department.objects.get(code="SALES")
    paul = User.objects.get(username="paul.meyer")  # PMO Lead (head of PMO) and Project Manager
    assert sales and paul
    plan = run([["", "", "PMO", "Portfolio Analyst", "", "paul.meyer@example.com", ""]])
    assert plan.applied, found(plan)
    assert Role.objects.get(title="Portfolio Analyst").reports_to.title == "PMO Lead"


def test_username_falls_back_to_the_whole_address_when_taken(demo_org):
    run([["member@other.example", "Another Member", "CS", "Service Agent", "", "", ""]])
    assert User.objects.get(email="member@other.example").username == "member@other.example"


def test_department_codes_are_readable_and_unique():
    taken = {"sales"}
    code = imports.department_code_for
    assert code("Architecture and Engineering", taken) == "ARCHITECTURE-ENGINEERING"
    assert code("Sales", taken) == "SALES-2"
    assert (
        code("Arts, Design, Entertainment, Sports, and Media", taken) == "ARTS-DESIGN-ENTERTAINMENT"
    )
    assert code("销售部", taken) == "DEPT"
    assert code("研发部", taken) == "DEPT-2"


BAD_ROWS = {
    "unknown parent department": (
        [["a@example.com", "A", "Logistics", "Clerk", "Operations", "", ""]],
        [
            (
                2,
                "E",
                "Unknown parent department “Operations”: it is neither an existing department nor one in this file.",
            )
        ],
    ),
    "invalid email": (
        [["not-an-address", "A", "CS", "Service Agent", "", "", ""]],
        [(2, "A", "“not-an-address” is not a valid email address.")],
    ),
    "duplicate email with different names": (
        [
            ["a@example.com", "Ann Lee", "CS", "Service Agent", "", "", ""],
            ["A@example.com", "Anne Leigh", "FIN", "Accountant", "", "", ""],
        ],
        [(3, "B", "A@example.com is named “Ann Lee” on row 2; one person has one name.")],
    ),
    "a name without an email": (
        [["", "Ann Lee", "CS", "Service Agent", "", "", ""]],
        [
            (
                2,
                "A",
                "Ann Lee has no email address: give one, or leave the name empty for an open position.",
            )
        ],
    ),
    "no department or role": (
        [["a@example.com", "A", "", "", "", "", ""]],
        [(2, "C", "Give the department."), (2, "D", "Give the role.")],
    ),
    "active is not yes or no": (
        [["", "", "CS", "Service Agent", "", "", "maybe"]],
        [(2, "G", "“maybe” is not yes or no.")],
    ),
    "two answers for active": (
        [
            ["", "", "CS", "Service Agent", "", "", "yes"],
            ["", "", "CS", "service agent", "", "", "no"],
        ],
        [(3, "G", "Row 2 says this role is active.")],
    ),
    "unknown manager": (
        [["a@example.com", "A", "CS", "Service Agent", "", "nobody@example.com", ""]],
        [(2, "F", "No person with the address nobody@example.com, in this file or in orgmap.")],
    ),
    "a manager holding no role": (
        [["a@example.com", "A", "CS", "Service Agent", "", "admin@example.com", ""]],
        [(2, "F", "admin@example.com holds no role, so nobody can report to them.")],
    ),
    "a role reporting to itself": (
        [["a@example.com", "A", "CS", "Desk Lead", "", "a@example.com", ""]],
        [(2, "F", "A role cannot report to itself.")],
    ),
    "a loop of managers": (
        [
            ["a@example.com", "A", "CS", "Desk Lead", "", "b@example.com", ""],
            ["b@example.com", "B", "CS", "Desk Deputy", "", "a@example.com", ""],
        ],
        [
            (2, "F", "This would make Desk Lead report to itself (a loop of managers)."),
            (3, "F", "This would make Desk Deputy report to itself (a loop of managers)."),
        ],
    ),
    "a loop of parents": (
        [
            ["", "", "SALES", "Clerk", "SALES-N", "", ""],
        ],
        [(2, "E", "This would put Sales under itself (a loop of parents).")],
    ),
    "two parents for one department": (
        [
            ["", "", "Logistics", "Clerk", "PROD", "", ""],
            ["", "", "Logistics", "Driver", "FIN", "", ""],
        ],
        [(3, "E", "Row 2 puts Logistics under Production.")],
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_bad_rows_are_reported_and_nothing_is_written(case, demo_org):
    rows, expected = BAD_ROWS[case]
    state = snapshot()
    plan = run(rows)
    assert found(plan) == expected
    assert not plan.applied
    assert snapshot() == state


def test_a_missing_column_is_named(demo_org):
    plan = run([["a@example.com", "A", "CS"]], header=["email", "name", "department"])
    assert [(p.row, p.field) for p in plan.problems] == [(1, "role")]


def test_an_xlsx_file_with_extra_columns_reads_the_same(demo_org):
    rows = [
        ["Employee ID", *HEADER],
        ["E1", "lena.ng@example.com", "Lena Ng", "PROD", "Dispatcher", "", "", True],
    ]
    plan = imports.people_import(read_table(xlsx_bytes(rows), "people.xlsx"))
    assert plan.applied, found(plan)
    assert Role.objects.get(title="Dispatcher").department.code == "PROD"


# ------------------------------------------------------------------ page and command


def test_only_hr_and_admins_may_import_people(member, sales_manager, coordinator, client_for):
    for user in (member, sales_manager, coordinator):
        assert client_for(user).get(IMPORT).status_code == 403


def test_hr_previews_then_confirms(hr, client_for, demo_org):
    client = client_for(hr)
    assert client.post(IMPORT).context["form"].errors["file"] == ["Choose the file to import."]
    state = snapshot()
    upload = SimpleUploadedFile("people.csv", csv_bytes([HEADER, *LOGISTICS]))
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert snapshot() == state, "a preview writes nothing"
    assert "LOGISTICS" in response.text and "lena.ng" in response.text
    done = client.post(IMPORT, {"token": response.context["token"]})
    assert done.status_code == 302 and done["Location"] == reverse("org-overview")
    assert Department.objects.filter(code="LOGISTICS").exists()


def test_the_page_shows_each_problem_by_row_and_column(admin_user, client_for, demo_org):
    rows = [
        HEADER,
        ["bad address", "A", "CS", "Agent", "", "", ""],
        ["", "", "", "Agent", "", "", ""],
    ]
    response = client_for(admin_user).post(
        IMPORT, {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))}
    )
    html = response.text
    assert 'id="problems"' in html and 'id="confirm"' not in html
    assert "“bad address” is not a valid email address." in html
    assert "Give the department." in html
    assert response.context["plan"].problems[1].location() == "row 3, column C (department)"


def test_import_people_command(tmp_path, demo_org):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([HEADER, *LOGISTICS]))
    out = io.StringIO()
    call_command("import_people", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and not Department.objects.filter(code="LOGISTICS").exists()
    call_command("import_people", str(path), stdout=out)
    assert Department.objects.filter(code="LOGISTICS").exists()
    path.write_bytes(csv_bytes([HEADER, ["x", "X", "CS", "Agent", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was written"):
        call_command("import_people", str(path), stderr=err)
    assert "row 2, column A (email)" in err.getvalue()


def test_checking_costs_the_same_queries_for_5_and_300_rows(demo_org, django_assert_num_queries):
    def table(count: int):
        rows = [
            [f"p{n}@example.com", f"Person {n}", f"Dept {n % 7}", f"Role {n % 11}", "", "", ""]
            for n in range(count)
        ]
        return read_table(csv_bytes([HEADER, *rows]), "people.csv")

    with django_assert_num_queries(5) as captured:
        imports.plan_people(table(5))
    with django_assert_num_queries(len(captured.captured_queries)):
        imports.plan_people(table(300))


def test_a_repeated_row_is_harmless_and_its_person_still_a_manager(demo_org):
    lena = ["lena.ng@example.com", "Lena Ng", "Logistics", "Head of Logistics", "", "", ""]
    plan = run([lena, lena, ["", "", "Logistics", "Dispatcher", "", "lena.ng@example.com", ""]])
    assert plan.applied, found(plan)
    assert RoleHolder.objects.filter(person__email="lena.ng@example.com").count() == 1
    assert Role.objects.get(title="Dispatcher").reports_to.title == "Head of Logistics"


def test_an_import_refreshes_the_stored_findings_of_what_it_changed(demo_duties):
    from responsibilities import findings_facts, selectors

    everything = selectors.Scope()
    # New roles without duties; Sales' head changes holder; a department moves.
    plan = run(
        [
            *LOGISTICS,
            ["", "", "SALES-N", "Account Manager North", "PROD", "", "no"],
        ]
    )
    assert plan.applied, found(plan)
    assert selectors.findings(everything) == findings_facts.computed_findings(everything)
