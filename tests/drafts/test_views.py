"""The drafts' pages: the matrix in a draft (banner, draft letters, keyboard edits with
the impact out of band), the draft's page, and who may use them."""

from __future__ import annotations

from django.db import reset_queries
from django.urls import reverse

from collaboration.drafts import services
from collaboration.drafts.models import Draft
from responsibilities.models import Assignment, Finding

from .factories import DraftFactory


def test_a_manager_creates_a_draft_and_opens_a_matrix_in_it(world, sales_manager, client_for):
    client = client_for(sales_manager)
    response = client.post(reverse("draft-list"), {"name": "Spring reorganisation"})
    draft = Draft.objects.get(name="Spring reorganisation")
    assert response.status_code == 302 and draft.author == sales_manager

    page = client.get(reverse("draft-matrix", args=[draft.pk, "SALES"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "draft-banner" in html and "Spring reorganisation" in html
    assert f'href="/drafts/{draft.pk}/cells/{world.quoting.pk}/{world.sales_rep.pk}/' in html


def test_a_cell_edited_in_a_draft_answers_like_live_and_leaves_live_alone(
    world, sales_manager, client_for
):
    draft = DraftFactory(author=sales_manager)
    findings = Finding.objects.count()
    response = client_for(sales_manager).post(
        reverse("draft-cell", args=[draft.pk, world.quoting.pk, world.sales_head.pk]),
        {"letter": "", "scope": "department:SALES"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="cell-{world.quoting.pk}-{world.sales_head.pk}"' in html
    assert 'id="draft-impact"' in html and 'data-rule="NO_ACCOUNTABLE"' in html
    assert Assignment.objects.get(duty=world.quoting, role=world.sales_head).letter == "A"
    assert Finding.objects.count() == findings
    assert draft.cells.get().letter == ""


def test_the_draft_matrix_shows_the_draft_letters_and_flags(world, sales_manager, client_for):
    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_head, letter=None)
    html = (
        client_for(sales_manager)
        .get(reverse("draft-matrix", args=[draft.pk, "SALES"]))
        .content.decode()
    )
    row = html[html.index(f'id="duty-{world.orders.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "NO_ACCOUNTABLE" in row and "drafted" in row


def test_the_draft_matrix_costs_the_same_for_many_changes(
    world, sales_manager, client_for, django_assert_max_num_queries
):
    from tests import factories

    draft = DraftFactory(author=sales_manager)
    client = client_for(sales_manager)
    url = reverse("draft-matrix", args=[draft.pk, "SALES"])
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    client.get(url)
    reset_queries()  # the query log keeps 9,000 queries: count from an empty one
    with django_assert_max_num_queries(40) as first:
        client.get(url)
    first_count = len(first.captured_queries)
    for number in range(20):
        duty = factories.DutyFactory(title=f"More {number}", department=world.sales)
        services.draft_cell_set(draft=draft, duty=duty, role=world.planner, letter="R")
    client.get(url)  # the impact is cached (impact_cache.py): compare warm with warm
    reset_queries()
    with django_assert_max_num_queries(first_count):
        client.get(url)


def test_a_moved_duty_appears_in_its_new_department_in_the_draft(world, sales_manager, client_for):
    draft = DraftFactory(author=sales_manager)
    client = client_for(sales_manager)
    response = client.post(
        reverse("draft-duty", args=[draft.pk, world.quoting.pk]),
        {"title": "Quote prices", "department": "PROD", "active": "on"},
    )
    assert response.status_code == 302
    prod = client.get(reverse("draft-matrix", args=[draft.pk, "PROD"])).content.decode()
    sales = client.get(reverse("draft-matrix", args=[draft.pk, "SALES"])).content.decode()
    assert f'id="duty-{world.quoting.pk}"' in prod and "moved here in this draft" in prod
    assert "moves to PROD in this draft" in sales
    world.quoting.refresh_from_db()
    assert world.quoting.department == world.sales


def test_others_may_not_see_or_edit_a_draft(world, sales_manager, client_for):
    from tests import factories

    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter="C")
    stranger = factories.UserFactory(username="stranger")
    assert client_for(stranger).get(draft.get_absolute_url()).status_code == 403
    cell = reverse("draft-cell", args=[draft.pk, world.orders.pk, world.sales_rep.pk])
    assert client_for(stranger).post(cell, {"letter": "A"}).status_code == 403
    assert draft.cells.get().letter == "C"


def test_the_draft_page_lists_changes_impact_and_conflicts(
    world, sales_manager, admin_user, client_for
):
    from .factories import set_live

    draft = DraftFactory(author=sales_manager)
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_head, letter=None)
    set_live(world.orders, world.sales_head, "C", by=admin_user)
    html = client_for(sales_manager).get(draft.get_absolute_url()).content.decode()
    assert "Conflicts with live" in html and "conflict-cell" in html
    assert 'id="draft-cell-changes"' in html


def test_the_csv_of_a_draft_has_its_letters_and_says_it_is_a_draft(
    world, sales_manager, client_for
):
    import csv
    import io

    draft = DraftFactory(author=sales_manager, name="Export check")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="C")
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.sales_rep, letter=None)
    services.draft_duty_change(
        draft=draft,
        duty=world.quoting,
        title="Quote prices",
        department=world.production,
        project=None,
        active=True,
    )
    response = client_for(sales_manager).get(
        reverse("draft-matrix-export", args=[draft.pk, "SALES"])
    )
    assert "DRAFT" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-1] == "draft"
    body = {(row[1], row[2], row[4]) for row in rows[1:]}
    assert body == {
        ("Confirm orders", "Head of Sales", "A"),
        ("Confirm orders", "Planner", "C"),
    }
    assert {row[-1] for row in rows[1:]} == {"Export check"}
