"""A matrix page's rows and cells, read in plain SQL (matrix_page._page_rows, _cells),
are what the ORM's formulation reads: for a department, a project and the whole
organisation, with the project filter and "only rows with findings", on every page."""

from __future__ import annotations

import pytest

from responsibilities import matrix_page, raci, selectors, services
from responsibilities.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    ops = factories.DepartmentFactory(code="OPS", name="Operations")
    launch = factories.ProjectFactory(code="LAUNCH", name="Launch", departments=[sales, ops])
    seller = factories.RoleFactory(department=sales, title="Seller")
    planner = factories.RoleFactory(department=ops, title="Planner")
    titles = ["b duty", "A duty", "apple", "Zeta", "ä umlaut", "b duty 2", "会计"]
    for index, title in enumerate(titles):
        for department, role in ((sales, seller), (ops, planner)):
            duty = factories.DutyFactory(
                department=department,
                title=title,
                project=launch if index % 3 == 0 and department is sales else None,
                active=index != 4,
                frequency="monthly" if index % 2 else "",
            )
            if index % 2:  # every other duty has a gap: a finding
                services.assignment_set(
                    duty=duty, role=role, letter=raci.AR, expected_version=0, by=None
                )
            else:
                services.assignment_set(
                    duty=duty, role=role, letter=raci.C, expected_version=0, by=None
                )
    return {"sales": sales, "ops": ops, "launch": launch}


def _orm_page(scope, project_filter, only_findings, number, per_page) -> list[dict]:
    duties = matrix_page._duties(scope, project_filter, only_findings)
    total = duties.count()
    start = (number - 1) * per_page
    rows = list(duties.values(*matrix_page._DUTY_VALUES)[start : start + per_page])
    return [{**row, "total": total} for row in rows]


def test_the_rows_of_every_page_are_the_orms(org):
    scopes = [
        selectors.Scope(department=org["sales"]),
        selectors.Scope(project=org["launch"]),
        selectors.Scope(),
    ]
    checked = 0
    for scope in scopes:
        for project_filter in (None, org["launch"]):
            for only_findings in (False, True):
                filters = matrix_page._duties_sql(scope, project_filter, only_findings)
                for number in (1, 2, 3, 9):
                    ours = matrix_page._page_rows(filters, number, 3)
                    assert ours == _orm_page(scope, project_filter, only_findings, number, 3)
                    checked += len(ours)
    assert checked > 30


def test_the_cells_are_the_orms(org):
    duty_ids = list(Assignment.objects.values_list("duty_id", flat=True))
    ours = matrix_page._cells(duty_ids[:5])
    orm = Assignment.objects.filter(duty_id__in=duty_ids[:5]).values(
        "duty_id", "role_id", "letter", "version"
    )
    key = lambda cell: (cell["duty_id"], cell["role_id"])  # noqa: E731
    assert sorted(ours, key=key) == sorted(orm, key=key) and len(ours) == 5
    assert matrix_page._cells([]) == []
