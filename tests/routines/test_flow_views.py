"""Information flows: the form, a department's interfaces and the picture."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from orgmap.models import Role
from responsibilities.models import InformationFlow

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def _post(departments, **fields) -> dict:
    data = {
        "from_department": departments["SALES"].pk,
        "to_department": departments["PROD"].pk,
        "information": "Order details",
        "channel": "system",
        "system_name": "ERP",
        "frequency": "daily",
        "active": "on",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_records_a_flow_and_sees_it_on_both_interfaces_pages(
    sales_manager, member, departments, client_for
):
    response = client_for(sales_manager).post(reverse("flow-create"), _post(departments))
    assert response.status_code == 302
    flow = InformationFlow.objects.get()
    assert (flow.created_by, flow.channel_label) == (sales_manager, "ERP")
    sales = client_for(member).get(reverse("department-interfaces", args=["SALES"]))
    production = client_for(member).get(reverse("department-interfaces", args=["PROD"]))
    assert "Order details" in sales.text
    assert sales.context["interfaces"].gives == [flow]
    assert production.context["interfaces"].receives == [flow]


def test_a_flow_to_the_same_department_is_refused_with_a_message(
    sales_manager, departments, client_for
):
    response = client_for(sales_manager).post(
        reverse("flow-create"), _post(departments, to_department=departments["SALES"].pk)
    )
    assert response.status_code == 200
    assert "from one department to another, not to itself" in response.text
    assert not InformationFlow.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"information": ""}, "Say what information is handed over."),
        ({"channel": "system", "system_name": ""}, "Name the system the information goes through."),
        ({"frequency": "hourly"}, "Select a valid choice"),
        (
            {"from_role": "HEAD_OF_PROD"},
            "The role must belong to the department the flow comes from.",
        ),
    ],
)
def test_bad_flow_input_gives_a_message_and_saves_nothing(
    fields, message, sales_manager, departments, client_for
):
    if fields.get("from_role") == "HEAD_OF_PROD":
        fields = {"from_role": Role.objects.get(title="Production Manager").pk}
    response = client_for(sales_manager).post(reverse("flow-create"), _post(departments, **fields))
    assert response.status_code == 200
    assert message in response.text
    assert not InformationFlow.objects.exists()


def test_a_manager_records_only_flows_touching_their_departments(
    sales_manager, departments, client_for
):
    response = client_for(sales_manager).post(
        reverse("flow-create"),
        _post(departments, from_department=departments["FIN"].pk),
    )
    assert response.status_code == 200
    assert "only record flows to or from a department you manage" in response.text
    assert not InformationFlow.objects.exists()


def test_managers_of_either_end_edit_a_flow_others_may_not(
    make_flow, sales_manager, production_manager, hr, departments, client_for
):
    flow = make_flow("SALES", "PROD")
    for user in (sales_manager, production_manager):
        response = client_for(user).post(
            reverse("flow-edit", args=[flow.pk]), _post(departments, information="Orders v2")
        )
        assert response.status_code == 302
    assert InformationFlow.objects.get().information == "Orders v2"
    response = client_for(hr).post(reverse("flow-edit", args=[flow.pk]), _post(departments))
    assert response.status_code == 403
    assert "Only the managers of Sales or Production" in response.text


def test_htmx_submit_swaps_the_form_in_place(sales_manager, departments, client_for):
    response = client_for(sales_manager).post(
        reverse("flow-create"), _post(departments, information=""), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<form")


def test_the_picture_draws_departments_on_a_circle_with_counted_arrows(
    make_flow, member, client_for
):
    make_flow("SALES", "PROD")
    make_flow("SALES", "PROD", "Delivery dates requested")
    make_flow("PROD", "SALES", "Production schedule and progress")
    make_flow("CS", "PROD", "Complaints")
    response = client_for(member).get(reverse("flow-map"))
    assert response.status_code == 200
    svg = re.search(r'<svg[^>]*id="flow-map".*?</svg>', response.text, re.S).group(0)
    assert svg.count('r="34"') == 3  # three departments take part
    arrows = response.context["map"].arrows
    assert sorted(a.edge.count for a in arrows) == [1, 1, 2]
    # The two directions between Sales and Production bend to opposite sides.
    sales_prod = [
        a for a in arrows if {a.edge.source.code, a.edge.target.code} == {"SALES", "PROD"}
    ]
    assert len({a.path for a in sales_prod}) == 2
    assert "<script" not in svg and "style=" not in svg
    assert "Production schedule and progress" in svg  # in the arrow's title
    assert reverse("department-interfaces", args=["CS"]) in svg


def test_the_picture_with_no_flows_says_so(member, client_for):
    response = client_for(member).get(reverse("flow-map"))
    assert "nothing to draw" in response.text
