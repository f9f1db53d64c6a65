"""Matrix exports: XLSX and CSV, their layout, colours, filenames, and safety in Excel."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from orgmap.models import Department, Role
from responsibilities import matrix_history, raci, selectors
from responsibilities.models import Assignment, Duty
from responsibilities.spreadsheets import exports
from responsibilities.spreadsheets.sheets import neutralise, restore

from .transfer_support import content as _content
from .transfer_support import seeded_demo_fixtures

# These tests read the demo organisation, seeded once per module (transfer_support.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]
demo_seed, demo_org, demo_duties = seeded_demo_fixtures()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_rows(response) -> list[list[str]]:
    text = _content(response).decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def _workbook(response):
    return load_workbook(io.BytesIO(_content(response)))


def test_department_xlsx_is_the_coloured_matrix_with_legend_and_findings(
    member, client_for, demo_duties
):
    response = client_for(member).get(reverse("department-matrix-export", args=["SALES", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    today = timezone.localdate().isoformat()
    assert f'filename="raci-SALES-{today}.xlsx"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    workbook = _workbook(response)
    assert workbook.sheetnames == ["RACI", "Legend", "Findings"]
    sheet = workbook["RACI"]
    assert sheet.freeze_panes == "B2"  # header row and duty column stay in view
    header = [cell.value for cell in sheet[1]]
    # Some Sales duties belong to the LAUNCH project: a Project column says which.
    assert header[:2] == ["Duty", "Project"]
    assert header[2] == "Head of Sales"  # own roles unqualified, head first
    assert "Finance Director (FIN)" in header  # another department's role
    assert "North Regional Sales Manager (SALES-N)" in header
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    contracts = rows["Negotiate key customer contracts"]
    north = contracts[header.index("North Regional Sales Manager (SALES-N)")]
    assert north.value == "R"
    forecast = rows["Maintain the sales forecast"]
    assert forecast[header.index("Head of Sales")].value == "A"
    assert forecast[header.index("Finance Director (FIN)")].value == "I"
    # The letters are coloured by one conditional format per letter over the letter
    # columns (no style per cell): R blue, A red, I grey, bold.
    colours = {}
    for formatting in sheet.conditional_formatting:
        assert str(formatting.sqref) == f"C2:{get_column_letter(len(header))}{sheet.max_row}"
        for rule in formatting.rules:
            assert rule.operator == "equal" and rule.dxf.font.b
            colours[rule.formula[0]] = rule.dxf.font.color.rgb
    assert colours == {
        '"R"': "FF1F6FEB",
        '"A"': "FFB42318",
        '"A/R"': "FF7C3AED",
        '"C"': "FF9A6700",
        '"I"': "FF57606A",
    }

    legend = [[cell.value for cell in row] for row in workbook["Legend"].iter_rows()]
    assert ["A/R", "Accountable and responsible: owns the outcome and does the work"] in legend
    assert workbook["Legend"]["A4"].font.color.rgb == "FF7C3AED"  # A/R is purple

    findings = list(workbook["Findings"].iter_rows(values_only=True))
    assert findings[0] == (
        "rule",
        "severity",
        "department",
        "project",
        "duty",
        "roles",
        "message",
        "suggestion",
    )
    expected = selectors.findings(selectors.Scope(department=Department.objects.get(code="SALES")))
    assert len(findings) - 1 == len(expected) >= 3
    assert {row[0] for row in findings[1:]} == {f.rule for f in expected}
    no_a = next(row for row in findings if row[0] == "NO_ACCOUNTABLE")
    assert no_a[4] == "Negotiate key customer contracts" and no_a[6] and no_a[7]


def test_department_csv_has_the_wide_layout_of_the_import(member, client_for, demo_duties):
    response = client_for(member).get(reverse("department-matrix-export", args=["SALES", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"raci-SALES-{timezone.localdate():%Y-%m-%d}.csv" in response["Content-Disposition"]
    rows = _csv_rows(response)
    header = rows[0]
    assert header[:3] == ["Duty", "Project", "Head of Sales"]
    by_duty = {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}
    assert len(by_duty) == Duty.objects.filter(department__code="SALES").count()
    for duty in Duty.objects.filter(department__code="SALES", project__isnull=False):
        assert by_duty[duty.title]["Project"] == duty.project.code
    targets = by_duty["Set regional sales targets"]
    assert targets["Head of Sales"] == "A"
    assert targets["North Regional Sales Manager (SALES-N)"] == "A"
    assert targets["Sales Operations Analyst"] == "R"


def test_project_export_names_every_role_with_its_department(member, client_for, demo_duties):
    response = client_for(member).get(reverse("project-matrix-export", args=["LAUNCH", "csv"]))
    rows = _csv_rows(response)
    header = rows[0]
    assert header[:2] == ["Duty", "Department"]
    assert all(title.endswith(")") for title in header[2:])
    assert len(rows) - 1 == Duty.objects.filter(project__code="LAUNCH").count()
    owners = {row[0]: row[1] for row in rows[1:]}
    for duty in Duty.objects.filter(project__code="LAUNCH").select_related("department"):
        assert owners[duty.title] == duty.department.code


def test_organisation_export_has_one_row_per_assignment(member, client_for, demo_duties):
    response = client_for(member).get(reverse("organisation-matrix-export", args=["csv"]))
    rows = _csv_rows(response)
    assert rows[0] == ["department", "duty", "role", "role_department", "letter", "project"]
    assert len(rows) - 1 == Assignment.objects.count()
    assert [
        "SALES-N",
        "Prepare the monthly sales report",
        "North Regional Sales Manager",
        "SALES-N",
        "A/R",
        "",
    ] in rows

    workbook = _workbook(
        client_for(member).get(reverse("organisation-matrix-export", args=["xlsx"]))
    )
    assert workbook["RACI"].max_row - 1 == Assignment.objects.count()
    assert workbook["Findings"].max_row - 1 == len(selectors.findings(selectors.Scope()))


def test_department_export_in_long_shape_on_request(member, client_for, demo_duties):
    url = reverse("department-matrix-export", args=["SALES", "csv"]) + "?shape=long"
    response = client_for(member).get(url)
    assert "raci-SALES-long-" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][0] == "department"
    assert len(rows) - 1 == Assignment.objects.filter(duty__department__code="SALES").count()


def test_unknown_format_or_department_is_not_found(member, client_for, demo_duties):
    client = client_for(member)
    assert client.get("/departments/SALES/matrix.pdf").status_code == 404
    assert client.get(reverse("department-matrix-export", args=["NOPE", "csv"])).status_code == 404


def test_exports_need_a_login(client_for, demo_duties):
    response = client_for(None).get(reverse("department-matrix-export", args=["SALES", "xlsx"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_matrix_and_findings_pages_link_to_the_exports(
    member, sales_manager, client_for, demo_duties
):
    page = client_for(member).get(reverse("department-matrix", args=["SALES"])).text
    assert reverse("department-matrix-export", args=["SALES", "xlsx"]) in page
    assert reverse("department-matrix-export", args=["SALES", "csv"]) in page
    assert reverse("import-raci") not in page  # a member may not import
    manager_page = client_for(sales_manager).get(reverse("department-matrix", args=["SALES"])).text
    assert f"{reverse('import-raci')}?department=SALES" in manager_page
    project_page = client_for(member).get(reverse("project-matrix", args=["LAUNCH"])).text
    assert reverse("project-matrix-export", args=["LAUNCH", "xlsx"]) in project_page
    findings_page = client_for(member).get(reverse("findings")).text
    assert reverse("organisation-matrix-export", args=["xlsx"]) in findings_page


# ------------------------------------------------------------------ formula injection


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plan the budget", "Plan the budget"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_formula_triggers_and_restore_undoes_it(text, expected):
    assert neutralise(text) == expected
    assert restore(neutralise(text)) == text


@pytest.fixture
def formula_duty(demo_duties):
    sales = Department.objects.get(code="SALES")
    duty = Duty.objects.create(title='=HYPERLINK("http://evil.example","click")', department=sales)
    role = Role.objects.create(title="@Evil role", department=sales)
    Assignment.objects.create(duty=duty, role=role, letter="R", updated_at=timezone.now())
    return duty


def test_formula_in_a_title_exports_as_text_in_csv(member, client_for, formula_duty):
    rows = _csv_rows(
        client_for(member).get(reverse("department-matrix-export", args=["SALES", "csv"]))
    )
    assert "'@Evil role" in rows[0]
    assert [row[0] for row in rows if "HYPERLINK" in row[0]] == [
        '\'=HYPERLINK("http://evil.example","click")'
    ]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_formula_in_a_title_exports_as_text_in_xlsx(member, client_for, formula_duty):
    workbook = _workbook(
        client_for(member).get(reverse("department-matrix-export", args=["SALES", "xlsx"]))
    )
    cells = [cell for row in workbook["RACI"].iter_rows() for cell in row if cell.value]
    hyperlink = next(cell for cell in cells if "HYPERLINK" in str(cell.value))
    assert hyperlink.data_type == "s"  # a string, not a formula
    assert hyperlink.value.startswith("'=")
    assert all(cell.data_type != "f" for cell in cells)
    findings = [cell for row in workbook["Findings"].iter_rows() for cell in row if cell.value]
    assert all(cell.data_type != "f" for cell in findings)


def test_export_matrix_command_writes_the_same_files(tmp_path, demo_duties):
    xlsx = tmp_path / "sales.xlsx"
    call_command("export_matrix", department="SALES", output=str(xlsx), stdout=io.StringIO())
    assert load_workbook(xlsx).sheetnames == ["RACI", "Legend", "Findings"]
    long_csv = tmp_path / "org.csv"
    out = io.StringIO()
    call_command("export_matrix", output=str(long_csv), stdout=out)
    assert f"{Assignment.objects.count()} rows" in out.getvalue()
    assert long_csv.read_text(encoding="utf-8").startswith("\ufeffdepartment,duty,role")


def _matrix_page_layout(scope: selectors.Scope) -> tuple[list[str], list[list[str]]]:
    """Role headers and letter rows as the matrix page (matrix_history.matrix) has them."""
    matrix = matrix_history.matrix(scope)
    qualify_all = scope.project is not None
    headers = [
        exports.role_header(
            column.role.title,
            column.role.department_code,
            qualify=qualify_all or not column.own or column.role.title.endswith(")"),
        )
        for column in matrix.columns
    ]
    rows = [
        [row.duty["title"]]
        + [
            raci.LETTER_LABELS[cell["letter"]] if cell else ""
            for cell in row.cells_for(matrix.columns)
        ]
        for row in matrix.rows
    ]
    return headers, rows


def test_wide_export_has_the_matrix_pages_columns_and_rows_for_every_scope(demo_duties):
    from orgmap.models import Project

    scopes = [selectors.Scope(department=d) for d in Department.objects.all()]
    scopes += [selectors.Scope(project=p) for p in Project.objects.all()]
    assert len(scopes) > 5
    for scope in scopes:
        sheet = exports.wide_sheet(scope)
        headers, rows = _matrix_page_layout(scope)
        assert sheet.header[sheet.first_letter_column :] == headers, scope
        exported = [
            [row[0], *(cell or "" for cell in row[sheet.first_letter_column :])]
            for row in sheet.rows
        ]
        assert exported == rows, scope


def test_department_csv_costs_a_constant_number_of_queries(
    member, client_for, demo_duties, django_assert_max_num_queries
):
    # Duties, cells and roles, plus the request's own (session, user, permissions):
    # no findings are computed for a CSV.
    client = client_for(member)
    with django_assert_max_num_queries(8) as captured:
        response = client.get(reverse("department-matrix-export", args=["SALES", "csv"]))
        body = _content(response)
    assert body and not any(
        "responsibilities_duty" in query["sql"] and "GROUP BY" in query["sql"]
        for query in captured.captured_queries
    ), "the duplicate-title scan of the findings must not run for a CSV"


def test_xlsx_header_is_styled_and_matrix_cells_carry_no_style(member, client_for, demo_duties):
    response = client_for(member).get(reverse("department-matrix-export", args=["SALES", "xlsx"]))
    sheet = _workbook(response)["RACI"]
    header = sheet[1]
    assert all(cell.font.b and cell.fill.fgColor.rgb == "FFEEF1F7" for cell in header)
    assert all(cell.alignment.wrap_text for cell in header)
    assert [d.width for d in sheet.column_dimensions.values()][:2] == [60, 16]
    # No style per cell: the letters are coloured by the sheet's conditional formats.
    assert not any(cell.has_style for row in sheet.iter_rows(min_row=2) for cell in row)
    # Rows end at their last letter in the file, yet read back at full width.
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {len(row) for row in rows} == {len(header)}


def test_xml_special_and_control_characters_survive_the_xlsx(member, client_for, demo_duties):
    sales = Department.objects.get(code="SALES")
    duty = Duty.objects.create(title="R&D <draft> “报价” \x07bell", department=sales)
    role = Role.objects.create(title='Q&A "lead" <x>', department=sales)
    Assignment.objects.create(duty=duty, role=role, letter="C", updated_at=timezone.now())
    response = client_for(member).get(reverse("department-matrix-export", args=["SALES", "xlsx"]))
    sheet = _workbook(response)["RACI"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0].startswith("R&D"))
    # XML 1.0 cannot carry a bell character: it is dropped, the rest is kept as typed.
    assert row[0] == "R&D <draft> “报价” bell"
    assert row[header.index('Q&A "lead" <x>')] == "C"


def test_organisation_xlsx_colours_the_letter_column_and_freezes_headers(
    member, client_for, demo_duties
):
    response = client_for(member).get(reverse("organisation-matrix-export", args=["xlsx"]))
    workbook = _workbook(response)
    sheet = workbook["RACI"]
    assert [cell.value for cell in sheet[1]] == list(exports.LONG_COLUMNS)
    assert sheet.max_row == Assignment.objects.count() + 1
    [formatting] = list(sheet.conditional_formatting)
    assert str(formatting.sqref) == f"E2:E{sheet.max_row}"
    assert (sheet.freeze_panes, workbook["Findings"].freeze_panes) == ("B2", "A2")
