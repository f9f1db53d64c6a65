from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from orgmap import permissions
from orgmap.models import Department, Role, RoleHolder
from orgmap.selectors import current_holder_exists

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Department.objects.values_list("code", "name", "parent__code", "head__title")),
        sorted(
            Role.objects.values_list(
                "department__code", "title", "reports_to__title", "active", "last_reviewed_on"
            )
        ),
        sorted(RoleHolder.objects.values_list("role__title", "person__username", "since", "until")),
        sorted(get_user_model().objects.values_list("username", "password", "is_superuser")),
    )


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    assert "created: 0 departments, 0 roles, 0 people, 0 holdings" in capsys.readouterr().out


def test_demo_logins_have_their_personas():
    call_command("seed_demo")
    User = get_user_model()
    for username in ["admin", "hr", "sales_manager", "production_manager", "member"]:
        assert User.objects.get(username=username).check_password("demo")
    assert permissions.is_org_admin(User.objects.get(username="admin"))
    assert permissions.is_hr(User.objects.get(username="hr"))
    sales_ids = set(
        Department.objects.filter(code__startswith="SALES").values_list("pk", flat=True)
    )
    assert (
        permissions.managed_department_ids(User.objects.get(username="sales_manager")) == sales_ids
    )
    assert permissions.managed_department_ids(User.objects.get(username="member")) == frozenset()


def test_demo_has_vacancies_and_the_problem_statement_departments():
    call_command("seed_demo")
    codes = set(Department.objects.values_list("code", flat=True))
    assert {"SALES", "SALES-N", "SALES-S", "PROD", "RND", "MKT", "FIN", "CS", "PMO"} <= codes
    assert Role.objects.filter(title="Accounting Supervisor").exists()
    vacant = (
        Role.objects.filter(active=True)
        .annotate(filled=current_holder_exists())
        .filter(filled=False)
    )
    assert set(vacant.values_list("title", flat=True)) == {
        "South Sales Representative",
        "Test Engineer",
        "Advertising Specialist",
    }
