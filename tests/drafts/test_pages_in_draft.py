"""Pages and exports in a draft: project matrices, the department, role and findings
pages with the draft's duties, letters and findings (the live pages unchanged), the
XLSX and role descriptions marked as the draft's, the cached impact, their cost."""

from __future__ import annotations

import io

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaboration.drafts import findings_list, impact, impact_cache, services
from collaboration.drafts.overlay import DraftState
from responsibilities import raci, selectors
from tests import factories

from .factories import DraftFactory, set_live


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _row(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</tr>", start)]


@pytest.fixture
def dropped_accountable(world, sales_manager):
    """A draft in which "Confirm orders" loses its Accountable (the head of sales)."""
    draft = DraftFactory(author=sales_manager, name="Flat sales")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_head, letter=None)
    return draft


# ------------------------------------------------------------------ project matrix


def test_a_project_matrix_opens_in_a_draft_with_its_letters(world, sales_manager, client_for):
    project = factories.ProjectFactory(code="LAUNCHX", departments=[world.sales])
    factories.grant_coordinate(sales_manager, project)
    duty = factories.DutyFactory(title="Launch plan", department=world.sales, project=project)
    set_live(duty, world.sales_head, "A")
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=duty, role=world.sales_rep, letter="R")
    client = client_for(sales_manager)

    html = _html(client, reverse("draft-matrix", args=[draft.pk, "LAUNCHX"]))
    assert "draft-banner" in html and "RACI matrix: Project LAUNCHX" in html
    assert "drafted" in _row(html, f"duty-{duty.pk}")
    assert f'href="{reverse("project-matrix", args=["LAUNCHX"])}"' in html
    live = _html(client, reverse("project-matrix", args=["LAUNCHX"]))
    assert "draft-banner" not in live and "drafted" not in _row(live, f"duty-{duty.pk}")

    edit = client.post(
        reverse("draft-cell", args=[draft.pk, duty.pk, world.sales_head.pk]),
        {"letter": "", "scope": "project:LAUNCHX"},
        headers={"HX-Request": "true"},
    )
    assert edit.status_code == 200
    assert 'data-rule="NO_ACCOUNTABLE"' in edit.content.decode()
    assert f"/drafts/{draft.pk}/findings/?project=LAUNCHX" in edit.content.decode()


def test_the_draft_page_links_to_the_pages_in_the_draft(
    world, sales_manager, client_for, dropped_accountable
):
    draft = dropped_accountable
    html = _html(client_for(sales_manager), draft.get_absolute_url())
    assert reverse("draft-department", args=[draft.pk, "SALES"]) in html
    assert reverse("draft-findings", args=[draft.pk]) in html
    assert reverse("draft-role", args=[draft.pk, world.sales_head.pk]) in html


# ------------------------------------------------------------------ department


def test_the_department_page_in_a_draft_shows_its_duties_letters_and_findings(
    world, sales_manager, client_for, dropped_accountable
):
    draft = dropped_accountable
    client = client_for(sales_manager)
    html = _html(client, reverse("draft-department", args=[draft.pk, "SALES"]))
    assert "draft-banner" in html and "Flat sales" in html
    orders = _row(html, f"draft-duty-{world.orders.pk}")
    assert 'data-rule="NO_ACCOUNTABLE"' in orders and "Head of Sales" not in orders
    quoting = _row(html, f"draft-duty-{world.quoting.pk}")
    assert "Head of Sales" in quoting and "NO_ACCOUNTABLE" not in quoting
    # The count and the links stay in the draft.
    assert 'id="finding-count">1<' in html
    assert f'href="{reverse("draft-role", args=[draft.pk, world.sales_head.pk])}"' in html
    assert reverse("draft-matrix", args=[draft.pk, "SALES"]) in html
    assert "Edit department" not in html

    live = _html(client, reverse("department-detail", args=["SALES"]))
    assert "draft-banner" not in live and "draft-duties" not in live
    assert f'href="{world.sales_head.get_absolute_url()}"' in live
    assert 'id="finding-count">0<' in live


def test_a_moved_duty_shows_on_both_department_pages_of_the_draft(world, sales_manager, client_for):
    draft = DraftFactory(author=sales_manager)
    services.draft_duty_change(
        draft=draft,
        duty=world.quoting,
        title="Quote all prices",
        department=world.production,
        project=None,
        active=True,
    )
    client = client_for(sales_manager)
    prod = _html(client, reverse("draft-department", args=[draft.pk, "PROD"]))
    sales = _html(client, reverse("draft-department", args=[draft.pk, "SALES"]))
    assert "moved here in this draft" in _row(prod, f"draft-duty-{world.quoting.pk}")
    assert "Quote all prices" in prod
    assert "moves to PROD in this draft" in _row(sales, f"draft-duty-{world.quoting.pk}")


# ------------------------------------------------------------------ role


def test_the_role_page_in_a_draft_shows_its_duties_load_and_findings(
    world, sales_manager, client_for, dropped_accountable
):
    draft = dropped_accountable
    client = client_for(sales_manager)
    html = _html(client, reverse("draft-role", args=[draft.pk, world.sales_head.pk]))
    assert "draft-banner" in html
    load = html[html.index('id="draft-role-load"') :]
    assert "2 → <strong>1</strong>" in load[: load.index("</p>")]
    duties = html[html.index('id="duties-heading"') :]
    assert "Quote prices" in duties and "Confirm orders" not in duties
    assert reverse("draft-role-document", args=[draft.pk, world.sales_head.pk, "docx"]) in html
    # Its author changes the role and its holders in the draft from there.
    assert reverse("draft-role-change", args=[draft.pk, world.sales_head.pk]) in html

    live = _html(client, reverse("role-detail", args=[world.sales_head.pk]))
    assert "draft-banner" not in live and "Confirm orders" in live


def test_a_role_given_a_letter_in_a_draft_shows_the_duty(world, sales_manager, client_for):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    html = _html(
        client_for(sales_manager), reverse("draft-role", args=[draft.pk, world.planner.pk])
    )
    assert "Confirm orders" in html[html.index('id="duties-heading"') :]


# ------------------------------------------------------------------ findings


def test_the_findings_page_in_a_draft_adds_opened_and_removes_closed_findings(
    world, sales_manager, admin_user, client_for
):
    # Live: "Confirm orders" has no Accountable; the draft gives it one back and takes
    # the Accountable of "Quote prices" away.
    set_live(world.orders, world.sales_head, None, by=admin_user)
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_head, letter="A")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_head, letter=None)
    client = client_for(sales_manager)
    url = reverse("draft-findings", args=[draft.pk])

    def listed(page: str) -> str:
        """The page's list of findings (the banner above names findings too)."""
        return page[page.index('class="filter-bar"') :]

    html = _html(client, url)
    assert "draft-banner" in html
    assert "Quote prices" in listed(html) and "Confirm orders" not in listed(html)
    assert f'href="{reverse("draft-department", args=[draft.pk, "SALES"])}"' in html
    assert "Quote prices" in listed(_html(client, url + "?rule=NO_ACCOUNTABLE&department=SALES"))
    assert "Quote prices" not in listed(_html(client, url + "?rule=NO_RESPONSIBLE"))
    assert "Quote prices" not in listed(_html(client, url + "?severity=info"))

    live = _html(client, reverse("findings"))
    assert "draft-banner" not in live
    assert "Confirm orders" in listed(live) and "Quote prices" not in listed(live)


def test_the_findings_of_a_draft_page_by_page_are_the_whole_list(world, sales_manager):
    """The merge of the stored findings with the draft's, page after page, is the
    stored list without the closed findings and with the opened ones, in raci's order."""
    for number in range(7):
        duty = factories.DutyFactory(title=f"Orphan {number:02d}", department=world.sales)
        set_live(duty, world.sales_rep, "R")
    set_live(world.orders, world.sales_head, None)
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_head, letter="A")
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.sales_head, letter=None)
    found = impact.draft_impact(draft)
    assert found.opened and found.closed
    closed = {impact.identity(f) for f in found.closed}
    scope = selectors.Scope()
    expected = raci.sort_findings(
        [f for f in selectors.stored_findings(scope) if impact.identity(f) not in closed]
        + found.opened
    )
    pages, number = [], 1
    while True:
        page = findings_list.draft_findings_page(found, scope, page_number=number, per_page=2)
        pages += page.page.object_list
        assert page.total == len(expected)
        if not page.page.has_next():
            break
        number += 1
    assert number == (len(expected) + 1) // 2 > 3
    assert [impact.identity(f) for f in pages] == [impact.identity(f) for f in expected]


# ------------------------------------------------------------------ exports


def test_the_xlsx_of_a_draft_is_marked_as_the_draft(
    world, sales_manager, client_for, dropped_accountable
):
    from openpyxl import load_workbook

    draft = dropped_accountable
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    response = client_for(sales_manager).get(reverse("draft-matrix-xlsx", args=[draft.pk, "SALES"]))
    assert response.status_code == 200
    assert "DRAFT-flat-sales" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = book.worksheets[0]
    assert sheet.title == "DRAFT: Flat sales"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0].startswith("DRAFT: Flat sales")
    assert rows[1][-1] == "draft"
    letters = {(row[1], row[2], row[4]) for row in rows[2:]}
    assert ("Confirm orders", "Planner", "C") in letters
    assert ("Confirm orders", "Head of Sales", "A") not in letters
    assert ("Quote prices", "Head of Sales", "A") in letters
    findings = [list(row) for row in book.worksheets[1].iter_rows(values_only=True)]
    assert findings[0][0] == "DRAFT: Flat sales"
    assert any(row[0] == "NO_ACCOUNTABLE" and row[4] == "Confirm orders" for row in findings)


def test_the_role_description_of_a_draft_is_marked_as_the_draft(
    world, sales_manager, client_for, dropped_accountable
):
    from docx import Document

    draft = dropped_accountable
    response = client_for(sales_manager).get(
        reverse("draft-role-document", args=[draft.pk, world.sales_head.pk, "docx"])
    )
    assert response.status_code == 200
    assert "DRAFT-flat-sales.docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert text.startswith("DRAFT: Flat sales")
    assert "Quote prices" in text and "Confirm orders" not in text
    assert document.core_properties.title.startswith("DRAFT: Flat sales")


def test_the_pdf_role_description_of_a_draft_is_marked_as_the_draft(
    world, sales_manager, client_for, dropped_accountable
):
    from pypdf import PdfReader

    draft = dropped_accountable
    response = client_for(sales_manager).get(
        reverse("draft-role-document", args=[draft.pk, world.sales_head.pk, "pdf"])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "DRAFT: Flat sales" in text and "Confirm orders" not in text


# ------------------------------------------------------------------ bad parameters


@pytest.mark.parametrize(
    ("name", "args", "query", "status"),
    [
        ("draft-matrix", ["NOPE"], "", 404),
        ("draft-department", ["NOPE"], "", 404),
        ("draft-role", [999999], "", 404),
        ("draft-role-document", ["ROLE", "exe"], "", 404),
        ("draft-role-document", [999999, "pdf"], "", 404),
        ("draft-matrix-xlsx", ["NOPE"], "", 404),
        ("draft-findings", [], "?department=NOPE", 404),
        ("draft-findings", [], "?project=NOPE", 404),
        ("draft-findings", [], "?page=abc&rule=NOPE&severity=nope", 200),
        ("draft-findings", [], "?rule=%00", 400),
        ("draft-findings", [], "?page=99999", 200),
    ],
)
def test_bad_parameters_give_a_clear_answer(
    world, sales_manager, client_for, dropped_accountable, name, args, query, status
):
    args = [world.sales_head.pk if arg == "ROLE" else arg for arg in args]
    url = reverse(name, args=[dropped_accountable.pk, *args]) + query
    assert client_for(sales_manager).get(url).status_code == status


def test_a_draft_that_does_not_exist_is_not_found(world, sales_manager, client_for):
    client = client_for(sales_manager)
    assert client.get(reverse("draft-department", args=[999999, "SALES"])).status_code == 404
    assert client.get(reverse("draft-findings", args=[999999])).status_code == 404


def test_who_may_not_see_the_draft_may_not_open_its_pages(
    world, member, client_for, dropped_accountable
):
    draft = dropped_accountable
    client = client_for(member)
    for url in (
        reverse("draft-department", args=[draft.pk, "SALES"]),
        reverse("draft-role", args=[draft.pk, world.sales_head.pk]),
        reverse("draft-role-document", args=[draft.pk, world.sales_head.pk, "docx"]),
        reverse("draft-findings", args=[draft.pk]),
        reverse("draft-matrix-xlsx", args=[draft.pk, "SALES"]),
    ):
        assert client.get(url).status_code == 403, url


# ------------------------------------------------------------------ the cached impact


def test_the_impact_is_computed_once_and_again_after_a_draft_change(
    world, sales_manager, monkeypatch, dropped_accountable
):
    draft = dropped_accountable
    calls = []
    real = impact_cache.draft_impact
    monkeypatch.setattr(impact_cache, "draft_impact", lambda d: calls.append(1) or real(d))

    first = impact_cache.cached_impact(draft)
    assert impact_cache.cached_impact(draft).opened == first.opened and len(calls) == 1
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_head, letter="A")
    assert impact_cache.cached_impact(draft).is_empty and len(calls) == 2


def test_the_impact_is_computed_again_after_a_live_change(
    world, sales_manager, admin_user, dropped_accountable
):
    draft = dropped_accountable
    assert [f.rule for f in impact_cache.cached_impact(draft).opened] == ["NO_ACCOUNTABLE"]
    # Live gives the duty a second Accountable: the draft no longer opens the finding.
    set_live(world.orders, world.sales_rep, "A", by=admin_user)
    assert impact_cache.cached_impact(draft).opened == []


def test_a_letter_change_that_changes_no_finding_still_refreshes_the_impact(
    world, sales_manager, admin_user
):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="R")
    before = {load.role.id: load for load in impact_cache.cached_impact(draft).loads}
    set_live(world.quoting, world.planner, "C", by=admin_user)  # no finding changes
    after = {load.role.id: load for load in impact_cache.cached_impact(draft).loads}
    planner = world.planner.pk
    assert after[planner].assignments_before == before[planner].assignments_before + 1


def test_a_page_in_a_draft_reads_the_cached_impact(
    world, sales_manager, client_for, dropped_accountable
):
    client = client_for(sales_manager)
    url = reverse("draft-department", args=[dropped_accountable.pk, "SALES"])
    client.get(url)  # warms the cache (and the session)
    reset_queries()
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    warm_count = len(warm.captured_queries)
    impact_cache.cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    # The impact's own queries (about ten) are saved; a warm page reads one key.
    assert warm_count + 5 < len(cold.captured_queries)


# ------------------------------------------------------------------ cost


def _grow(world, count: int) -> None:
    for number in range(count):
        duty = factories.DutyFactory(title=f"Extra duty {number:03d}", department=world.sales)
        factories.AssignmentFactory(duty=duty, role=world.sales_rep, letter="R")


def _counts(client, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        client.get(url)  # warm: session, caches
        reset_queries()  # the query log keeps 9,000 queries: count from an empty one
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    return counts


def test_pages_in_a_draft_cost_the_same_for_12_and_200_duties(
    world, sales_manager, client_for, dropped_accountable
):
    draft = dropped_accountable
    client = client_for(sales_manager)
    urls = [
        reverse("draft-department", args=[draft.pk, "SALES"]),
        reverse("draft-role", args=[draft.pk, world.sales_rep.pk]),
        reverse("draft-findings", args=[draft.pk]),
        reverse("draft-matrix", args=[draft.pk, "SALES"]),
    ]
    _grow(world, 10)  # 12 duties
    small = _counts(client, urls)
    for number in range(188):  # 200 duties
        duty = factories.DutyFactory(title=f"More duty {number:03d}", department=world.sales)
        factories.AssignmentFactory(duty=duty, role=world.sales_rep, letter="R")
    large = _counts(client, urls)
    assert large == small


def test_a_draft_state_reads_its_impact_from_the_cache(
    world, sales_manager, django_assert_max_num_queries, dropped_accountable
):
    DraftState.read(dropped_accountable)
    with django_assert_max_num_queries(3):  # the changes (2) and the cache key (1)
        DraftState.read(dropped_accountable)
