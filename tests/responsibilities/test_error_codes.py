"""Messages are chosen by error code, never by the text of a translated message, and a
problem line quotes at most ~100 characters of a cell (issue 12, item 9)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from orgmap.models import Department, Role
from responsibilities import raci, services
from responsibilities.imports.common import QUOTE_MAX, Problem
from responsibilities.imports.raci_import import raci_import
from responsibilities.models import Assignment, Duty
from responsibilities.spreadsheets import read_table

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def cell(db):
    department = Department.objects.create(name="Sales", code="SALES")
    role = Role.objects.create(title="Sales Lead", department=department)
    duty = Duty.objects.create(title="Quote prices", department=department)
    return duty, role


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(admin)
    return client


def _post(client, cell, data, language="en"):
    duty, role = cell
    return client.post(
        reverse("matrix-cell", args=[duty.pk, role.pk]),
        data,
        headers={**HTMX, "Accept-Language": language},
    )


def test_service_errors_carry_codes(cell):
    duty, role = cell
    with pytest.raises(services.AssignmentError) as unknown:
        services.assignment_set(duty=duty, role=role, letter="X", expected_version=0, by=None)
    assert unknown.value.code == "unknown_letter"
    with pytest.raises(services.AssignmentError) as negative:
        services.assignment_set(duty=duty, role=role, letter="A", expected_version=-1, by=None)
    assert negative.value.code == "bad_version"
    with pytest.raises(raci.UnknownLetter) as parsed:
        raci.parse_letter("Q")
    assert (parsed.value.code, parsed.value.value) == ("unknown_letter", "Q")
    assert not Assignment.objects.exists()


def test_a_bad_letter_in_chinese_says_it_is_not_a_letter(cell, admin_client):
    response = _post(admin_client, cell, {"letter": "Q", "version": "0"}, language="zh-hans")
    assert response.status_code == 422
    with translation.override("zh-hans"):
        malformed = translation.gettext("The edit was malformed; reload the page.")
        not_a_letter = translation.gettext(
            '"%(value)s" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'
        ) % {"value": "Q"}
    text = response.content.decode()
    assert not_a_letter in text
    assert malformed not in text


@pytest.mark.parametrize("version", ["", "abc", "-1", "²", "1" * 40, "1.5"])
def test_a_malformed_version_is_refused_as_malformed(cell, admin_client, version):
    response = _post(admin_client, cell, {"letter": "A", "version": version})
    assert response.status_code == 422
    assert "malformed" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_huge_bad_letter_is_quoted_short(cell, admin_client):
    response = _post(admin_client, cell, {"letter": "Z" * 60_000, "version": "0"})
    assert response.status_code == 422
    assert "Z" * 21 not in response.content.decode()


def test_problem_lines_quote_at_most_a_hundred_characters_of_a_cell(cell):
    huge = "x" * 20_000  # under the cell limit (32,767), far over what a line quotes
    table = read_table(
        f"department,duty,role,letter\nSALES,Quote prices,{huge},R\nSALES,Quote prices,Sales Lead,{huge}\n".encode()
    )
    plan = raci_import(table)
    assert not plan.applied
    assert len(plan.problems) >= 2
    for problem in plan.problems:
        assert len(str(problem)) < 600, str(problem)[:200]
        assert "x" * (QUOTE_MAX + 1) not in str(problem)
    assert any("…" in str(problem) for problem in plan.problems)
    assert not Assignment.objects.exists()


def test_problem_cuts_long_quotes_and_long_messages():
    problem = Problem(3, "B", "h" * 500, "Unknown role “" + "r" * 500 + "”. " + "y" * 2000)
    assert len(problem.field) == QUOTE_MAX
    assert "“" + "r" * (QUOTE_MAX - 1) + "…”" in problem.message
    assert len(problem.message) <= 400
