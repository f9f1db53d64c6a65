"""What a matrix page, a cell edit and the findings page cost (issue 13): the same
number of queries for a small and a larger department, within the targets; the markup a
page of 50 rows needs and no list of the organisation's roles; the findings page and
`findings --format json` read stored findings in raci's order a page (a chunk) at a time.
"""

from __future__ import annotations

import importlib
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from orgmap.models import Department, Role
from responsibilities import findings_rebuild, raci, selectors
from responsibilities.models import Assignment, Duty, Finding
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _statements(captured) -> list[str]:
    # Savepoints exist only because the test runs inside a transaction.
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _grow(department: Department, roles: list[Role], count: int, start: int = 0) -> None:
    """`count` more duties, each with one or two cells (bulk: no signals), then the
    stored findings rebuilt."""
    duties = Duty.objects.bulk_create(
        Duty(title=f"Task {i:04d}", title_key=f"task {i:04d}", department=department)
        for i in range(start, start + count)
    )
    now = timezone.now()
    cells = []
    for i, duty in enumerate(duties):
        cells.append(Assignment(duty=duty, role=roles[i % len(roles)], letter="A", updated_at=now))
        if i % 3:
            other = roles[(i + 1) % len(roles)]
            cells.append(Assignment(duty=duty, role=other, letter="R", updated_at=now))
    Assignment.objects.bulk_create(cells)
    findings_rebuild.findings_rebuild()


@pytest.fixture
def ops():
    department = factories.DepartmentFactory(code="OPS", name="Operations")
    roles = [
        factories.RoleFactory(department=department, title=f"Operator {i:02d}") for i in range(40)
    ]
    department.head = roles[0]
    department.save()
    return department, roles


def _costs(client, department: Department, duty: Duty, role: Role) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as page:
        response = client.get(reverse("department-matrix", args=[department.code]))
    assert response.status_code == 200
    version = (
        Assignment.objects.filter(duty=duty, role=role).values_list("version", flat=True).first()
    )
    letter = "I" if version and version % 2 else "C"  # always a change: C, I, C…
    with CaptureQueriesContext(connection) as edit:
        response = client.post(
            reverse("matrix-cell", args=[duty.pk, role.pk]),
            {"letter": letter, "version": version or 0, "scope": f"department:{department.code}"},
            headers=HTMX,
        )
    assert response.status_code == 200
    return len(_statements(page)), len(_statements(edit))


def _small_and_large(client, ops) -> tuple[tuple[int, int], tuple[int, int]]:
    department, roles = ops
    _grow(department, roles, 12)
    duty = Duty.objects.select_related("department").get(title="Task 0005")
    role = roles[7]
    client.get(reverse("profile"))  # the session in the cache, as after any first page
    _costs(client, department, duty, role)  # a new cell: the history's version once
    small = _costs(client, department, duty, role)
    _grow(department, roles, 400, start=12)
    large = _costs(client, department, duty, role)
    return small, large


def test_org_admin_matrix_page_and_cell_edit_cost_the_same_for_12_and_412_duties(
    admin_user, client_for, ops
):
    small, large = _small_and_large(client_for(admin_user), ops)
    assert small == large, "the cost grew with the department"
    page, edit = large
    # The user with the profile (the session comes from the cache); the departments;
    # the 50 rows with their total, their cells, the columns' roles, their stored
    # findings, the summary; the projects of the filter and of the add-a-duty form (one
    # query); the notification bell.
    assert page <= 9
    # The user with the profile; the duty (with its department's head); the role (with
    # its load); the duty's cells (locked); update; history; the summary. C <-> I
    # changes no finding, so none is rewritten; an edit that does replaces the duty's
    # and the role's findings in one more statement on PostgreSQL (two on SQLite:
    # test_findings_store).
    assert edit <= 7


def test_manager_matrix_page_and_cell_edit_cost_the_same_for_12_and_412_duties(client_for, ops):
    manager = factories.UserFactory(username="ops.manager")
    factories.grant_manage(manager, ops[0])
    small, large = _small_and_large(client_for(manager), ops)
    assert small == large, "the cost grew with the department"
    page, edit = large
    # As the org admin's, plus the permission module's lookups, once per request: the
    # groups, the two grant tables and the department tree.
    assert page <= 13
    assert edit <= 11


def test_signed_in_requests_read_no_session_row_and_no_separate_profile(
    member, client_for, django_assert_max_num_queries
):
    client = client_for(member)
    client.get(reverse("profile"))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("profile")).status_code == 200
    tables = " ".join(captured_query["sql"] for captured_query in captured.captured_queries)
    assert "django_session" not in tables  # cached_db: the cache answers
    first = captured.captured_queries[0]["sql"]
    assert '"auth_user"' in first and '"orgmap_profile"' in first  # one query for both
    assert tables.count('FROM "orgmap_profile"') == 0


def test_matrix_page_markup_is_what_its_rows_need(admin_user, client_for, ops):
    department, roles = ops
    _grow(department, roles, 60)
    html = client_for(admin_user).get(reverse("department-matrix", args=["OPS"])).text
    cells = html.count('<td class="cell')
    assert cells == 50 * html.count('class="role-head')
    # No per-cell htmx attributes, set URLs or repeated duty titles: matrix.js
    # delegates; the labels point at the headers.
    assert "hx-get" not in html.split("<tbody>")[1].split("</tbody>")[0]
    assert "data-set-url" not in html
    assert not re.search(r'<td class="cell[^>]*Task', html)  # titles only in the headers
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    assert len(table) / cells < 260
    # No list of the organisation's roles: the column picker is a combobox that asks.
    assert 'hx-get="/matrix/roles/"' in html
    assert "Operator 39</option>" not in html


def test_matrix_cells_keep_the_page_address_only_when_it_has_filters(admin_user, client_for, ops):
    department, roles = ops
    _grow(department, roles, 3)
    client = client_for(admin_user)
    plain = client.get(reverse("department-matrix", args=["OPS"])).text
    assert "?next=" not in plain  # the cell page's way back finds the duty's page
    filtered = client.get(reverse("department-matrix", args=["OPS"]) + "?findings=1").text
    assert "?next=%2Fdepartments%2FOPS%2Fmatrix%2F%3Ffindings%3D1" in filtered


# ------------------------------------------------------------------ findings page


def _findings(count: int, code: str = "ACME") -> Department:
    """A department with `count` duties that nobody is accountable or responsible for
    (two findings each) and an idle role."""
    department = factories.DepartmentFactory(code=code, name=code.title())
    factories.RoleFactory(department=department, title="Idle")
    Duty.objects.bulk_create(
        Duty(title=title, title_key=title.casefold(), department=department)
        for title in (f"Duty {i:04d}" for i in range(count))
    )
    findings_rebuild.findings_rebuild()
    return department


def test_findings_page_cost_does_not_grow_with_the_findings(
    member, client_for, django_assert_max_num_queries
):
    client = client_for(member)
    client.get(reverse("profile"))
    _findings(5)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("findings"))
    _findings(450, code="BIG")
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("findings"))
    # The user with the profile, the summary, the page's rows, the departments, the
    # projects, the permission groups (the menu), the notification bell.
    assert len(small.captured_queries) == len(large.captured_queries) <= 8
    assert response.context["total"] == Finding.objects.count() > 900
    # The page holds a page of findings; the rest are not even read.
    assert sum(len(r["findings"]) for g in response.context["groups"] for r in g["rules"]) == 200
    sql = " ".join(q["sql"] for q in large.captured_queries)
    assert "LIMIT 200" in sql


def test_findings_pages_follow_raci_order_and_filters(member, client_for):
    _findings(150)
    Finding.objects.exclude(department__code="ACME").delete()  # only Acme's: 301
    everything = selectors.stored_findings(selectors.Scope())
    client = client_for(member)
    shown = []
    for number in (1, 2):
        page = client.get(reverse("findings") + f"?page={number}")
        shown += [f for g in page.context["groups"] for r in g["rules"] for f in r["findings"]]
    assert shown == everything
    first = everything[0]
    text = client.get(reverse("findings")).text
    assert f'<a href="{reverse("duty-detail", args=[first.duty_id])}">' in text
    matrix = reverse("department-matrix", args=["ACME"])
    assert f'href="{matrix}?focus={first.duty_id}#duty-{first.duty_id}"' in text
    errors = client.get(reverse("findings") + "?severity=error&rule=NO_RESPONSIBLE")
    assert errors.context["total"] == 150
    assert errors.context["summary"][raci.NO_ACCOUNTABLE] == 150  # the scope's counts
    assert client.get(reverse("findings") + "?page=99").context["page"].number == 2
    none = client.get(reverse("findings") + "?severity=error&rule=ROLE_WITHOUT_DUTIES")
    assert none.context["total"] == 0 and none.context["groups"] == []


def test_findings_json_is_what_json_dumps_of_the_whole_list_writes():
    department = _findings(7)
    expected = selectors.stored_findings(selectors.Scope())
    out = StringIO()
    call_command("findings", format="json", stdout=out)
    assert out.getvalue() == (
        json.dumps([f.as_dict() for f in expected], ensure_ascii=False, indent=2) + "\n"
    )
    Finding.objects.all().delete()
    Duty.objects.filter(department=department).delete()
    Role.objects.filter(department=department).delete()
    out = StringIO()
    call_command("findings", format="json", stdout=out)
    assert out.getvalue() == "[]\n"


TRICKY = ["a", "A", "b", "a b", "a-b", "ab", "Ab", "Äb", "ä", "z", "编制", "编制、审核", "É", "e"]


def test_stored_findings_are_paged_in_raci_order_whatever_the_titles():
    """Mixed case, accents, punctuation and Chinese: the database's order (a binary
    collation, also on a PostgreSQL database with a linguistic one) is raci's."""
    department = factories.DepartmentFactory(code="MIX")
    for index, title in enumerate(TRICKY):
        Duty.objects.create(title=f"{title} {index}" if index % 2 else title, department=department)
    expected = selectors.stored_findings(selectors.Scope())
    assert len(expected) == 2 * len(TRICKY)
    with CaptureQueriesContext(connection) as captured:
        assert list(selectors.iter_stored_findings(selectors.Scope(), chunk_size=5)) == expected
    if connection.vendor == "postgresql":
        assert 'COLLATE "C"' in captured.captured_queries[-1]["sql"]
    page = selectors.stored_findings_page(selectors.Scope(), page_number=2, per_page=10)
    assert page.page.object_list == expected[10:20]


_role_refs = st.builds(
    raci.RoleRef,
    id=st.integers(1, 10**6),
    title=st.text(max_size=8),
    department_id=st.just(1),
    department_code=st.sampled_from(["A", "B", "b"]),
    active=st.just(True),
    vacant=st.just(False),
)
_findings_strategy = st.builds(
    raci.Finding,
    rule=st.sampled_from(list(raci.RULES)),
    severity=st.just("warning"),
    department_id=st.just(1),
    department_code=st.sampled_from(["A", "AB", "B", "b", "编"]),
    project_id=st.none(),
    project_code=st.none(),
    duty_id=st.one_of(st.none(), st.integers(1, 10**6)),
    duty_title=st.one_of(
        st.none(), st.text(st.characters(min_codepoint=2, exclude_categories=["Cs"]), max_size=8)
    ),
    roles=st.lists(_role_refs, max_size=3).map(tuple),
    message=st.just(""),
    suggestion=st.just(""),
)


@pytest.mark.django_db(False)
@given(st.lists(_findings_strategy, max_size=12))
def test_reading_key_orders_as_sort_findings(findings):
    assert sorted(findings, key=raci.reading_key) == raci.sort_findings(findings)


def test_the_migration_keys_existing_findings_as_raci_does():
    _findings(3)
    migration = importlib.import_module("responsibilities.migrations.0010_finding_sort_key")
    # 0014 moved the role rules one place down (UNCONFIRMED_ACCOUNTABILITY before them).
    moved = importlib.import_module(
        "responsibilities.migrations.0014_unconfirmed_accountability_order"
    )
    for row in Finding.objects.all():
        assert moved.shifted(row.rule, migration._key(row)) == row.sort_key


@pytest.fixture
def missed_lookups(monkeypatch):
    """Counts the template variables a render asks for and does not find: Django tries
    four ways before giving up (key, attribute, `dir()`, index), ten times the cost of
    one it finds."""
    from django.template import base

    missed: list[str] = []
    resolve = base.Variable._resolve_lookup

    def counting(self, context):
        try:
            return resolve(self, context)
        except base.VariableDoesNotExist:
            missed.append(self.var)
            raise

    monkeypatch.setattr(base.Variable, "_resolve_lookup", counting)
    return missed


def test_matrix_and_findings_pages_miss_no_template_variable_per_row(
    admin_user, client_for, ops, missed_lookups
):
    department, roles = ops
    _grow(department, roles, 60)
    client = client_for(admin_user)
    for url in (reverse("department-matrix", args=[department.code]), reverse("findings")):
        missed_lookups.clear()
        assert client.get(url).status_code == 200
        # A few, once per page (a draft's banner, the optional back link): not per row,
        # per column or per finding (a page had ~300).
        assert len(missed_lookups) <= 5, sorted(set(missed_lookups))
