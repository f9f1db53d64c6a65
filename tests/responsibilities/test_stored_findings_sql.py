"""The plain SQL reads of stored findings (selectors._stored_rows_of, stored_summary)
give what the ORM's formulation of the same reads gives, in both languages and on
whichever database the suite runs."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import translation

from responsibilities import raci, selectors, services
from responsibilities.models import Finding
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def findings():
    """Duty and role findings of several rules in two departments and a project."""
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    ops = factories.DepartmentFactory(code="OPS", name="Operations")
    launch = factories.ProjectFactory(code="LAUNCH", name="Launch", departments=[sales, ops])
    head = factories.RoleFactory(department=sales, title="Head of Sales")
    clerk = factories.RoleFactory(department=sales, title="Clerk “A” & <B>")
    planner = factories.RoleFactory(department=ops, title="Planner")
    duties = [
        factories.DutyFactory(department=sales, title="Nobody accountable"),
        factories.DutyFactory(department=sales, title="Two accountables"),
        factories.DutyFactory(department=ops, title="Two accountables"),  # same title
        factories.DutyFactory(department=sales, title="Launch it", project=launch),
        factories.DutyFactory(department=ops, title="Clean"),
    ]
    with override_settings(RACI_OVERLOAD_LIMIT=1):
        for duty, role, letter in (
            (duties[0], clerk, raci.R),
            (duties[1], head, raci.A),
            (duties[1], clerk, raci.A),
            (duties[2], planner, raci.AR),
            (duties[3], head, raci.A),
            (duties[4], planner, raci.AR),
            (duties[4], head, raci.C),
        ):
            services.assignment_set(
                duty=duty, role=role, letter=letter, expected_version=0, by=None
            )
    assert Finding.objects.filter(duty__isnull=True).exists(), "a role finding"
    assert Finding.objects.values("rule").distinct().count() >= 3
    return {
        "departments": [sales, ops],
        "project": launch,
        "duties": duties,
        "roles": [head, clerk, planner],
    }


def _orm_rows(duty_ids, role_ids) -> list[dict]:
    condition = Q(duty_id__in=duty_ids) | Q(role_id__in=role_ids, duty__isnull=True)
    return list(
        Finding.objects.filter(condition).values(*selectors._STORED_VALUES, text=selectors._text())
    )


def _key(row: dict) -> str:
    return repr(sorted(row.items()))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_rows_of_some_duties_and_roles_are_the_orms(findings, language):
    duty_ids = [duty.pk for duty in findings["duties"]]
    role_ids = [role.pk for role in findings["roles"]]
    with translation.override(language):
        for duties, roles in (
            (duty_ids, role_ids),
            (duty_ids[:2], []),
            ([], role_ids[1:]),
            ([], []),
            ([10**9], [10**9]),
        ):
            ours = selectors._stored_rows_of(duties, roles)
            assert sorted(map(_key, ours)) == sorted(map(_key, _orm_rows(duties, roles)))
        everything = selectors._stored_rows_of(duty_ids, role_ids)
        assert len(everything) == Finding.objects.count()
        chinese = [bool(re.search("[\u4e00-\u9fff]", row["text"][0])) for row in everything]
        assert chinese == [language == "zh-hans"] * len(everything)


def test_the_summary_counts_what_the_orm_counts(findings):
    sales, ops = findings["departments"]
    for scope in (
        selectors.Scope(department=sales),
        selectors.Scope(department=ops),
        selectors.Scope(project=findings["project"]),
        selectors.Scope(),
    ):
        counts = dict(
            Finding.objects.filter(selectors._stored_filter(scope))
            .values_list("rule")
            .annotate(count=Count("pk"))
            .values_list("rule", "count")
            .order_by()
        )
        summary = selectors.stored_summary(scope)
        assert summary == {code: counts[code] for code in raci.RULES if code in counts}
        assert list(summary) == [code for code in raci.RULES if code in summary]
    assert sum(selectors.stored_summary(selectors.Scope()).values()) == Finding.objects.count()
