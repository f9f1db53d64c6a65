"""UNCONFIRMED_ACCOUNTABILITY: the A of a duty is held by a role whose holders have not
confirmed its current description in time (issue 16)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibilities import findings_facts, raci, selectors
from responsibilities.attestation import services, versions
from responsibilities.attestation.models import ConfirmationRequest
from responsibilities.models import Finding
from responsibilities.services import assignment_set
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountable():
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    head = factories.RoleFactory(department=sales, title="Head of Sales")
    clerk = factories.RoleFactory(department=sales, title="Order Clerk")
    duty = factories.DutyFactory(department=sales, title="Handle orders")
    assignment_set(duty=duty, role=head, letter=raci.A, expected_version=0, by=None)
    assignment_set(duty=duty, role=clerk, letter=raci.R, expected_version=0, by=None)
    person = factories.UserFactory(username="boss")
    factories.RoleHolderFactory(role=head, person=person)
    factories.RoleHolderFactory(role=clerk, person=factories.UserFactory())
    versions.record_versions({head.pk, clerk.pk})
    return {"head": head, "clerk": clerk, "duty": duty, "person": person}


def _unconfirmed() -> list[Finding]:
    return list(Finding.objects.filter(rule=raci.UNCONFIRMED_ACCOUNTABILITY))


def _fall_due(role) -> None:
    """Time passes beyond the grace period (no write), and the hourly sweep runs."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ConfirmationRequest.objects.filter(role=role).update(due_on=yesterday)
    services.confirmations_sweep()


def _agrees_with_a_rebuild() -> None:
    stored = selectors.stored_findings(selectors.Scope())
    assert stored == findings_facts.computed_findings(selectors.Scope())


def test_no_finding_while_the_grace_period_runs(accountable):
    assert _unconfirmed() == []
    _agrees_with_a_rebuild()


def test_the_finding_appears_when_the_grace_period_passes(accountable):
    _fall_due(accountable["head"])
    (finding,) = _unconfirmed()
    assert (finding.duty_id, finding.severity) == (accountable["duty"].pk, "warning")
    assert finding.roles[0][0] == accountable["head"].pk
    _agrees_with_a_rebuild()
    # A responsible role's overdue confirmation is not this rule's business.
    _fall_due(accountable["clerk"])
    assert len(_unconfirmed()) == 1


def test_the_finding_disappears_with_the_acceptance(accountable):
    _fall_due(accountable["head"])
    asked = ConfirmationRequest.objects.get(person=accountable["person"])
    services.confirmation_answer(request_id=asked.pk, person=accountable["person"], accept=True)
    assert _unconfirmed() == []
    _agrees_with_a_rebuild()


def test_a_decline_keeps_the_finding(accountable):
    _fall_due(accountable["head"])
    asked = ConfirmationRequest.objects.get(person=accountable["person"])
    services.confirmation_answer(
        request_id=asked.pk, person=accountable["person"], accept=False, question="Why me?"
    )
    assert len(_unconfirmed()) == 1


def test_a_new_version_starts_a_new_grace_period(accountable):
    _fall_due(accountable["head"])
    head = accountable["head"]
    head.purpose = "Lead the sales team."
    head.save()
    versions.record_versions({head.pk})
    assert _unconfirmed() == []
    _agrees_with_a_rebuild()


def test_the_finding_shows_on_the_findings_page(accountable, client_for):
    _fall_due(accountable["head"])
    hr = factories.UserFactory(username="hr-person", groups=["HR"])
    page = client_for(hr).get(reverse("findings") + "?rule=UNCONFIRMED_ACCOUNTABILITY")
    body = page.content.decode()
    assert "have not confirmed the current role description in time" in body
    assert "A not confirmed" in body
