"""RACI import: round trips with the export, the report on broken files, who may
import what, and what an import writes (history, versions) and leaves alone."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from orgmap.models import Department, Role
from responsibilities import findings_facts, findings_rebuild, selectors, services
from responsibilities.models import Assignment, AssignmentChange, Duty, Finding
from responsibilities.spreadsheets import imports
from responsibilities.spreadsheets.sheets import SpreadsheetError, read_table

from .transfer_support import content as _content
from .transfer_support import csv_bytes as _csv
from .transfer_support import seeded_demo_fixtures, snapshot
from .transfer_support import xlsx_bytes as _xlsx

# These tests read the demo organisation, seeded once per module (transfer_support.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]
demo_seed, demo_org, demo_duties = seeded_demo_fixtures()

IMPORT = "/import/raci/"


def cells(**filters) -> set[tuple]:
    """The matrix as (department, project, duty, role department, role, letter)."""
    return set(
        Assignment.objects.filter(**filters).values_list(
            "duty__department__code",
            "duty__project__code",
            "duty__title",
            "role__department__code",
            "role__title",
            "letter",
        )
    )


def empty_copy() -> None:
    """The same departments, roles and people; no duties (so no cells, no history).

    Plain SQL for the duties: the demo data has nothing else pointing at them, and the
    ORM's cascade would visit every app's tables that may."""
    AssignmentChange.objects.all().delete()
    Assignment.objects.all().delete()
    Finding.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Duty._meta.db_table}")
    findings_rebuild.findings_rebuild()  # plain SQL sends no signals


def preview(client, name: str, content: bytes, **fields):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **fields})


def confirm(client, response):
    assert response.status_code == 200
    assert response.context["plan"].valid, [str(p) for p in response.context["plan"].problems]
    return client.post(IMPORT, {"token": response.context["token"]})


def problems(response) -> list[tuple]:
    if response.context.get("file_problems"):
        found = response.context["file_problems"]
    else:
        found = response.context["plan"].problems
    return [(p.row, p.column, p.message) for p in found]


# ------------------------------------------------------------------ round trips


def test_department_xlsx_round_trip_through_the_upload_page(sales_manager, client_for, demo_duties):
    client = client_for(sales_manager)
    before = cells(duty__department__code="SALES")
    exported = _content(client.get(reverse("department-matrix-export", args=["SALES", "xlsx"])))
    empty_copy()

    response = preview(client, "sales.xlsx", exported, department="SALES")
    assert problems(response) == []
    assert Assignment.objects.count() == 0, "a preview writes nothing"
    assert 'id="changes"' in response.text and 'id="confirm"' in response.text
    done = confirm(client, response)
    assert done.status_code == 302 and done["Location"] == reverse(
        "department-matrix", args=["SALES"]
    )

    assert cells(duty__department__code="SALES") == before
    history = AssignmentChange.objects.all()
    assert history.count() == len(before)
    assert {(h.source, h.changed_by_id, h.before) for h in history} == {
        ("import", sales_manager.pk, "")
    }
    assert set(Assignment.objects.values_list("version", flat=True)) == {1}


def test_department_csv_round_trip_through_the_command(tmp_path, member, client_for, demo_duties):
    before = cells(duty__department__code="SALES")
    path = tmp_path / "sales.csv"
    path.write_bytes(
        _content(client_for(member).get(reverse("department-matrix-export", args=["SALES", "csv"])))
    )
    empty_copy()
    out = io.StringIO()
    call_command("import_raci", str(path), department="SALES", stdout=out)
    assert "Imported." in out.getvalue()
    assert cells(duty__department__code="SALES") == before
    assert set(AssignmentChange.objects.values_list("source", "changed_by")) == {("import", None)}
    # The bulk import refreshed the stored findings of what it wrote.
    everything = selectors.Scope()
    assert selectors.findings(everything) == findings_facts.computed_findings(everything)


def test_project_round_trip_keeps_each_duty_in_its_department(member, coordinator, client_for):
    before = cells(duty__project__code="LAUNCH")
    exported = _content(
        client_for(member).get(reverse("project-matrix-export", args=["LAUNCH", "xlsx"]))
    )
    empty_copy()
    client = client_for(coordinator)
    confirm(client, preview(client, "launch.xlsx", exported, project="LAUNCH"))
    assert cells(duty__project__code="LAUNCH") == before


def test_whole_organisation_long_csv_round_trip(tmp_path, member, client_for, demo_duties):
    before = cells()
    path = tmp_path / "org.csv"
    path.write_bytes(
        _content(client_for(member).get(reverse("organisation-matrix-export", args=["csv"])))
    )
    empty_copy()
    call_command("import_raci", str(path), stdout=io.StringIO())
    assert cells() == before


def test_importing_an_export_again_changes_nothing(member, client_for, demo_duties, sales_manager):
    exported = _content(
        client_for(member).get(reverse("department-matrix-export", args=["SALES", "csv"]))
    )
    state = snapshot()
    response = preview(client_for(sales_manager), "sales.csv", exported, department="SALES")
    plan = response.context["plan"]
    assert plan.valid and not plan.has_changes
    assert plan.unchanged == Assignment.objects.filter(duty__department__code="SALES").count()
    assert "nothing to change" in response.text
    assert snapshot() == state


# ------------------------------------------------------------------ what an import writes


def test_import_updates_cells_bumps_versions_and_refuses_stale_matrix_edits(
    sales_manager, client_for, demo_duties
):
    forecast = Duty.objects.get(title="Maintain the sales forecast")
    analyst = Role.objects.get(title="Sales Operations Analyst")
    head = Role.objects.get(title="Head of Sales")
    cell = Assignment.objects.get(duty=forecast, role=analyst)
    old_version = cell.version
    untouched = Assignment.objects.get(duty=forecast, role=head)
    content = _csv([["Duty", "Sales Operations Analyst"], ["Maintain the sales forecast", "A/R"]])

    client = client_for(sales_manager)
    confirm(client, preview(client, "one.csv", content, department="SALES"))

    cell.refresh_from_db()
    assert (cell.letter, cell.version, cell.updated_by) == ("AR", old_version + 1, sales_manager)
    change = AssignmentChange.objects.filter(duty=forecast, role=analyst).first()
    assert (change.before, change.after, change.version, change.source) == (
        "R",
        "AR",
        old_version + 1,
        "import",
    )
    # Cells the file does not mention are left as they are.
    untouched_now = Assignment.objects.get(pk=untouched.pk)
    assert (untouched_now.letter, untouched_now.version) == (untouched.letter, untouched.version)
    # Someone who opened the matrix before the import edits from the old version: refused.
    result = services.assignment_set(
        duty=forecast, role=analyst, letter="C", expected_version=old_version, by=sales_manager
    )
    assert not result.applied
    assert Assignment.objects.get(pk=cell.pk).letter == "AR"


def test_new_duties_are_created_and_empty_cells_leave_existing_letters(
    sales_manager, client_for, demo_duties
):
    forecast = Duty.objects.get(title="Maintain the sales forecast")
    letters_before = cells(duty=forecast)
    content = _csv(
        [
            ["Duty", "Head of Sales", "Sales Operations Analyst", "Finance Director (FIN)"],
            ["Maintain the sales forecast", "", "", ""],
            ["Run the quarterly pipeline review", "A", "R", "i"],
            ["Archive old quotes", "", "", ""],
        ]
    )
    client = client_for(sales_manager)
    response = preview(client, "new.csv", content, department="SALES")
    assert response.context["plan"].summary()["duties_created"] == 2
    confirm(client, response)
    review = Duty.objects.get(title="Run the quarterly pipeline review")
    assert review.department.code == "SALES" and review.project is None
    assert review.title_key == "run the quarterly pipeline review"
    assert cells(duty=review) == {
        ("SALES", None, review.title, "SALES", "Head of Sales", "A"),
        ("SALES", None, review.title, "SALES", "Sales Operations Analyst", "R"),
        ("SALES", None, review.title, "FIN", "Finance Director", "I"),
    }
    assert Duty.objects.filter(title="Archive old quotes", department__code="SALES").exists()
    assert cells(duty=forecast) == letters_before


def test_semicolon_and_tab_separated_files_with_a_bom_are_read(demo_duties):
    for delimiter in (";", "\t"):
        content = "\ufeff".encode() + _csv(
            [["Duty", "Head of Sales"], ["Plan; review, and report", "A"]], delimiter
        )
        table = read_table(content, "matrix.csv")
        assert table.header == ("Duty", "Head of Sales")
        assert table.rows[0].cells == ("Plan; review, and report", "A")


def test_validation_costs_the_same_queries_for_10_and_300_rows(
    demo_duties, django_assert_num_queries
):
    sales = Department.objects.get(code="SALES")
    header = ["Duty", "Head of Sales", "Sales Operations Analyst", "Finance Director (FIN)"]

    def table(count: int):
        rows = [header] + [[f"Duty {n}", "A", "R", "C"] for n in range(count)]
        return read_table(_csv(rows), "m.csv")

    small = table(10)
    with django_assert_num_queries(6) as captured:
        imports.plan_raci(small, department=sales)
    with django_assert_num_queries(len(captured.captured_queries)):
        imports.plan_raci(table(300), department=sales)


# ------------------------------------------------------------------ broken files


BROKEN_FILES = {
    "unknown role": (
        "m.csv",
        _csv(
            [["Duty", "Head of Sales", "Chief Dreamer"], ["Maintain the sales forecast", "A", "R"]]
        ),
        [(1, "C", "Unknown role: department SALES has no role “Chief Dreamer”.")],
    ),
    "unknown role of another department": (
        "m.csv",
        _csv([["Duty", "Accountant (SALES)"], ["Maintain the sales forecast", "R"]]),
        [(1, "B", "Unknown role: department SALES has no role “Accountant”.")],
    ),
    "unknown department in a role header": (
        "m.csv",
        _csv([["Duty", "Accountant (Treasury)"], ["Maintain the sales forecast", "R"]]),
        [(1, "B", "Unknown role “Accountant (Treasury)”: there is no department “Treasury”.")],
    ),
    "unknown letter": (
        "m.xlsx",
        _xlsx([["Duty", "Head of Sales"], ["Maintain the sales forecast", "X"], ["Other", "Q/R"]]),
        [
            (2, "B", '"X" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'),
            (3, "B", '"Q/R" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'),
        ],
    ),
    "a duty repeated": (
        "m.csv",
        _csv(
            [
                ["Duty", "Head of Sales"],
                ["Maintain the sales forecast", "A"],
                ["Call customers", "A"],
                ["MAINTAIN the sales forecast", "R"],
            ]
        ),
        [(4, "A", "The duty “MAINTAIN the sales forecast” is repeated: it is already on row 2.")],
    ),
    "every problem at once": (
        "m.csv",
        _csv(
            [
                ["Duty", "Head of Sales", "Chief Dreamer", "Finance Director (FIN)"],
                ["Maintain the sales forecast", "A", "Q", "X"],
                ["Run the pipeline review", "A", "", "I"],
                ["MAINTAIN the sales forecast", "R", "", ""],
            ]
        ),
        [
            (1, "C", "Unknown role: department SALES has no role “Chief Dreamer”."),
            (2, "C", '"Q" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'),
            (2, "D", '"X" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'),
            (
                4,
                "A",
                "The duty “MAINTAIN the sales forecast” is repeated: it is already on row 2.",
            ),
        ],
    ),
    "a role repeated": (
        "m.csv",
        _csv([["Duty", "Head of Sales", "head of sales (SALES)"], ["Call customers", "A", "R"]]),
        [(1, "C", "The role “head of sales (SALES)” is already in column B.")],
    ),
    "a duty without a title": (
        "m.csv",
        _csv([["Duty", "Head of Sales"], ["", "A"]]),
        [(2, "A", "The duty has no title.")],
    ),
    "a title too long": (
        "m.csv",
        _csv([["Duty", "Head of Sales"], ["x" * 501, "A"]]),
        [(2, "A", "The duty title is 501 characters long; the longest allowed is 500.")],
    ),
    "an empty file": ("m.csv", b"", [(None, "", "The file is empty.")]),
    "a file of blank lines": ("m.csv", b"\r\n ,, \r\n", [(None, "", "The file is empty.")]),
    "a header and no rows": (
        "m.csv",
        _csv([["Duty", "Head of Sales"]]),
        [(1, "", "The file has a header but no rows.")],
    ),
    "a PNG renamed .xlsx": (
        "m.xlsx",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64),
        [(None, "", "The file is named m.xlsx but is not an Excel workbook.")],
    ),
    "random bytes named .csv": (
        "m.csv",
        bytes(range(256)) * 4,
        [
            (
                None,
                "",
                "The file is not a spreadsheet: save it as CSV (UTF-8) or as an Excel workbook (.xlsx).",
            )
        ],
    ),
    "a zip that is not a workbook": (
        "m.xlsx",
        (
            lambda: (lambda b: (zipfile.ZipFile(b, "w").writestr("a.txt", "hi"), b.getvalue())[1])(
                io.BytesIO()
            )
        )(),
        [(None, "", "The file is not a readable Excel workbook (.xlsx).")],
    ),
    "a Latin-1 CSV": (
        "m.csv",
        "Duty,Head of Sales\nPréparer le budget,A\n".encode("latin-1"),
        [
            (
                2,
                "",
                "The file is not UTF-8 text (first unreadable byte on line 2). If it is a CSV file, save it as “CSV UTF-8”; otherwise upload an Excel workbook (.xlsx).",
            )
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_FILES))
def test_a_broken_file_is_reported_by_row_and_column_and_nothing_is_written(
    case, admin_user, client_for, demo_duties
):
    name, content, expected = BROKEN_FILES[case]
    state = snapshot()
    response = preview(client_for(admin_user), name, content, department="SALES")
    assert response.status_code == 200
    assert problems(response) == expected
    assert 'id="problems"' in response.text and 'id="confirm"' not in response.text
    assert "Nothing was written" in response.text
    assert snapshot() == state


LONG_HEADER = ["department", "duty", "role", "role_department", "letter"]

BROKEN_LONG_FILES = {
    "unknown department": (
        [["Salez", "Call customers", "Head of Sales", "", "A"]],
        [
            (
                2,
                "A",
                "Unknown department “Salez”: write the code (e.g. CS) or the exact name of an existing department.",
            )
        ],
    ),
    "unknown role": (
        [["SALES", "Call customers", "Head of Sails", "", "A"]],
        [(2, "C", "Unknown role: department SALES has no role “Head of Sails”.")],
    ),
    "unknown role department": (
        [["SALES", "Call customers", "Accountant", "Treasury", "C"]],
        [
            (
                2,
                "D",
                "Unknown department “Treasury”: write the code (e.g. CS) or the exact name of an existing department.",
            )
        ],
    ),
    "no letter": (
        [["SALES", "Call customers", "Head of Sales", "", ""]],
        [(2, "E", "No letter: write R, A, C, I or A/R.")],
    ),
    "a cell given two letters": (
        [
            ["SALES", "Call customers", "Head of Sales", "", "A"],
            ["Sales", "call  CUSTOMERS", "head of sales", "SALES", "R"],
        ],
        [
            (
                3,
                "E",
                "Row 2 gives Head of Sales the letter A for the same duty; a cell has one letter.",
            )
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_LONG_FILES))
def test_a_broken_long_file_is_reported_and_nothing_is_written(case, demo_duties):
    rows, expected = BROKEN_LONG_FILES[case]
    state = snapshot()
    plan = imports.raci_import(read_table(_csv([LONG_HEADER, *rows]), "m.csv"))
    assert [(p.row, p.column, p.message) for p in plan.problems] == expected
    assert not plan.applied
    assert snapshot() == state


def test_a_repeated_assignment_with_the_same_letter_is_a_note_not_a_problem(demo_duties):
    rows = [
        LONG_HEADER,
        ["SALES", "Call customers", "Head of Sales", "", "A"],
        ["SALES", "CALL customers", "Head of Sales", "SALES", "a"],
    ]
    plan = imports.raci_import(read_table(_csv(rows), "m.csv"))
    assert plan.applied and plan.problems == []
    assert [(w.row, w.column) for w in plan.warnings] == [(3, "B"), (3, "E")]
    assert Duty.objects.get(department__code="SALES", title="Call customers")


def test_a_missing_column_is_named(admin_user, client_for, demo_duties):
    state = snapshot()
    content = _csv([["department", "duty", "role"], ["SALES", "Call customers", "Head of Sales"]])
    response = preview(client_for(admin_user), "m.csv", content)
    assert [(p.row, p.field) for p in response.context["plan"].problems] == [(1, "letter")]
    assert "The column “letter” is missing" in response.text
    assert snapshot() == state


def test_a_wide_file_needs_a_department_or_project(admin_user, client_for, demo_duties):
    response = preview(
        client_for(admin_user), "m.csv", _csv([["Duty", "Head of Sales"], ["X", "A"]])
    )
    assert problems(response) == [
        (
            None,
            "",
            "This file has one column per role (the wide layout): choose the department or the project it belongs to.",
        )
    ]


@override_settings(IMPORT_MAX_ROWS=3)
def test_too_many_rows_are_refused(admin_user, client_for, demo_duties):
    rows = [["Duty", "Head of Sales"]] + [[f"Duty {n}", "A"] for n in range(4)]
    state = snapshot()
    response = preview(client_for(admin_user), "m.csv", _csv(rows), department="SALES")
    assert problems(response) == [
        (None, "", "The file has more than 3 rows; split it into smaller files.")
    ]
    assert snapshot() == state
    ok = preview(client_for(admin_user), "m.csv", _csv(rows[:4]), department="SALES")
    assert ok.context["plan"].valid


@override_settings(IMPORT_MAX_BYTES=200)
def test_too_large_a_file_is_refused_before_it_is_read(
    admin_user, client_for, demo_duties, tmp_path
):
    content = _csv([["Duty", "Head of Sales"]] + [[f"Duty number {n}", "A"] for n in range(20)])
    state = snapshot()
    response = preview(client_for(admin_user), "m.csv", content, department="SALES")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        f"The file is {len(content)} bytes; the largest file accepted is 200\xa0bytes.".replace(
            f"{len(content)} bytes", f"{len(content)}\xa0bytes"
        )
    ]
    assert snapshot() == state
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="the largest file accepted is 200"):
        call_command("import_raci", str(path), department="SALES")


def test_an_xml_bomb_is_refused(admin_user, client_for, demo_duties):
    buffer = io.BytesIO(_xlsx([["Duty", "Head of Sales"], ["x", "A"]]))
    source = zipfile.ZipFile(buffer)
    bombed = io.BytesIO()
    with zipfile.ZipFile(bombed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet",
                    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><worksheet',
                    1,
                )
            target.writestr(item, data)
    with pytest.raises(SpreadsheetError, match="not a readable Excel workbook"):
        read_table(bombed.getvalue(), "bomb.xlsx")


# ------------------------------------------------------------------ who may import


def test_member_may_not_open_the_import_page(member, client_for, demo_duties):
    response = client_for(member).get(IMPORT)
    assert response.status_code == 403


def test_empty_post_shows_the_form_errors(sales_manager, client_for, demo_duties):
    response = client_for(sales_manager).post(IMPORT)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Choose the file to import."]


def test_manager_may_not_import_a_wide_file_into_another_department(
    sales_manager, client_for, demo_duties
):
    state = snapshot()
    content = _csv([["Duty", "Production Planner"], ["Plan the line", "R"]])
    response = preview(client_for(sales_manager), "m.csv", content, department="PROD")
    assert response.context["form"].errors["department"] == [
        "You may only import into departments you manage."
    ]
    assert snapshot() == state


def test_manager_long_file_is_refused_row_by_row_for_departments_they_do_not_manage(
    sales_manager, client_for, demo_duties
):
    state = snapshot()
    content = _csv(
        [
            LONG_HEADER,
            [
                "SALES-N",
                "Visit customers in the northern region",
                "North Sales Representative",
                "",
                "R",
            ],
            ["PROD", "Plan the line", "Production Planner", "", "R"],
            ["Production", "Inspect the line", "Quality Inspector", "", "A"],
        ]
    )
    response = preview(client_for(sales_manager), "m.csv", content)
    assert problems(response) == [
        (3, "A", "You may not import into department PROD: you do not manage it."),
        (4, "A", "You may not import into department PROD: you do not manage it."),
    ]
    assert "You may not import into department PROD" in response.text
    assert snapshot() == state


def test_coordinator_imports_into_their_project_but_not_into_a_department(coordinator, client_for):
    client = client_for(coordinator)
    content = _csv(
        [
            ["Duty", "Department", "Product Engineer (RND)", "PMO Lead (PMO)"],
            ["Write the launch FAQ", "RND", "R", "A"],
        ]
    )
    confirm(client, preview(client, "launch.csv", content, project="LAUNCH"))
    duty = Duty.objects.get(title="Write the launch FAQ")
    assert (duty.project.code, duty.department.code) == ("LAUNCH", "RND")
    response = preview(
        client, "m.csv", _csv([["Duty", "Head of Sales"], ["X", "A"]]), department="SALES"
    )
    assert "department" in response.context["form"].errors
    long_rows = _csv([LONG_HEADER, ["SALES", "Call customers", "Head of Sales", "", "A"]])
    assert problems(preview(client, "m.csv", long_rows)) == [
        (2, "A", "You may not import into department SALES: you do not manage it.")
    ]


def test_a_new_project_duty_needs_a_department_taking_part(coordinator, client_for):
    client = client_for(coordinator)
    content = _csv([["Duty", "Product Engineer (RND)"], ["Write the launch FAQ", "R"]])
    assert problems(preview(client, "m.csv", content, project="LAUNCH")) == [
        (
            2,
            "",
            "“Write the launch FAQ” is a new duty of project LAUNCH: give the department that owns it (a Department column).",
        )
    ]
    content = _csv(
        [["Duty", "Department", "Product Engineer (RND)"], ["Write the launch FAQ", "FIN", "R"]]
    )
    assert problems(preview(client, "m.csv", content, project="LAUNCH")) == [
        (2, "B", "Department FIN does not take part in project LAUNCH.")
    ]


def test_org_admin_may_import_anywhere(admin_user, client_for, demo_duties):
    client = client_for(admin_user)
    content = _csv([LONG_HEADER, ["PROD", "Plan the line", "Production Planner", "", "A/R"]])
    confirm(client, preview(client, "m.csv", content))
    assert cells(duty__title="Plan the line") == {
        ("PROD", None, "Plan the line", "PROD", "Production Planner", "AR")
    }


def test_hr_may_not_write_matrix_cells_by_import_as_by_hand(hr, client_for, demo_duties):
    # HR is refused a cell edit on the matrix (403); the import agrees.
    client = client_for(hr)
    content = _csv([LONG_HEADER, ["PROD", "Plan the line", "Production Planner", "", "A/R"]])
    state = snapshot()
    assert client.get(IMPORT).status_code == 403
    response = client.post(
        IMPORT, {"file": SimpleUploadedFile("m.csv", content, content_type="text/csv")}
    )
    assert response.status_code == 403
    assert snapshot() == state


def test_confirmation_is_bound_to_the_user_and_used_once(
    sales_manager, admin_user, client_for, demo_duties
):
    content = _csv([["Duty", "Head of Sales"], ["Call customers", "A"]])
    response = preview(client_for(sales_manager), "m.csv", content, department="SALES")
    token = response.context["token"]
    other = client_for(admin_user).post(IMPORT, {"token": token}, follow=True)
    assert "This upload has expired or was already imported" in other.text
    assert not Duty.objects.filter(title="Call customers").exists()
    client = client_for(sales_manager)
    assert client.post(IMPORT, {"token": token}).status_code == 302
    again = client.post(IMPORT, {"token": token}, follow=True)
    assert "This upload has expired or was already imported" in again.text
    assert Assignment.objects.filter(duty__title="Call customers").count() == 1


def test_import_page_explains_the_layouts_and_preselects_the_department(
    sales_manager, client_for, demo_duties
):
    response = client_for(sales_manager).get(IMPORT + "?department=sales")
    assert response.status_code == 200
    assert response.context["form"].initial["department"] == "SALES"
    assert list(
        response.context["form"].fields["department"].queryset.values_list("code", flat=True)
    ) == [
        "SALES-N",
        "SALES",
        "SALES-S",
    ]
    assert "One row per assignment" in response.text


def test_import_raci_command_reports_problems_and_exits_non_zero(tmp_path, demo_duties):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv([["Duty", "Head of Sales"], ["Call customers", "Z"]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem; nothing was written"):
        call_command("import_raci", str(path), department="SALES", stderr=err)
    assert err.getvalue().startswith("row 2, column B (Head of Sales): ")
    with pytest.raises(CommandError, match="No department with code 'NOPE'"):
        call_command("import_raci", str(path), department="NOPE")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_raci", str(tmp_path / "missing.csv"))


def test_timestamps_of_an_import_are_one_moment(demo_duties):
    rows = [
        LONG_HEADER,
        ["SALES", "A", "Head of Sales", "", "A"],
        ["SALES", "B", "Head of Sales", "", "R"],
    ]
    before = timezone.now()
    imports.raci_import(read_table(_csv(rows), "m.csv"))
    stamps = set(
        AssignmentChange.objects.filter(source="import").values_list("changed_at", flat=True)
    )
    assert len(stamps) == 1 and stamps.pop() >= before
