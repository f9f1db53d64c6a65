"""Conflicts: raising, coordinating, settling, and where they show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collaboration.routines import services
from collaboration.routines.models import Conflict
from responsibilities.models import Duty

pytestmark = pytest.mark.django_db


def _raise(client, departments, codes=("SALES-N", "SALES-S"), **fields):
    data = {
        "title": "Demo units",
        "description": "Both regions book the same demo units.",
        "departments": [departments[code].pk for code in codes],
        **fields,
    }
    return client.post(reverse("conflict-create"), data)


def test_a_member_raises_a_conflict_and_the_head_of_sales_coordinates(
    member, sales_manager, departments, client_for
):
    response = _raise(client_for(member), departments)
    conflict = Conflict.objects.get()
    assert response.status_code == 302 and response["Location"] == conflict.get_absolute_url()
    assert (conflict.raised_by, conflict.coordinator, conflict.status) == (
        member,
        sales_manager,
        Conflict.Status.OPEN,
    )
    page = client_for(sales_manager).get(reverse("my-conflicts"))
    assert page.context["mine"] == [conflict]


def test_without_a_common_head_an_administrator_coordinates(
    sales_manager, admin_user, departments, client_for
):
    client = client_for(sales_manager)
    response = _raise(client, departments, codes=("SALES", "PROD"))
    conflict = Conflict.objects.get()
    assert conflict.coordinator is None
    followed = client.get(response["Location"])
    assert "an organisation administrator coordinates" in followed.text
    page = client_for(admin_user).get(reverse("my-conflicts"))
    assert (page.context["mine"], page.context["unassigned"]) == ([], [conflict])


@pytest.mark.parametrize(
    ("codes", "fields", "message"),
    [
        (("SALES-N",), {}, "involves at least two of them"),
        ((), {}, "Choose the departments involved."),
        (("SALES-N", "SALES-S"), {"title": ""}, "Give the conflict a title."),
        (
            ("SALES-N", "SALES-S"),
            {"coordinator": "production_manager"},
            "authority over every department",
        ),
    ],
)
def test_bad_conflict_input_gives_a_message_and_saves_nothing(
    codes, fields, message, member, production_manager, departments, client_for
):
    if fields.get("coordinator") == "production_manager":
        fields = {"coordinator": production_manager.pk}
    response = _raise(client_for(member), departments, codes=codes, **fields)
    assert response.status_code == 200
    assert message in response.text
    assert not Conflict.objects.exists()


def test_the_coordinator_suggestion_follows_the_ticked_departments(member, departments, client_for):
    response = client_for(member).get(
        reverse("conflict-create"),
        {"departments": [departments["SALES-N"].pk, departments["SALES-S"].pk]},
        HTTP_HX_REQUEST="true",
    )
    assert 'id="coordinator-suggestion"' in response.text
    assert "Sam Sales" in response.text and "<form" not in response.text


@pytest.fixture
def conflict(member, departments):
    return services.conflict_raise(
        title="Demo units",
        description="Both regions book them.",
        departments=[departments["SALES-N"], departments["SALES-S"]],
        raised_by=member,
    )


def test_settling_needs_a_settlement_text(conflict, sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("conflict-settle", args=[conflict.pk]), {"settlement": "  ", "decisions": "x"}
    )
    assert response.status_code == 200
    assert "A settled conflict needs a settlement text." in response.text
    conflict.refresh_from_db()
    assert (conflict.status, conflict.decisions, conflict.settled_at) == ("open", "", None)


def test_the_coordinator_settles_and_records_the_duties_it_changed(
    conflict, sales_manager, member, client_for, demo_duties
):
    duty = Duty.objects.get(title="Visit customers in the northern region")
    response = client_for(sales_manager).post(
        reverse("conflict-settle", args=[conflict.pk]),
        {
            "settlement": "Shared calendar.",
            "decisions": "Two weeks each.",
            "changed_duties": [duty.pk],
        },
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == "settled" and conflict.settled_by == sales_manager
    assert list(conflict.changed_duties.all()) == [duty]
    detail = client_for(member).get(conflict.get_absolute_url())
    assert "Shared calendar." in detail.text and duty.title in detail.text
    # Settled is final: no second settlement, no more edits.
    again = client_for(sales_manager).post(
        reverse("conflict-settle", args=[conflict.pk]), {"settlement": "Other"}
    )
    assert again.status_code == 302
    assert Conflict.objects.get().settlement == "Shared calendar."


def test_only_the_coordinator_or_an_admin_settles(
    conflict, member, production_manager, hr, client_for
):
    for user in (member, production_manager, hr):  # member raised it but does not settle it
        response = client_for(user).post(
            reverse("conflict-settle", args=[conflict.pk]), {"settlement": "Mine."}
        )
        assert response.status_code == 403
    assert Conflict.objects.get().status == "open"


def test_the_raiser_updates_the_status_but_cannot_settle_through_the_edit_form(
    conflict, member, departments, client_for
):
    data = {
        "title": "Demo units (both regions)",
        "description": "x",
        "departments": [departments["SALES-N"].pk, departments["SALES-S"].pk],
        "status": "mediation",
    }
    response = client_for(member).post(reverse("conflict-edit", args=[conflict.pk]), data)
    assert response.status_code == 302
    assert Conflict.objects.get().status == "mediation"
    response = client_for(member).post(
        reverse("conflict-edit", args=[conflict.pk]), {**data, "status": "settled"}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert Conflict.objects.get().status == "mediation"


def test_open_conflicts_show_on_the_departments_pages(conflict, sales_manager, member, client_for):
    page = client_for(member).get(reverse("department-detail", args=["SALES-N"]))
    assert conflict.title in page.text
    services.conflict_settle(conflict=conflict, settlement="Done.", decisions="", by=sales_manager)
    page = client_for(member).get(reverse("department-detail", args=["SALES-N"]))
    assert page.context["open_conflicts"] == []
    assert page.context["settled_conflicts"] == [Conflict.objects.get()]
