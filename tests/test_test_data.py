"""The test data itself: personas made by factories, and the demo replayed for the
demo's own tests (tests/demo_cache.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from orgmap import permissions
from orgmap.demo import DEPARTMENTS, PEOPLE, ROLES, seed_organisation
from orgmap.models import Department, Project, Role, RoleHolder
from responsibilities.models import Assignment, Duty
from tests import factories

pytestmark = pytest.mark.django_db


def test_personas_are_built_without_the_demo(
    admin_user, hr, sales_manager, production_manager, member, coordinator, anonymous
):
    sales, production = Department.objects.get(code="SALES"), Department.objects.get(code="PROD")
    assert permissions.is_org_admin(admin_user) and not permissions.is_org_admin(hr)
    assert permissions.is_hr(hr) and not permissions.is_hr(member)
    assert permissions.can_manage_department(sales_manager, sales)
    assert not permissions.can_manage_department(sales_manager, production)
    assert permissions.can_manage_department(production_manager, production)
    assert not permissions.can_manage_department(member, sales)
    launch = Project.objects.get(code="LAUNCH")
    assert permissions.can_manage_project(coordinator, launch)
    assert not permissions.can_manage_project(sales_manager, launch)
    assert anonymous is None
    assert member.profile.display_name == "Max Member"
    assert RoleHolder.objects.get(person=member).role.title == "Service Agent"
    # Only what the personas need: no demo duties, and a fraction of the demo's roles.
    assert not Duty.objects.exists()
    assert Role.objects.count() < len(ROLES) // 2


def test_a_factory_asked_twice_for_a_department_returns_the_same_row():
    first = factories.DepartmentFactory(code="OPS")
    assert factories.DepartmentFactory(code="OPS") == first
    assert factories.RoleFactory(department=first, title="Lead") == factories.RoleFactory(
        department=first, title="Lead"
    )


def test_a_granted_coordinator_may_manage_the_project(member):
    project = factories.ProjectFactory(code="OTHER")
    assert not permissions.can_manage_project(member, project)
    factories.grant_coordinate(member, project)
    member = get_user_model().objects.get(pk=member.pk)  # the permission caches per user
    assert permissions.can_manage_project(member, project)


@pytest.mark.parametrize("round_", [1, 2])
def test_the_replayed_demo_is_the_whole_demo(demo_duties, round_):
    """Run twice: the first may seed for real, the second replays; both must hold the
    whole demo, so that seeding again finds nothing missing."""
    assert Department.objects.count() == len(DEPARTMENTS)
    assert Role.objects.count() == len(ROLES)
    assert get_user_model().objects.count() == len(PEOPLE)
    assert Duty.objects.count() > 0 and Assignment.objects.count() > 0
    assert seed_organisation() == {"departments": 0, "roles": 0, "people": 0, "holdings": 0}
    sales_manager = get_user_model().objects.get(username="sales_manager")
    assert permissions.can_manage_department(sales_manager, Department.objects.get(code="SALES"))
    # New rows after a replay get fresh keys (the sequences were moved past the demo's).
    factories.DepartmentFactory(code="NEW")
