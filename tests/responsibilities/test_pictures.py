"""Pictures of the organisation (issue 18): the findings snapshot and its trend, the
heatmaps and the org chart, read from factories' data (never the demo)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgmap.models import Department
from responsibilities import findings_store, matrix_history, raci, selectors
from responsibilities.findings_rebuild import findings_rebuild
from responsibilities.models import Assignment, Finding, FindingSnapshot
from responsibilities.pictures import heatmaps, orgchart, snapshots, svg, trend
from responsibilities.tasks import findings_snapshot
from tests import factories

pytestmark = pytest.mark.django_db


def build_org(prefix: str = "", *, extra_roles: int = 0, extra_duties: int = 0) -> dict:
    """Headquarters with Sales and Production below it. Sales: a duty with nobody
    accountable (a gap whose fix is the head's cell), a duty with two accountable roles
    (an overlap), a duty shared with Production and no flow (a missing hand-off); a
    vacant role; Production's planner overloaded by a limit of 2 (see the fixture)."""
    hq = factories.DepartmentFactory(code=f"{prefix}HQ", name=f"{prefix}Headquarters")
    sales = factories.DepartmentFactory(code=f"{prefix}SALES", name=f"{prefix}Sales", parent=hq)
    prod = factories.DepartmentFactory(code=f"{prefix}PROD", name=f"{prefix}Production", parent=hq)
    head = factories.RoleFactory(department=sales, title="Head of Sales")
    sales.head = head
    sales.save()
    rep = factories.RoleFactory(department=sales, title="Sales Representative")  # vacant
    planner = factories.RoleFactory(department=prod, title="Production Planner")
    factories.hold(factories.UserFactory(display_name="Ada Head"), head)
    factories.hold(factories.UserFactory(display_name="Pat Planner"), planner)
    contracts = factories.DutyFactory(department=sales, title="Negotiate contracts")
    factories.AssignmentFactory(duty=contracts, role=rep, letter="R")
    prices = factories.DutyFactory(department=sales, title="Set prices")
    factories.AssignmentFactory(duty=prices, role=head, letter="A")
    factories.AssignmentFactory(duty=prices, role=rep, letter="A")
    forecast = factories.DutyFactory(department=sales, title="Forecast demand")
    factories.AssignmentFactory(duty=forecast, role=head, letter="A")
    factories.AssignmentFactory(duty=forecast, role=planner, letter="R")
    for n in range(3):
        duty = factories.DutyFactory(department=prod, title=f"Plan line {n}")
        factories.AssignmentFactory(duty=duty, role=planner, letter="AR")
    for n in range(extra_roles):
        role = factories.RoleFactory(department=sales, title=f"Extra role {n}")
        factories.hold(factories.UserFactory(), role)
    for n in range(extra_duties):
        duty = factories.DutyFactory(department=prod, title=f"Extra duty {n}")
        factories.AssignmentFactory(duty=duty, role=head, letter="C")
        factories.AssignmentFactory(duty=duty, role=planner, letter="I")
    findings_rebuild()  # factories write cells without the service
    return {
        "hq": hq,
        "sales": sales,
        "prod": prod,
        "head": head,
        "rep": rep,
        "planner": planner,
        "contracts": contracts,
        "prices": prices,
        "forecast": forecast,
    }


@pytest.fixture(autouse=True)
def _low_overload_limit(settings):
    settings.RACI_OVERLOAD_LIMIT = 2


@pytest.fixture
def org(db):
    return build_org()


# ------------------------------------------------------------------ snapshots


def _summary(department=None) -> dict[str, int]:
    return selectors.stored_summary(selectors.Scope(department=department))


def _snapshot_counts(day, department=None) -> dict[str, int]:
    return {
        rule: count
        for rule, count in FindingSnapshot.objects.filter(
            date=day, department=department
        ).values_list("rule", "count")
        if count
    }


def test_snapshot_counts_equal_the_findings_of_the_day_per_scope(org):
    today = timezone.localdate()
    snapshots.findings_snapshot_take()
    assert _snapshot_counts(today) == _summary()
    for department in Department.objects.all():
        assert _snapshot_counts(today, department) == _summary(department)
    assert _summary(org["sales"])  # the fixture has findings to count
    # The organisation has a row for every rule, zeros included: the day is known.
    assert FindingSnapshot.objects.filter(date=today, department=None).count() == len(raci.RULES)


def test_snapshot_is_idempotent_per_day(org):
    today = timezone.localdate()
    first = snapshots.findings_snapshot_take()
    rows = set(FindingSnapshot.objects.values_list("date", "department", "rule", "count"))
    assert snapshots.findings_snapshot_take() == first
    assert findings_snapshot.delay().get() == first  # the beat job, eager in unit tests
    assert set(FindingSnapshot.objects.values_list("date", "department", "rule", "count")) == rows
    assert FindingSnapshot.objects.count() == len(rows)
    # A later snapshot of the same day replaces the day's rows with the new state.
    Assignment.objects.create(
        duty=org["contracts"], role=org["head"], letter="A", updated_at=timezone.now()
    )
    findings_store.findings_refresh(duty_ids=[org["contracts"].pk], role_ids=[org["head"].pk])
    snapshots.findings_snapshot_take()
    assert _snapshot_counts(today, org["sales"]) == _summary(org["sales"])
    assert (
        FindingSnapshot.objects.filter(
            date=today, department=org["sales"], rule=raci.NO_ACCOUNTABLE
        ).count()
        == 0
    )


def test_snapshots_of_other_days_and_scopes_are_kept_apart(org):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    snapshots.findings_snapshot_take(day=yesterday)
    snapshots.findings_snapshot_take(day=today)
    snapshots.findings_snapshot_take(day=today)
    for day in (yesterday, today):
        assert _snapshot_counts(day) == _summary()
        assert _snapshot_counts(day, org["sales"]) == _summary(org["sales"])
        assert _snapshot_counts(day, org["prod"]) == _summary(org["prod"])
    # One row per day, scope and rule.
    keys = list(FindingSnapshot.objects.values_list("date", "department", "rule"))
    assert len(keys) == len(set(keys))


def test_trend_counts_equal_the_findings_of_each_day_and_name_what_changed(org):
    today = timezone.localdate()
    week_ago = today - datetime.timedelta(days=7)
    snapshots.findings_snapshot_take(day=week_ago)
    before = _summary(org["sales"])
    # Fix the gap: the head becomes accountable for the contracts.
    Assignment.objects.create(
        duty=org["contracts"], role=org["head"], letter="A", updated_at=timezone.now()
    )
    findings_store.findings_refresh(duty_ids=[org["contracts"].pk], role_ids=[org["head"].pk])
    snapshots.findings_snapshot_take(day=today)
    after = _summary(org["sales"])

    picture = trend.findings_trend(department=org["sales"])
    assert picture.latest_day == today and picture.base_day == week_ago
    by_rule = {rule.rule: rule for rule in picture.rules}
    for rule in set(before) | set(after):
        assert by_rule[rule].latest == after.get(rule, 0)
        assert by_rule[rule].base == before.get(rule, 0)
        assert [bar.count for bar in by_rule[rule].bars if bar.day == week_ago] == [
            before.get(rule, 0)
        ]
    # Days without a snapshot have no bar.
    assert [
        bar.count
        for bar in by_rule[raci.NO_ACCOUNTABLE].bars
        if bar.day == week_ago + datetime.timedelta(days=1)
    ] == [None]
    assert [(c.rule, c.label) for c in picture.closed] == [
        (raci.NO_ACCOUNTABLE, "Negotiate contracts")
    ]
    assert picture.closed_count == 1
    # The whole organisation's trend counts the same findings.
    organisation = trend.findings_trend()
    assert {r.rule: r.latest for r in organisation.rules if r.latest} == _summary()


def test_trend_without_snapshots_is_empty(org):
    picture = trend.findings_trend()
    assert not picture.has_data and picture.opened == [] and picture.closed == []


# ------------------------------------------------------------------ heatmaps


def test_role_heatmap_counts_equal_the_matrix(org):
    matrix = matrix_history.matrix(selectors.Scope())
    expected: dict[int, dict[str, int]] = {}
    for row in matrix.rows:
        if not row.duty["active"]:
            continue
        for role_id, cell in row.assigned.items():
            counts = expected.setdefault(role_id, dict.fromkeys(heatmaps.LETTER_COLUMNS, 0))
            letter = cell["letter"]
            for column in heatmaps.LETTER_COLUMNS:
                if letter == column or (letter == raci.AR and column in (raci.A, raci.R)):
                    counts[column] += 1
    for department in (org["sales"], org["prod"]):
        picture = heatmaps.role_heatmap(department)
        assert picture.rows
        for row in picture.rows:
            assert row.counts == expected.get(
                row.role_id, dict.fromkeys(heatmaps.LETTER_COLUMNS, 0)
            )
    planner = next(
        r for r in heatmaps.role_heatmap(org["prod"]).rows if r.role_id == org["planner"].pk
    )
    # Three A/R duties and one R: 4 over the limit of 2, exactly as ROLE_OVERLOADED says.
    assert planner.load == 4 and planner.over
    assert (
        selectors.stored_summary(selectors.Scope(department=org["prod"]))[raci.ROLE_OVERLOADED] == 1
    )


def test_department_pairs_count_shared_duties_and_flows(org):
    factories.InformationFlowFactory(from_department=org["prod"], to_department=org["sales"])
    picture = heatmaps.department_pairs()
    index = {d.pk: n for n, d in enumerate(picture.departments)}
    cells = {owner.pk: row for owner, row in picture.rows}
    sales_prod = cells[org["sales"].pk][index[org["prod"].pk]]
    prod_sales = cells[org["prod"].pk][index[org["sales"].pk]]
    assert sales_prod.shared == 1  # the forecast: Sales owns it, the planner is R
    assert sales_prod.flows == 0 and not sales_prod.without_flow  # a flow the other way
    assert prod_sales.flows == 1 and prod_sales.shared == 0
    assert cells[org["sales"].pk][index[org["sales"].pk]] is None


# ------------------------------------------------------------------ the org chart


def test_chart_badges_count_stored_findings_and_lead_to_the_fix(org):
    chart = orgchart.org_chart()
    assert [card.code for card in chart.roots] == ["HQ"]
    sales = chart.by_pk[org["sales"].pk]
    assert sales.roles is None and not sales.open  # collapsed: no roles read
    assert sales.role_count == 2 and sales.vacant_count == 1
    summary = _summary(org["sales"])
    badges = {badge.kind: badge for badge in sales.badges}
    assert badges[orgchart.GAP].count == sum(
        summary.get(r, 0) for r in orgchart.BADGE_RULES[orgchart.GAP]
    )
    assert badges[orgchart.OVERLAP].count == summary[raci.MULTIPLE_ACCOUNTABLE]
    prod = {badge.kind: badge for badge in chart.by_pk[org["prod"].pk].badges}
    assert prod[orgchart.OVERLOAD].count == 1
    assert prod[orgchart.OVERLOAD].url == reverse("role-detail", args=[org["planner"].pk])
    # The first gap's badge leads to the matrix, filtered to the rows with findings, at
    # the cell that fixes that gap.
    first_gap = min(
        Finding.objects.filter(
            department=org["sales"], rule__in=orgchart.BADGE_RULES[orgchart.GAP], fix__isnull=False
        ),
        key=lambda finding: (list(raci.RULES).index(finding.rule), finding.pk),
    )
    assert first_gap.rule == raci.NO_ACCOUNTABLE  # the most severe gap comes first
    duty_id, role_id, _letter = first_gap.fix
    assert badges[orgchart.GAP].url == (
        reverse("department-matrix", args=["SALES"])
        + f"?findings=1&focus={duty_id}&add_role={role_id}#cell-{duty_id}-{role_id}"
    )


def test_search_opens_the_path_and_marks_the_match(org):
    chart = orgchart.org_chart(query="representative")
    assert chart.matches == 1
    assert chart.by_pk[org["hq"].pk].open and chart.by_pk[org["sales"].pk].open
    assert not chart.by_pk[org["prod"].pk].open
    roles = {role.title: role for role in chart.by_pk[org["sales"].pk].roles}
    assert roles["Sales Representative"].matched and roles["Sales Representative"].vacant
    assert roles["Head of Sales"].is_head and roles["Head of Sales"].holders == ["Ada Head"]
    assert chart.focus_id == f"role-{org['rep'].pk}"
    assert next(iter(chart.by_pk[org["sales"].pk].roles)).title == "Head of Sales"


def test_svg_lays_out_every_department_without_overlap(org):
    chart = orgchart.org_chart(open_all=True)
    boxes, width, height = svg.layout(chart)
    assert len(boxes) == 3
    for first in boxes:
        for second in boxes:
            if first is not second and first.y == second.y:
                assert first.x + svg.BOX_WIDTH <= second.x or second.x + svg.BOX_WIDTH <= first.x
        assert (
            first.x >= 0 and first.x + svg.BOX_WIDTH <= width and first.y + first.height <= height
        )
    picture, _w, _h = svg.chart_svg(chart, title="Chart <&>")
    assert picture.startswith("<svg") and "Chart &lt;&amp;&gt;" in picture
    assert "Sales Representative" in picture and "Pat Planner" in picture


# ------------------------------------------------------------------ cost


def _queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/pictures/orgchart/", {}),
        ("/pictures/orgchart/?q=sales", {}),
        ("/pictures/orgchart/?open=SALES&open=PROD", {}),
        ("/pictures/orgchart/departments/SALES/", {"HX-Request": "true"}),
        ("/pictures/heatmaps/?department=SALES", {}),
        ("/pictures/findings-trend/?department=SALES", {}),
        ("/pictures/findings-trend/", {"HX-Request": "true"}),
        ("/pictures/orgchart.svg", {}),
    ],
)
def test_picture_queries_do_not_grow_with_the_organisation(client_for, member, url, headers):
    build_org()
    today = timezone.localdate()
    snapshots.findings_snapshot_take(day=today - datetime.timedelta(days=7))
    # Something changed since (the trend names what opened).
    factories.DutyFactory(department=Department.objects.get(code="SALES"), title="First gap")
    findings_rebuild()
    snapshots.findings_snapshot_take(day=today)
    client = client_for(member)
    client.get(reverse("profile"))  # the header's cached counts, as after any first page
    small = _queries(client, url, **headers)
    build_org("B", extra_roles=15, extra_duties=30)
    for _n in range(8):
        factories.DepartmentFactory(parent=Department.objects.get(code="SALES"))
    factories.DutyFactory(department=Department.objects.get(code="SALES"), title="New gap")
    findings_rebuild()
    snapshots.findings_snapshot_take(day=today)
    assert _queries(client, url, **headers) == small
