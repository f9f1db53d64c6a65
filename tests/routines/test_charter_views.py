"""Team charters: written by the team's managers, shown sanitised on its page."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from collaboration.routines.models import Charter

pytestmark = pytest.mark.django_db

HOSTILE = (
    "We **ship** orders the same day.<script>alert('x')</script>"
    '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">click</a>'
)


def test_a_manager_writes_the_charter_and_it_is_shown_sanitised(sales_manager, member, client_for):
    response = client_for(sales_manager).post(
        reverse("department-charter", args=["SALES"]),
        {"purpose": HOSTILE, "values": "- One voice\n- Honest forecasts", "working_agreements": ""},
    )
    assert response.status_code == 302
    assert Charter.objects.get().purpose == HOSTILE  # stored as typed
    page = client_for(member).get(reverse("department-detail", args=["SALES"]))
    assert "<strong>ship</strong>" in page.text
    assert "<li>One voice</li>" in page.text
    for forbidden in ("<script>alert", "onerror", "javascript:alert"):
        assert forbidden not in page.text


def test_saving_again_replaces_the_charter(sales_manager, client_for):
    client = client_for(sales_manager)
    url = reverse("department-charter", args=["SALES"])
    client.post(url, {"purpose": "First."})
    client.post(url, {"purpose": "Second."})
    assert list(Charter.objects.values_list("purpose", flat=True)) == ["Second."]
    assert "Second." in client.get(url).text  # the form shows the current text


def test_a_charter_needs_a_purpose(sales_manager, client_for):
    response = client_for(sales_manager).post(
        reverse("department-charter", args=["SALES"]), {"purpose": "", "values": "x"}
    )
    assert response.status_code == 200
    assert "State the team's purpose." in html.unescape(response.text)
    assert not Charter.objects.exists()


def test_project_charter_by_its_coordinator_only(coordinator, sales_manager, client_for):
    url = reverse("project-charter", args=["LAUNCH"])
    assert client_for(sales_manager).post(url, {"purpose": "x"}).status_code == 403
    assert client_for(coordinator).post(url, {"purpose": "Launch on time."}).status_code == 302
    page = client_for(sales_manager).get(reverse("project-detail", args=["LAUNCH"]))
    assert "Launch on time." in page.text
