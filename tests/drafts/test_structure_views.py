"""The pages of a draft's roles, people and information flows: who may use them, bad
input (a clear message, never a 500, nothing written), the lookups and the draft's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collaboration.drafts import services_structure as structure
from collaboration.drafts.models import DraftFlow, DraftHolding, DraftRole
from orgmap.models import Role
from responsibilities.models import InformationFlow
from tests import factories

from .factories import DraftFactory


@pytest.fixture
def draft(sales_manager):
    return DraftFactory(author=sales_manager, name="Restructure sales")


def _page(response) -> str:
    return response.content.decode()


def test_the_author_renames_moves_and_retires_a_role_in_the_draft(
    world, draft, sales_manager, client_for
):
    client = client_for(sales_manager)
    url = reverse("draft-role-change", args=[draft.pk, world.sales_rep.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Account Manager", "department": "PROD"})
    assert response.status_code == 302
    change = DraftRole.objects.get(draft=draft)
    assert (change.title, change.department, change.active) == (
        "Account Manager",
        world.production,
        False,
    )
    assert Role.objects.get(pk=world.sales_rep.pk).title == "Sales Rep"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "department": "SALES", "active": "on"}, "Give the role a title."),
        ({"title": "Head of Sales", "department": "SALES", "active": "on"}, "already has a role"),
        ({"title": "Rep", "department": "NOPE", "active": "on"}, "Select a valid choice"),
        ({"title": "Rep", "active": "on"}, "Choose the department this role belongs to."),
    ],
)
def test_a_bad_role_form_says_why_and_writes_nothing(
    world, draft, sales_manager, client_for, data, message
):
    response = client_for(sales_manager).post(
        reverse("draft-role-change", args=[draft.pk, world.sales_rep.pk]), data
    )
    assert response.status_code == 422 and message in _page(response)
    assert not DraftRole.objects.exists()


def test_people_join_leave_and_move_through_the_role_page(
    world, draft, sales_manager, production_manager, client_for
):
    client = client_for(sales_manager)
    people = reverse("draft-role-people", args=[draft.pk, world.planner.pk])
    newcomer = factories.UserFactory(display_name="Nina Newcomer")
    confirm = client.get(
        reverse("draft-role-change", args=[draft.pk, world.planner.pk]) + f"?person={newcomer.pk}"
    )
    assert "Nina Newcomer joins this role?" in _page(confirm)
    assert client.post(people, {"action": "join", "person": newcomer.pk}).status_code == 302
    move = {
        "action": "move",
        "person": production_manager.pk,
        "from_role": world.production.head.pk,
    }
    assert client.post(people, move).status_code == 302
    assert set(draft.holdings.values_list("person__username", "role__title", "action")) == {
        (newcomer.username, "Planner", "join"),
        ("production_manager", "Planner", "join"),
        ("production_manager", "Production Manager", "leave"),
    }
    page = _page(client.get(reverse("draft-role-change", args=[draft.pk, world.planner.pk])))
    assert "Nina Newcomer" in page and "Leave the role vacant" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "join"}, "Choose a person."),
        ({"action": "join", "person": "abc"}, "Choose a person."),
        ({"action": "join", "person": "PM"}, "already holds this role"),
        ({"action": "leave", "person": "SM"}, "does not hold this role"),
        ({"action": "move", "person": "SM"}, "Choose the role the person leaves."),
        ({"action": "dance", "person": "SM"}, "Choose join, leave, move or leave vacant."),
    ],
)
def test_bad_people_changes_say_why_and_write_nothing(
    world, draft, sales_manager, production_manager, client_for, data, message
):
    ids = {"PM": production_manager.pk, "SM": sales_manager.pk}
    data = {key: ids.get(value, value) for key, value in data.items()}
    response = client_for(sales_manager).post(
        reverse("draft-role-people", args=[draft.pk, world.production.head.pk]), data
    )
    assert response.status_code == 422 and message in _page(response)
    assert not DraftHolding.objects.exists()


def test_flows_are_added_and_removed_through_the_flows_page(
    world, draft, sales_manager, client_for
):
    client = client_for(sales_manager)
    url = reverse("draft-flows", args=[draft.pk])
    data = {
        "action": "add",
        "from_department": "SALES",
        "to_department": "PROD",
        "information": "Confirmed orders",
        "channel": "system",
        "system_name": "ERP",
        "frequency": "daily",
    }
    assert client.post(url, data).status_code == 302
    live = factories.InformationFlowFactory(
        from_department=world.production, to_department=world.sales, information="Stock levels"
    )
    assert "Remove “Stock levels”" in _page(client.get(url + f"?remove={live.pk}"))
    assert client.post(url, {"action": "remove", "flow": live.pk}).status_code == 302
    assert set(DraftFlow.objects.values_list("action", flat=True)) == {"add", "remove"}
    assert InformationFlow.objects.get(pk=live.pk).active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_department": "SALES"}, "not to itself"),
        ({"channel": "system"}, "Name the system"),
        ({"information": ""}, "Say what information is handed over."),
        ({"frequency": "hourly"}, "Select a valid choice"),
        ({"action": "remove", "flow": "12345"}, "Choose a flow to remove."),
    ],
)
def test_a_bad_flow_says_why_and_writes_nothing(
    world, draft, sales_manager, client_for, data, message
):
    base = {
        "action": "add",
        "from_department": "SALES",
        "to_department": "PROD",
        "information": "Orders",
        "channel": "email",
        "frequency": "daily",
    }
    response = client_for(sales_manager).post(reverse("draft-flows", args=[draft.pk]), base | data)
    assert response.status_code == 422 and message in _page(response)
    assert not DraftFlow.objects.exists()


def test_the_lookups_find_roles_people_and_flows_a_page_at_a_time(
    world, draft, sales_manager, client_for, django_assert_max_num_queries
):
    client = client_for(sales_manager)
    for number in range(30):
        factories.RoleFactory(department=world.production, title=f"Machinist {number}")
    url = reverse("draft-lookup", args=[draft.pk, "roles"])
    with django_assert_max_num_queries(12):
        options = _page(client.get(url, {"q": "machinist"}, headers={"HX-Request": "true"}))
    assert options.count('role="option"') == 20 and "10 more match" in options
    assert f"/drafts/{draft.pk}/roles/" in options
    nina = factories.UserFactory(display_name="Nina Newcomer")
    people = _page(
        client.get(
            reverse("draft-lookup", args=[draft.pk, "people"]),
            {"q": "nina", "role": world.planner.pk},
        )
    )
    assert f"/drafts/{draft.pk}/roles/{world.planner.pk}/change/?person={nina.pk}" in people
    factories.InformationFlowFactory(
        from_department=world.production, to_department=world.sales, information="Stock levels"
    )
    flows = _page(client.get(reverse("draft-lookup", args=[draft.pk, "flows"]), {"q": "stock"}))
    assert "Stock levels" in flows and "?remove=" in flows
    assert client.get(reverse("draft-lookup", args=[draft.pk, "duties"])).status_code == 404


def test_the_drafts_page_lists_the_changes_with_undo_and_its_impact(
    world, draft, sales_manager, client_for
):
    structure.draft_role_vacate(draft=draft, role=world.sales_head)
    structure.draft_flow_add(
        draft=draft,
        from_department=world.sales,
        to_department=world.production,
        information="Forecasts",
        channel="email",
        frequency="weekly",
    )
    client = client_for(sales_manager)
    page = _page(client.get(draft.get_absolute_url()))
    assert 'id="draft-holding-changes"' in page and 'id="draft-flow-changes"' in page
    assert 'data-rule="VACANT_ACCOUNTABLE"' in page and "Forecasts" in page
    flow = draft.flow_changes.get()
    undo = reverse("draft-structure-undo", args=[draft.pk, "flow", flow.pk])
    assert client.post(undo).status_code == 302
    assert not draft.flow_changes.exists()


def test_structure_conflicts_are_shown_and_settled_on_the_drafts_page(
    world, draft, sales_manager, client_for
):
    change = structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Account Manager",
        department=world.sales,
        active=True,
    )
    world.sales_rep.title = "Sales Executive"
    world.sales_rep.save(update_fields=["title"])
    client = client_for(sales_manager)
    assert "conflict-role" in _page(client.get(draft.get_absolute_url()))
    settle = reverse("draft-conflict", args=[draft.pk, "role", change.pk])
    assert client.post(settle, {"keep": "live"}).status_code == 302
    assert not draft.role_changes.exists()
    assert client.post(reverse("draft-conflict", args=[draft.pk, "nope", 1])).status_code == 404


def test_only_the_author_changes_a_drafts_roles_people_and_flows(
    world, draft, production_manager, admin_user, client_for
):
    urls = [
        reverse("draft-role-change", args=[draft.pk, world.sales_rep.pk]),
        reverse("draft-role-people", args=[draft.pk, world.sales_rep.pk]),
        reverse("draft-flows", args=[draft.pk]),
        reverse("draft-lookup", args=[draft.pk, "roles"]),
    ]
    for user in (production_manager, admin_user):
        client = client_for(user)
        for url in urls:
            assert client.post(url, {"action": "vacate"}).status_code in (403, 405)
    assert not draft.holdings.exists()


def test_the_drafts_page_and_matrix_cost_the_same_for_many_structure_changes(
    world, draft, sales_manager, client_for, django_assert_max_num_queries
):
    client = client_for(sales_manager)
    pages = [draft.get_absolute_url(), reverse("draft-matrix", args=[draft.pk, "SALES"])]
    # One change of each kind first: each kind reads its own few rows once.
    structure.draft_role_vacate(draft=draft, role=world.sales_head)
    structure.draft_role_change(
        draft=draft,
        role=world.sales_rep,
        title="Account Manager",
        department=world.sales,
        active=True,
    )
    structure.draft_flow_remove(
        draft=draft,
        flow=factories.InformationFlowFactory(
            from_department=world.production, to_department=world.sales
        ),
    )
    first = {}
    for url in pages:
        client.get(url)
        with django_assert_max_num_queries(60) as counted:
            assert client.get(url).status_code == 200
        first[url] = len(counted.captured_queries)
    for number in range(12):
        department = factories.DepartmentFactory(code=f"Y{number}")
        role = factories.RoleFactory(department=department, title=f"Clerk {number}")
        factories.RoleHolderFactory(role=role)
        structure.draft_role_vacate(draft=draft, role=role)
        structure.draft_role_change(
            draft=draft, role=role, title=f"Filer {number}", department=department, active=True
        )
        structure.draft_flow_add(
            draft=draft,
            from_department=department,
            to_department=world.production,
            information="Files",
            channel="email",
            frequency="daily",
        )
        flow = factories.InformationFlowFactory(
            from_department=department, to_department=world.sales
        )
        structure.draft_flow_remove(draft=draft, flow=flow)
    for url in pages:
        client.get(url)  # the impact is cached per draft version: warm, as counted first
        with django_assert_max_num_queries(first[url]):
            assert client.get(url).status_code == 200
