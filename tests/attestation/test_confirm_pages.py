"""The holder's confirmation, the header's prompt, the versions pages, the manager's
questions and the coverage (issue 16)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from django.urls import reverse

from responsibilities import raci
from responsibilities.attestation import selectors, services, versions
from responsibilities.attestation.models import Acceptance, ConfirmationRequest
from tests import factories

pytestmark = pytest.mark.django_db

Status = ConfirmationRequest.Status


@pytest.fixture
def clerk_role():
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    role = factories.RoleFactory(department=sales, title="Order Clerk", purpose="Book orders.")
    duty = factories.DutyFactory(department=sales, title="Handle orders")
    factories.AssignmentFactory(duty=duty, role=role, letter=raci.R)
    return role


@pytest.fixture
def clerk(clerk_role):
    person = factories.UserFactory(username="clerk", display_name="Clara Clerk")
    factories.RoleHolderFactory(role=clerk_role, person=person)
    versions.record_versions({clerk_role.pk})
    return person


@pytest.fixture
def manager(clerk_role):
    person = factories.UserFactory(username="boss")
    factories.grant_manage(person, clerk_role.department)
    return person


def test_header_prompts_a_holder_with_an_open_request(client_for, clerk):
    page = client_for(clerk).get(reverse("my-confirmations"))
    assert "Please confirm your role" in page.content.decode()
    assert "Order Clerk" in page.content.decode()


def test_header_prompt_is_one_query_then_cached_until_a_request_changes(
    clerk, clerk_role, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert selectors.open_request_count(clerk) == 1
    with django_assert_num_queries(0):  # every page shows it: read from the cache
        assert selectors.open_request_count(clerk) == 1
    request = ConfirmationRequest.objects.get(person=clerk, role=clerk_role)
    services.confirmation_answer(request_id=request.pk, person=clerk, accept=True)
    with django_assert_num_queries(1):
        assert selectors.open_request_count(clerk) == 0


def test_no_prompt_for_someone_with_nothing_to_confirm(client_for, clerk_role):
    nobody = factories.UserFactory(username="nobody")
    page = client_for(nobody).get(reverse("my-confirmations"))
    assert "Please confirm your role" not in page.content.decode()


def test_holder_accepts_and_the_record_keeps_the_fingerprint(client_for, clerk, clerk_role):
    client = client_for(clerk)
    page = client.get(reverse("role-confirm", args=[clerk_role.pk]))
    assert page.status_code == 200
    assert "Handle orders" in page.content.decode()
    answer = client.post(reverse("role-confirm", args=[clerk_role.pk]), {"answer": "accept"})
    assert answer.status_code == 302
    acceptance = Acceptance.objects.get(person=clerk)
    asked = ConfirmationRequest.objects.get(person=clerk)
    assert (acceptance.answer, acceptance.fingerprint) == ("accepted", asked.version.fingerprint)
    assert asked.status == Status.ACCEPTED
    assert selectors.open_request_count(clerk) == 0
    # Answered: nothing left to answer for this role.
    again = client.post(reverse("role-confirm", args=[clerk_role.pk]), {"answer": "accept"})
    assert again.status_code == 403
    assert Acceptance.objects.filter(person=clerk).count() == 1


def test_holder_sees_only_what_changed_since_the_accepted_version(client_for, clerk, clerk_role):
    client = client_for(clerk)
    client.post(reverse("role-confirm", args=[clerk_role.pk]), {"answer": "accept"})
    clerk_role.purpose = "Book and check orders."
    clerk_role.save()
    versions.record_versions({clerk_role.pk})
    page = client.get(reverse("role-confirm", args=[clerk_role.pk])).content.decode()
    assert "Book and check orders." in page
    assert "Book orders." in page  # the line before, beside it
    assert "Handle orders" not in page  # unchanged: not shown
    assert 'class="diff-changed"' in page


def test_declining_needs_a_question(client_for, clerk, clerk_role):
    answer = client_for(clerk).post(
        reverse("role-confirm", args=[clerk_role.pk]), {"answer": "decline", "question": " "}
    )
    assert answer.status_code == 422
    assert "Say what you would like to ask your manager." in answer.content.decode()
    assert not Acceptance.objects.exists()


def test_declining_reaches_the_manager(client_for, clerk, clerk_role, manager):
    client_for(clerk).post(
        reverse("role-confirm", args=[clerk_role.pk]),
        {"answer": "decline", "question": "Who approves refunds now?"},
    )
    acceptance = Acceptance.objects.get(person=clerk)
    assert (acceptance.answer, acceptance.question) == ("declined", "Who approves refunds now?")
    department_page = client_for(manager).get(
        reverse("department-detail", args=[clerk_role.department.code])
    )
    assert "Who approves refunds now?" in department_page.content.decode()
    coverage = client_for(manager).get(reverse("confirmation-coverage")).content.decode()
    assert "Who approves refunds now?" in coverage
    # A member of another department does not see the question.
    stranger = factories.UserFactory(username="stranger")
    page = client_for(stranger).get(reverse("department-detail", args=["SALES"]))
    assert "Who approves refunds now?" not in page.content.decode()


def test_another_person_cannot_answer_a_holders_request(client_for, clerk, clerk_role):
    stranger = factories.UserFactory(username="stranger")
    answer = client_for(stranger).post(
        reverse("role-confirm", args=[clerk_role.pk]), {"answer": "accept"}
    )
    assert answer.status_code == 403
    assert not Acceptance.objects.exists()


def test_version_page_highlights_the_changes(client_for, clerk, clerk_role):
    clerk_role.purpose = "Book and check orders."
    clerk_role.save()
    versions.record_versions({clerk_role.pk})
    page = client_for(clerk).get(reverse("role-version", args=[clerk_role.pk, 2]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "0 added, 0 removed, 1 changed" in body
    listing = client_for(clerk).get(reverse("role-versions", args=[clerk_role.pk]))
    assert listing.status_code == 200
    assert "Acceptance record" not in listing.content.decode()  # a holder, not HR


def test_unknown_version_is_404(client_for, clerk, clerk_role):
    assert client_for(clerk).get(reverse("role-version", args=[clerk_role.pk, 9])).status_code == (
        404
    )


# ------------------------------------------------------------------ coverage


@pytest.fixture
def generated_org():
    """Three departments of four roles, each role with three holders, answering in a
    known pattern: holder 0 accepts, holder 1 declines (in even roles), holder 2 is
    overdue (in roles divisible by 3), the rest pending."""
    expected = {"accepted": 0, "pending": 0, "declined": 0, "overdue": 0}
    roles = []
    for d in range(3):
        department = factories.DepartmentFactory(code=f"G{d}", name=f"Generated {d}")
        for r in range(4):
            role = factories.RoleFactory(department=department, title=f"Role {d}-{r}")
            roles.append(role)
            for _holder in range(3):
                factories.RoleHolderFactory(role=role, person=factories.UserFactory())
    versions.record_versions({role.pk for role in roles})
    for index, role in enumerate(roles):
        asked = list(ConfirmationRequest.objects.filter(role=role).order_by("person_id"))
        services.confirmation_answer(request_id=asked[0].pk, person=asked[0].person, accept=True)
        expected["accepted"] += 1
        if index % 2 == 0:
            services.confirmation_answer(
                request_id=asked[1].pk, person=asked[1].person, accept=False, question="Why?"
            )
            expected["declined"] += 1
        else:
            expected["pending"] += 1
        if index % 3 == 0:
            asked[2].due_on = datetime.date.today() - datetime.timedelta(days=1)
            asked[2].save(update_fields=["due_on"])
            expected["overdue"] += 1
        else:
            expected["pending"] += 1
    return roles, expected


def test_coverage_figures_on_a_generated_organisation(generated_org, django_assert_num_queries):
    _roles, expected = generated_org
    with django_assert_num_queries(3):
        departments = selectors.coverage()
    totals = selectors.totals(departments)
    assert {state: totals[state] for state in expected} == expected
    assert totals["holders"] == 36
    assert totals["share"] == round(100 * 12 / 36)
    first = departments[0].roles[0]
    assert first.counts == {"accepted": 1, "pending": 0, "declined": 1, "overdue": 1}
    assert first.accepted_share == 33


def test_coverage_costs_the_same_for_a_larger_organisation(
    generated_org, django_assert_num_queries
):
    department = factories.DepartmentFactory(code="MORE")
    more = [factories.RoleFactory(department=department) for _ in range(10)]
    for role in more:
        factories.RoleHolderFactory(role=role, person=factories.UserFactory())
    versions.record_versions({role.pk for role in more})
    with django_assert_num_queries(3):
        selectors.coverage()


def test_hr_exports_the_coverage_as_csv_and_xlsx(client_for, generated_org):
    hr = factories.UserFactory(username="hr-person", groups=["HR"])
    client = client_for(hr)
    response = client.get(reverse("confirmation-coverage-export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Department code", "Department", "Role"]
    assert len(rows) == 1 + 12
    assert rows[1] == ["G0", "Generated 0", "Role 0-0", "1", "3", "1", "0", "1", "1", "33"]
    xlsx = client.get(reverse("confirmation-coverage-export", args=["xlsx"]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert "Role 0-0" in archive.read("xl/worksheets/sheet1.xml").decode()


def test_a_manager_sees_the_coverage_of_their_departments_only(client_for, generated_org):
    boss = factories.UserFactory(username="boss")
    factories.grant_manage(boss, factories.DepartmentFactory(code="G1"))
    page = client_for(boss).get(reverse("confirmation-coverage")).content.decode()
    assert "Generated 1" in page and "Generated 0" not in page
    other = client_for(boss).get(reverse("confirmation-coverage") + "?department=G0")
    assert other.status_code == 403


def test_a_member_may_not_see_the_coverage(client_for, generated_org):
    member = factories.UserFactory(username="someone")
    assert client_for(member).get(reverse("confirmation-coverage")).status_code == 403


# ------------------------------------------------------------------ documents


def _docx_text(response) -> str:
    from docx import Document

    return "\n".join(
        [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
        + [
            cell.text
            for table in Document(io.BytesIO(response.content)).tables
            for row in table.rows
            for cell in row.cells
        ]
    )


def test_the_word_document_shows_its_version_and_on_request_the_record(
    client_for, clerk, clerk_role
):
    client_for(clerk).post(reverse("role-confirm", args=[clerk_role.pk]), {"answer": "accept"})
    hr = factories.UserFactory(username="hr-person", groups=["HR"])
    version = ConfirmationRequest.objects.get(person=clerk).version
    plain = _docx_text(client_for(hr).get(reverse("role-docx", args=[clerk_role.pk])))
    assert f"version 1 · {version.short_fingerprint}" in plain
    assert "Acceptance record" not in plain
    recorded = client_for(hr).get(reverse("role-docx", args=[clerk_role.pk]) + "?record=1")
    text = _docx_text(recorded)
    assert "Acceptance record" in text
    assert f"Clara Clerk: accepted · version 1 ({version.short_fingerprint})" in text


def test_a_member_may_not_ask_for_the_acceptance_record(client_for, clerk, clerk_role):
    response = client_for(clerk).get(reverse("role-docx", args=[clerk_role.pk]) + "?record=1")
    assert response.status_code == 403
