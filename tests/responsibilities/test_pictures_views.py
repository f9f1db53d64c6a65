"""The pictures' pages: who may open them, what htmx gets, the exports, bad input."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibilities.pictures import snapshots

from .test_pictures import build_org

pytestmark = pytest.mark.django_db

PAGES = [
    "/pictures/orgchart/",
    "/pictures/heatmaps/",
    "/pictures/findings-trend/",
    "/pictures/orgchart.svg",
]


@pytest.fixture
def org(db):
    return build_org()


@pytest.mark.parametrize("url", [*PAGES, "/pictures/orgchart/departments/SALES/"])
def test_anonymous_is_sent_to_the_login_page(client_for, anonymous, org, url):
    response = client_for(anonymous).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", PAGES)
def test_a_member_reads_every_picture_and_may_not_post(client_for, member, org, url):
    client = client_for(member)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_chart_starts_collapsed_and_shows_badges(client_for, member, org):
    response = client_for(member).get("/pictures/orgchart/")
    html = response.content.decode()
    assert 'aria-expanded="false"' in html and 'aria-expanded="true"' not in html
    assert "Sales Representative" not in html  # roles load on demand
    assert "org-badge-gap" in html and "org-badge-overload" in html


def test_a_branch_for_htmx_lists_roles_and_holders(client_for, member, org):
    response = client_for(member).get(
        "/pictures/orgchart/departments/sales/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Ada Head" in html and "Sales Representative" in html and "vacant" in html


def test_a_branch_without_htmx_opens_it_in_the_chart(client_for, member, org):
    response = client_for(member).get("/pictures/orgchart/departments/SALES/")
    assert response.status_code == 302
    assert response["Location"] == f"/pictures/orgchart/?open=SALES#dept-{org['sales'].pk}"
    page = client_for(member).get(response["Location"]).content.decode()
    assert "Sales Representative" in page and 'aria-expanded="true"' in page


def test_unknown_departments_are_not_found_or_ignored(client_for, member, org):
    client = client_for(member)
    assert client.get("/pictures/orgchart/departments/NOPE/").status_code == 404
    assert client.get("/pictures/heatmaps/?department=NOPE").status_code == 404
    assert client.get("/pictures/findings-trend/?department=NOPE").status_code == 404
    # Unknown codes to open, a huge or odd search: the chart, never a 500.
    for query in ["?open=NOPE&open=", "?q=" + "x" * 5000, "?q=%25_%5C", "?open=" + "S" * 500]:
        assert client.get("/pictures/orgchart/" + query).status_code == 200, query
    assert client.get("/pictures/orgchart/?q=%00").status_code == 400  # request_guard


def test_search_marks_the_match_for_focus(client_for, member, org):
    html = client_for(member).get("/pictures/orgchart/?q=planner").content.decode()
    assert f'data-focus="role-{org["planner"].pk}"' in html
    assert "1 match for" in html


def test_svg_and_pdf_exports(client_for, member, org):
    client = client_for(member)
    picture = client.get("/pictures/orgchart.svg")
    assert picture["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in picture["Content-Disposition"]
    assert b"Production Planner" in picture.content and b"<svg" in picture.content
    document = client.get("/pictures/orgchart.pdf")
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")


def test_a_pdf_that_fails_says_so(client_for, member, org, monkeypatch):
    from responsibilities.pdf import PdfRenderTimeout
    from responsibilities.views import pictures

    def too_slow(html, **kwargs):
        raise PdfRenderTimeout("slow")

    monkeypatch.setattr(pictures, "render_pdf", too_slow)
    response = client_for(member).get("/pictures/orgchart.pdf")
    assert response.status_code == 503
    assert "SVG" in response.content.decode()


def test_heatmap_page_marks_the_overloaded_role(client_for, member, org, settings):
    settings.RACI_OVERLOAD_LIMIT = 2
    html = client_for(member).get("/pictures/heatmaps/?department=PROD").content.decode()
    assert "Production Planner" in html and "overloaded" in html
    assert 'id="pair-heatmap"' in html


def test_trend_for_htmx_is_the_fragment_for_the_findings_page(client_for, member, org):
    today = timezone.localdate()
    snapshots.findings_snapshot_take(day=today - datetime.timedelta(days=7))
    snapshots.findings_snapshot_take(day=today)
    client = client_for(member)
    fragment = client.get(
        "/pictures/findings-trend/?department=SALES", headers={"HX-Request": "true"}
    )
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'id="findings-trend"' in html and "<svg" in html
    findings = client.get("/findings/?department=SALES").content.decode()
    assert 'hx-get="/pictures/findings-trend/?department=SALES"' in findings


def test_pictures_speak_chinese(client_for, member, org):
    client = client_for(member)
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    html = client.get("/pictures/orgchart/").content.decode()
    assert 'lang="zh-hans"' in html
