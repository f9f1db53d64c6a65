"""The roles a matrix page may show as columns, read in plain SQL (matrix_page.
_column_roles): which are the matrix's own, which were asked for, and which are filled
now, for a department, a project and the whole organisation, against the same
definition written with the ORM."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from orgmap.models import Role
from responsibilities import matrix_page, selectors
from responsibilities.findings_facts import filled
from responsibilities.models import Assignment
from tests import factories

pytestmark = pytest.mark.django_db


def _orm_reference(scope: selectors.Scope, asked: set[int]) -> dict[int, tuple]:
    """The definition as the ORM wrote it before the plain SQL (issue 13)."""
    in_scope = Assignment.objects.filter(duty__in=scope.duties().values("pk")).values("role_id")
    if scope.department is not None:
        own = Q(department=scope.department) & (Q(active=True) | Q(pk__in=in_scope))
    else:
        own = Q(pk__in=in_scope)
    rows = (
        Role.objects.filter(own | Q(pk__in=asked))
        .annotate(filled=filled(), own=Case(When(own, then=Value(True)), default=Value(False)))
        .values("pk", "title", "department__code", "active", "filled", "own")
    )
    return {
        row["pk"]: (row["title"], row["department__code"], row["active"], row["filled"], row["own"])
        for row in rows
    }


def _read(scope: selectors.Scope, asked: set[int]) -> dict[int, tuple]:
    return {
        row["pk"]: (
            row["title"],
            row["department__code"],
            row["active"],
            row["filled"],
            row["own"],
        )
        for row in matrix_page._column_roles(scope, asked)
    }


@pytest.fixture
def organisation():
    today = timezone.localdate()
    sales = factories.DepartmentFactory(code="SALES")
    plant = factories.DepartmentFactory(code="PLANT")
    project = factories.ProjectFactory(code="LAUNCH", departments=[sales, plant])
    roles = {
        "seller": factories.RoleFactory(department=sales, title="Seller"),
        "vacant": factories.RoleFactory(department=sales, title="Vacant seller"),
        "retired used": factories.RoleFactory(department=sales, title="Old lead", active=False),
        "retired idle": factories.RoleFactory(department=sales, title="Old clerk", active=False),
        "planner": factories.RoleFactory(department=plant, title="Planner"),
        "welder": factories.RoleFactory(department=plant, title="Welder"),
    }
    person = factories.UserFactory()
    factories.RoleHolderFactory(role=roles["seller"], person=person)
    factories.RoleHolderFactory(role=roles["planner"], person=person)
    # Held in the past and from tomorrow: not filled now.
    factories.RoleHolderFactory(
        role=roles["vacant"], person=person, until=today - datetime.timedelta(days=1)
    )
    factories.RoleHolderFactory(
        role=roles["welder"], person=person, since=today + datetime.timedelta(days=1)
    )
    forecast = factories.DutyFactory(department=sales, title="Forecast")
    launch = factories.DutyFactory(department=plant, title="Launch plan", project=project)
    factories.AssignmentFactory(duty=forecast, role=roles["retired used"], letter="A")
    factories.AssignmentFactory(duty=forecast, role=roles["planner"], letter="C")
    factories.AssignmentFactory(duty=launch, role=roles["seller"], letter="R")
    return sales, plant, project, {name: role.pk for name, role in roles.items()}


def test_a_department_s_own_roles_are_its_active_ones_and_its_retired_ones_still_used(
    organisation,
):
    sales, _plant, _project, ids = organisation
    scope = selectors.Scope(department=sales)
    read = _read(scope, set())
    assert set(read) == {ids["seller"], ids["vacant"], ids["retired used"]}
    assert all(own for *_rest, own in read.values())
    # Filled: a current holder only (not a past or a future one).
    assert read[ids["seller"]][3] is True
    assert read[ids["vacant"]][3] is False
    assert read == _orm_reference(scope, set())


def test_roles_asked_for_come_with_the_own_ones_and_are_not_own(organisation):
    sales, _plant, _project, ids = organisation
    scope = selectors.Scope(department=sales)
    asked = {ids["planner"], ids["welder"], ids["retired idle"]}
    read = _read(scope, asked)
    assert asked <= set(read)
    assert read[ids["planner"]] == ("Planner", "PLANT", True, True, False)
    assert read[ids["welder"]] == ("Welder", "PLANT", True, False, False)  # held from tomorrow
    assert read[ids["retired idle"]][4] is False
    assert read == _orm_reference(scope, asked)


def test_a_project_s_own_roles_are_those_assigned_on_it(organisation):
    _sales, _plant, project, ids = organisation
    scope = selectors.Scope(project=project)
    assert _read(scope, set()) == {ids["seller"]: ("Seller", "SALES", True, True, True)}
    asked = {ids["planner"]}
    assert _read(scope, asked) == _orm_reference(scope, asked)


def test_the_organisation_s_own_roles_are_every_role_assigned(organisation):
    _sales, _plant, _project, ids = organisation
    scope = selectors.Scope()
    read = _read(scope, set())
    assert set(read) == {ids["retired used"], ids["planner"], ids["seller"]}
    assert read == _orm_reference(scope, set())


def test_an_empty_department_has_no_columns_but_those_asked_for(organisation):
    _sales, _plant, _project, ids = organisation
    empty = factories.DepartmentFactory(code="EMPTY")
    scope = selectors.Scope(department=empty)
    assert _read(scope, set()) == {}
    assert set(_read(scope, {ids["seller"]})) == {ids["seller"]}
