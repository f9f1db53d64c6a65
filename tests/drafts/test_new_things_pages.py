"""Duties and roles added in a draft, on the pages: rows and columns of the matrix in
the draft, their cells edited like the others (and by whom), their forms with bad
input, the draft's page and its CSV, at a constant number of queries."""

from __future__ import annotations

from django.db import reset_queries

from collaboration.drafts import services_new

from .factories import DraftFactory
from .test_new_things import _new_duty, _new_role


def _matrix(client, draft, code="SALES"):
    from django.urls import reverse

    response = client.get(reverse("draft-matrix", args=[draft.pk, code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_matrix_in_the_draft_shows_new_duties_as_rows_and_new_roles_as_columns(
    world, sales_manager, client_for
):
    draft = DraftFactory(author=sales_manager)
    new_duty, new_role = _new_duty(draft, world), _new_role(draft, world)
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="A")
    services_new.draft_new_cell_set(
        draft=draft, new_duty=new_duty, role=world.sales_rep, letter="R"
    )
    html = _matrix(client_for(sales_manager), draft)
    row = html[html.index(f'id="duty--{new_duty.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Plan capacity" in row and "new in this draft" in row
    assert f'href="/drafts/{draft.pk}/cells/-{new_duty.pk}/-{new_role.pk}/' in row
    assert f'href="/drafts/{draft.pk}/cells/-{new_duty.pk}/{world.sales_rep.pk}/' in row
    assert "drafted" in row and "VACANT_ACCOUNTABLE" in row  # nobody holds the new role yet
    head = html[html.index(f'id="role--{new_role.pk}"') :]
    head = head[: head.index("</th>")]
    assert "Key Account Manager" in head and "new in this draft" in head
    # A live duty has a cell under the new role too, editable.
    assert f'href="/drafts/{draft.pk}/cells/{world.orders.pk}/-{new_role.pk}/' in html
    # Not in another department's matrix.
    assert f'id="duty--{new_duty.pk}"' not in _matrix(client_for(sales_manager), draft, "PROD")


def test_a_cell_of_a_new_duty_is_edited_like_live_and_answers_with_the_impact(
    world, sales_manager, client_for
):
    from django.urls import reverse

    draft = DraftFactory(author=sales_manager)
    new_duty = _new_duty(draft, world)
    url = reverse("draft-new-cell", args=[draft.pk, -new_duty.pk, world.sales_head.pk])
    client = client_for(sales_manager)
    htmx = {"HX-Request": "true"}
    editor = client.get(url, {"scope": "department:SALES"}, headers=htmx)
    assert editor.status_code == 200 and "cell-editor" in editor.content.decode()
    response = client.post(url, {"letter": "A", "scope": "department:SALES"}, headers=htmx)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="cell--{new_duty.pk}-{world.sales_head.pk}"' in html and "drafted" in html
    assert 'id="draft-impact"' in html and 'data-rule="NO_RESPONSIBLE"' in html
    assert draft.cells.get(new_duty=new_duty).letter == "A"
    refused = client.post(url, {"letter": "Q", "scope": "department:SALES"}, headers=htmx)
    assert refused.status_code == 422 and "is not a RACI letter" in refused.content.decode()
    assert draft.cells.get(new_duty=new_duty).letter == "A"
    # Without htmx: the cell's own page, and back to the matrix after the edit.
    assert client.get(url).status_code == 200
    assert client.post(url, {"letter": ""}).status_code == 302
    assert not draft.cells.exists()


def test_only_the_author_edits_new_things(world, sales_manager, production_manager, client_for):
    from django.urls import reverse

    draft = DraftFactory(author=sales_manager)
    new_duty, new_role = _new_duty(draft, world), _new_role(draft, world)
    other = client_for(production_manager)
    cell = reverse("draft-new-cell", args=[draft.pk, -new_duty.pk, -new_role.pk])
    assert other.post(cell, {"letter": "A"}).status_code == 403
    edit = reverse("draft-new-duty", args=[draft.pk, new_duty.pk])
    assert other.post(edit, {"title": "Mine", "department": "SALES"}).status_code == 403
    delete = reverse("draft-new-role-delete", args=[draft.pk, new_role.pk])
    assert other.post(delete).status_code == 403
    assert not draft.cells.exists() and draft.new_roles.exists()
    assert draft.new_duties.get().title == "Plan capacity"
    # Another draft's new duty is not found through this draft.
    mine = DraftFactory(author=production_manager)
    url = reverse("draft-new-cell", args=[mine.pk, -new_duty.pk, world.planner.pk])
    assert other.post(url, {"letter": "A"}).status_code == 404


def test_forms_of_new_things_refuse_bad_input_with_a_message(world, sales_manager, client_for):
    from django.urls import reverse

    draft = DraftFactory(author=sales_manager)
    client = client_for(sales_manager)
    add_duty = reverse("draft-new-duty-add", args=[draft.pk])
    taken = client.post(add_duty, {"title": "Quote prices", "department": "SALES"})
    assert taken.status_code == 422
    assert "already has a duty with this title" in taken.content.decode()
    empty = client.post(add_duty, {"title": "", "department": "NOPE"})
    assert empty.status_code == 422 and "Give the duty a title." in empty.content.decode()
    add_role = reverse("draft-new-role-add", args=[draft.pk])
    role = client.post(add_role, {"title": "Sales rep", "department": "SALES"})
    assert role.status_code == 422
    assert "already has a role with this title" in role.content.decode()
    bad_boss = client.post(add_role, {"title": "X", "department": "SALES", "reports_to": "abc"})
    assert bad_boss.status_code == 422
    assert not draft.new_duties.exists() and not draft.new_roles.exists()

    added = client.post(add_duty, {"title": "Plan capacity", "department": "SALES"})
    new_duty = draft.new_duties.get()
    assert added.status_code == 302 and added["Location"].endswith(f"?focus=-{new_duty.pk}")
    added = client.post(add_role, {"title": "Planner", "department": "SALES"})
    assert added.status_code == 302 and draft.new_roles.get().title == "Planner"
    renamed = client.post(
        reverse("draft-new-duty", args=[draft.pk, new_duty.pk]),
        {"title": "Plan the capacity", "department": "PROD"},
    )
    assert renamed.status_code == 302
    new_duty.refresh_from_db()
    assert (new_duty.title, new_duty.department) == ("Plan the capacity", world.production)


def test_the_drafts_page_lists_new_things_and_deletes_them(world, sales_manager, client_for):
    from django.urls import reverse

    draft = DraftFactory(author=sales_manager)
    new_duty, new_role = _new_duty(draft, world), _new_role(draft, world)
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="A")
    client = client_for(sales_manager)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert 'id="draft-new-duties"' in html and "Plan capacity" in html
    assert 'id="draft-new-roles"' in html and "Key Account Manager" in html
    assert 'id="draft-new-cells"' in html and 'id="draft-add-duty"' in html
    # Its findings link to the draft's matrix row of the new duty.
    assert f"/drafts/{draft.pk}/matrix/SALES/?focus=-{new_duty.pk}" in html
    delete = reverse("draft-new-duty-delete", args=[draft.pk, new_duty.pk])
    assert client.post(delete).status_code == 302
    assert not draft.new_duties.exists() and not draft.cells.exists()


def test_the_csv_of_the_draft_has_the_new_rows(world, sales_manager, client_for):
    from django.urls import reverse

    draft = DraftFactory(author=sales_manager, name="Capacity")
    new_duty, new_role = _new_duty(draft, world), _new_role(draft, world)
    services_new.draft_new_cell_set(draft=draft, new_duty=new_duty, new_role=new_role, letter="A")
    services_new.draft_new_cell_set(draft=draft, duty=world.orders, new_role=new_role, letter="C")
    response = client_for(sales_manager).get(
        reverse("draft-matrix-export", args=[draft.pk, "SALES"])
    )
    text = b"".join(response.streaming_content).decode()
    assert "SALES,Plan capacity,Key Account Manager,SALES,A,,Capacity" in text
    assert "SALES,Confirm orders,Key Account Manager,SALES,C,,Capacity" in text


def test_the_matrix_in_the_draft_costs_the_same_with_more_new_things(
    world, sales_manager, client_for, django_assert_max_num_queries
):
    draft = DraftFactory(author=sales_manager)
    client = client_for(sales_manager)
    first_duty = _new_duty(draft, world, title="First new")
    _new_role(draft, world, title="First new role")
    services_new.draft_new_cell_set(
        draft=draft, new_duty=first_duty, role=world.sales_rep, letter="R"
    )
    _matrix(client, draft)
    reset_queries()  # the query log keeps 9,000 queries: count from an empty one
    with django_assert_max_num_queries(60) as first:
        _matrix(client, draft)
    counted = len(first.captured_queries)  # read now: the log is emptied again below
    for number in range(10):
        new_duty = _new_duty(draft, world, title=f"New {number}")
        new_role = _new_role(draft, world, title=f"New role {number}")
        services_new.draft_new_cell_set(
            draft=draft, new_duty=new_duty, new_role=new_role, letter="A"
        )
        services_new.draft_new_cell_set(
            draft=draft, new_duty=new_duty, role=world.sales_rep, letter="R"
        )
    _matrix(client, draft)  # the impact is cached per draft version: warm, as counted first
    reset_queries()
    with django_assert_max_num_queries(counted):
        _matrix(client, draft)
