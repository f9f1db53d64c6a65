"""/access/: who grants and revokes rights, the audit log, and what a grant allows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_perms

from orgmap.models import AccessChange, Department, Project, Role
from responsibilities.models import Assignment, Duty

pytestmark = pytest.mark.django_db


def _department(code: str) -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": code.title()})[0]


def _grant_manage(user, department) -> None:
    assign_perm("orgmap.manage_department", user, department)


def _grant_manager(client, person, department):
    return client.post(
        reverse("access"), {"manager-person": person.pk, "manager-department": department.pk}
    )


def test_admin_grants_a_manager_and_the_grant_is_in_the_log(admin_user, member, client_for):
    sales = _department("SALES")
    AccessChange.objects.all().delete()
    response = _grant_manager(client_for(admin_user), member, sales)
    assert response.status_code == 302
    assert "manage_department" in get_perms(member, sales)
    change = AccessChange.objects.get()
    assert (change.by, change.action, change.right, change.person, change.department) == (
        admin_user,
        "grant",
        "manager",
        member,
        sales,
    )
    page = client_for(admin_user).get(reverse("access"))
    assert "Recent changes" in page.text and "Sales" in page.text


def test_hr_cannot_make_itself_a_manager(hr, client_for):
    production = _department("PROD")
    response = _grant_manager(client_for(hr), hr, production)
    assert response.status_code == 200
    assert "Nobody grants or revokes rights for themselves" in response.text
    assert get_perms(hr, production) == []
    assert not AccessChange.objects.exists()


def test_nobody_revokes_their_own_grant(admin_user, client_for):
    sales = _department("SALES")
    _grant_manage(admin_user, sales)
    url = reverse("access-manager-revoke", args=[sales.code, admin_user.username])
    assert client_for(admin_user).post(url).status_code == 403
    assert "manage_department" in get_perms(admin_user, sales)


def test_revoke_is_logged(admin_user, member, client_for):
    sales = _department("SALES")
    _grant_manage(member, sales)
    url = reverse("access-manager-revoke", args=[sales.code, member.username])
    assert client_for(admin_user).post(url).status_code == 302
    assert get_perms(member, sales) == []
    assert AccessChange.objects.get().action == "revoke"


def test_member_may_not_grant(member, client_for):
    sales = _department("SALES")
    assert _grant_manager(client_for(member), member, sales).status_code == 403
    assert not AccessChange.objects.exists()


def test_granted_coordinator_gets_editable_cells(member, client_for):
    sales = _department("SALES")
    prod = _department("PROD")
    project = Project.objects.create(code="XLAUNCH", name="Cross launch")
    project.departments.set([sales, prod])
    duty = Duty.objects.create(department=sales, project=project, title="Brief the line")
    role = Role.objects.create(department=prod, title="Line planner")
    Assignment.objects.create(
        duty=duty, role=role, letter="R", version=1, updated_at=timezone.now()
    )
    assign_perm("orgmap.coordinate_project", member, project)
    response = client_for(member).get(reverse("project-matrix", args=[project.code]))
    assert response.status_code == 200
    assert duty.pk in response.context["editable"]
