"""Versioned role descriptions: which writes make a new version, of which roles, and
what the holders are asked (issue 16)."""

from __future__ import annotations

import datetime

import pytest
from celery import current_app
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responsibilities import raci
from responsibilities.attestation import content, services, tracking, versions
from responsibilities.attestation.models import (
    Acceptance,
    ConfirmationRequest,
    RoleDescriptionVersion,
)
from responsibilities.models import Assignment
from responsibilities.services import assignment_set
from tests import factories

pytestmark = pytest.mark.django_db

Status = ConfirmationRequest.Status


@pytest.fixture
def org(django_capture_on_commit_callbacks):
    """Two roles of Sales sharing a duty, each held by one person, versioned once."""
    sales = factories.DepartmentFactory(code="SALES", name="Sales")
    head = factories.RoleFactory(department=sales, title="Head of Sales", purpose="Lead sales.")
    clerk = factories.RoleFactory(department=sales, title="Order Clerk", purpose="Book orders.")
    other = factories.RoleFactory(department=sales, title="Analyst")
    duty = factories.DutyFactory(department=sales, title="Handle orders", kpis="Orders a day")
    report = factories.DutyFactory(department=sales, title="Write the sales report")
    with django_capture_on_commit_callbacks(execute=True):
        factories.AssignmentFactory(duty=duty, role=head, letter=raci.A)
        factories.AssignmentFactory(duty=duty, role=clerk, letter=raci.R)
        factories.AssignmentFactory(duty=report, role=other, letter=raci.R)
        boss = factories.UserFactory(username="boss")
        clerk_person = factories.UserFactory(username="clerk")
        factories.RoleHolderFactory(role=head, person=boss)
        factories.RoleHolderFactory(role=clerk, person=clerk_person)
    return {
        "sales": sales,
        "head": head,
        "clerk": clerk,
        "other": other,
        "duty": duty,
        "report": report,
        "boss": boss,
        "clerk_person": clerk_person,
    }


def _numbers(*roles) -> list[int]:
    return [RoleDescriptionVersion.objects.filter(role=role).count() for role in roles]


def test_every_role_starts_with_one_version_and_its_holders_are_asked(org):
    assert _numbers(org["head"], org["clerk"], org["other"]) == [1, 1, 1]
    asked = ConfirmationRequest.objects.get(person=org["clerk_person"])
    assert asked.status == Status.PENDING
    assert asked.version.number == 1
    assert asked.version.fingerprint == content.fingerprint(asked.version.lines)


def test_changing_a_letter_versions_exactly_the_role_whose_description_changed(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment_set(
            duty=org["duty"], role=org["clerk"], letter=raci.I, expected_version=1, by=None
        )
    assert _numbers(org["head"], org["clerk"], org["other"]) == [1, 2, 1]
    newest = RoleDescriptionVersion.objects.get(role=org["clerk"], number=2)
    # R -> I: the duty's line changed and its measure left (an I has no measures).
    assert newest.changes == {"added": 0, "removed": 1, "changed": 1}


def test_changing_a_letter_asks_the_holders_again(org, django_capture_on_commit_callbacks):
    first = ConfirmationRequest.objects.get(person=org["clerk_person"])
    services.confirmation_answer(request_id=first.pk, person=org["clerk_person"], accept=True)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_set(
            duty=org["duty"], role=org["clerk"], letter=raci.AR, expected_version=1, by=None
        )
    asked = ConfirmationRequest.objects.get(person=org["clerk_person"], status=Status.PENDING)
    assert asked.version.number == 2
    assert asked.reason == ConfirmationRequest.Reason.NEW_VERSION
    # The boss's role did not change: still the one request, still pending on version 1.
    boss_requests = ConfirmationRequest.objects.filter(person=org["boss"])
    assert [(r.version.number, r.status) for r in boss_requests] == [(1, Status.PENDING)]


def test_a_duty_title_versions_the_roles_on_it_only(org, django_capture_on_commit_callbacks):
    duty = org["duty"]
    with django_capture_on_commit_callbacks(execute=True):
        duty.title = "Handle customer orders"
        duty.save()
    assert _numbers(org["head"], org["clerk"], org["other"]) == [2, 2, 1]


def test_a_duty_moved_to_another_department_is_a_changed_line(
    org, django_capture_on_commit_callbacks
):
    production = factories.DepartmentFactory(code="PROD", name="Production")
    with django_capture_on_commit_callbacks(execute=True):
        org["duty"].department = production
        org["duty"].save()
    newest = RoleDescriptionVersion.objects.get(role=org["head"], number=2)
    before = RoleDescriptionVersion.objects.get(role=org["head"], number=1)
    rows = content.diff(before.lines, newest.lines)
    changed = [row for row in rows if row.kind == content.CHANGED]
    assert [(row.before["text"], row.after["text"]) for row in changed] == [
        ("Handle orders (Sales)", "Handle orders (Production)")
    ]


def test_the_purpose_versions_its_role_and_a_save_without_change_does_not(
    org, django_capture_on_commit_callbacks
):
    head = org["head"]
    with django_capture_on_commit_callbacks(execute=True):
        head.save()  # nothing changed
    assert _numbers(head) == [1]
    with django_capture_on_commit_callbacks(execute=True):
        head.purpose = "Lead sales and grow them."
        head.save()
    assert _numbers(head, org["clerk"]) == [2, 1]


def test_an_unrelated_field_changes_no_version(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org["duty"].description = "Longer words."
        org["duty"].save()
    assert _numbers(org["head"], org["clerk"]) == [1, 1]


def test_a_version_costs_a_constant_number_of_queries(
    org, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    roles = [factories.RoleFactory(department=org["sales"]) for _ in range(12)]
    for role in roles:
        factories.AssignmentFactory(duty=org["duty"], role=role, letter=raci.I)
    # The roles locked (1), lines (2), latest versions (2), insert (1), asking: holders,
    # supersede, insert (3).
    with django_assert_max_num_queries(11):
        created = versions.record_versions({role.pk for role in roles} | {org["clerk"].pk})
    assert len(created) == 12


def test_an_acceptance_keeps_its_fingerprint_after_later_changes(
    org, django_capture_on_commit_callbacks
):
    asked = ConfirmationRequest.objects.get(person=org["clerk_person"])
    acceptance = services.confirmation_answer(
        request_id=asked.pk, person=org["clerk_person"], accept=True
    )
    accepted_print = asked.version.fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        org["clerk"].purpose = "Book and check orders."
        org["clerk"].save()
    acceptance = Acceptance.objects.get(pk=acceptance.pk)
    assert acceptance.fingerprint == accepted_print
    assert acceptance.version_number == 1
    assert RoleDescriptionVersion.objects.get(role=org["clerk"], number=1).fingerprint == (
        accepted_print
    )
    with pytest.raises(ValueError):
        acceptance.save()
    with pytest.raises(ValueError):
        acceptance.delete()


def test_a_new_holder_is_asked_for_the_current_version(org, django_capture_on_commit_callbacks):
    newcomer = factories.UserFactory(username="newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        factories.RoleHolderFactory(role=org["clerk"], person=newcomer)
    asked = ConfirmationRequest.objects.get(person=newcomer)
    assert (asked.reason, asked.version.number) == (ConfirmationRequest.Reason.NEW_HOLDER, 1)
    # The colleague already asked is not asked twice.
    assert ConfirmationRequest.objects.filter(person=org["clerk_person"]).count() == 1


def test_a_holding_that_ends_withdraws_the_open_request(org):
    holding = org["clerk"].holders.get()
    holding.until = datetime.date.today()
    holding.save()
    assert not ConfirmationRequest.objects.filter(
        person=org["clerk_person"], status__in=ConfirmationRequest.OPEN
    ).exists()


def test_the_sweep_asks_again_after_the_cadence(org):
    asked = ConfirmationRequest.objects.get(person=org["clerk_person"])
    services.confirmation_answer(request_id=asked.pk, person=org["clerk_person"], accept=True)
    services.cadence_set(role=org["clerk"], months=3)
    today = datetime.date.today()
    assert services.confirmations_sweep(today + datetime.timedelta(days=80))["asked"] == 0
    assert services.confirmations_sweep(today + datetime.timedelta(days=95))["asked"] == 1
    again = ConfirmationRequest.objects.get(person=org["clerk_person"], status=Status.PENDING)
    assert (again.reason, again.version.number) == ("cadence", 1)


def test_the_sweep_versions_a_change_whose_task_was_lost(org):
    """A write that committed while the broker was down enqueued no versioning task (an
    update that sends no signals stands for it): the sweep finds the description changed
    and versions it, once."""
    Assignment.objects.filter(duty=org["duty"], role=org["clerk"]).update(letter=raci.C)
    assert _numbers(org["head"], org["clerk"], org["other"]) == [1, 1, 1]
    assert services.confirmations_sweep()["versions"] == 1
    assert _numbers(org["head"], org["clerk"], org["other"]) == [1, 2, 1]
    assert services.confirmations_sweep()["versions"] == 0


# ------------------------------------------------------------------ the diff


def _line(key, section, text):
    return {"key": key, "section": section, "text": text}


def test_the_diff_lists_exactly_the_changed_lines():
    before = [
        _line("purpose", "purpose", "Sell."),
        _line("duty:1", "A", "Orders (Sales)"),
        _line("duty:2", "R", "Quotes (Sales)"),
        _line("duty:3", "C", "Prices (Finance)"),
    ]
    after = [
        _line("purpose", "purpose", "Sell."),
        _line("duty:1", "AR", "Orders (Sales)"),
        _line("duty:3", "C", "Prices (Finance)"),
        _line("duty:4", "I", "Forecast (Sales)"),
    ]
    rows = content.diff(before, after)
    kinds = [(row.kind, row.key) for row in rows]
    assert kinds == [
        ("same", "purpose"),
        ("changed", "duty:1"),
        ("removed", "duty:2"),
        ("same", "duty:3"),
        ("added", "duty:4"),
    ]
    assert content.summary(rows) == {"added": 1, "removed": 1, "changed": 1}


def test_the_fingerprint_is_stable_and_depends_on_every_character():
    lines = [_line("title", "title", "Order Clerk"), _line("purpose", "purpose", "订单")]
    assert content.fingerprint(lines) == content.fingerprint([dict(line) for line in lines])
    assert content.fingerprint(lines) != content.fingerprint(
        [lines[0], _line("purpose", "purpose", "订单.")]
    )


def _capture_version_tasks(monkeypatch) -> list[tuple[str, tuple, dict]]:
    """What tracking.flush() enqueues, instead of running it: ("now", args, {}) for
    delay(), ("later", args, options) for apply_async()."""
    sent: list[tuple[str, tuple, dict]] = []
    task = current_app.tasks[tracking.VERSION_TASK]
    monkeypatch.setattr(task, "delay", lambda *args: sent.append(("now", args, {})))
    monkeypatch.setattr(
        task, "apply_async", lambda args, **options: sent.append(("later", args, options))
    )
    return sent


def _edit(org, letter, *, role="clerk", duty="report") -> None:
    cell = Assignment.objects.filter(duty=org[duty], role=org[role]).first()
    assignment_set(
        duty=org[duty],
        role=org[role],
        letter=letter,
        expected_version=cell.version if cell else 0,
        by=None,
    )


def test_a_cell_edit_leaves_versioning_to_the_worker(
    org, monkeypatch, django_capture_on_commit_callbacks, settings
):
    """The request writes the cell; on commit it schedules one task with the roles it
    touched, ATTESTATION_VERSION_DELAY_SECONDS later, and reads or writes nothing of
    the confirmations itself."""
    settings.ATTESTATION_VERSION_DELAY_SECONDS = 60
    sent = _capture_version_tasks(monkeypatch)
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        _edit(org, raci.C)
    # (The cells' findings read whether a role's confirmation is overdue: an EXISTS.)
    versioning = [
        q["sql"]
        for q in captured.captured_queries
        if "attestation_roledescriptionversion" in q["sql"]
        or q["sql"].startswith(('INSERT INTO "attestation', 'UPDATE "attestation'))
    ]
    assert versioning == []
    assert sent == [("later", ([org["clerk"].pk], []), {"countdown": 60})]
    assert tracking.record(*sent[0][1])  # what the worker then does: a new version
    assert RoleDescriptionVersion.objects.filter(role=org["clerk"]).count() == 2


def test_a_burst_of_edits_to_a_role_makes_one_version(
    org, monkeypatch, django_capture_on_commit_callbacks, settings
):
    """Each edit commits on its own, as a manager clicks through a matrix: the first
    schedules the role's version, the others ride on it; once the task has started,
    the next edit schedules the next version."""
    settings.ATTESTATION_VERSION_DELAY_SECONDS = 60
    sent = _capture_version_tasks(monkeypatch)
    for letter in (raci.C, raci.I, raci.R, raci.C):
        with django_capture_on_commit_callbacks(execute=True):
            _edit(org, letter)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(org, raci.R, role="head", duty="report")  # another role: its own task
    assert sent == [
        ("later", ([org["clerk"].pk], []), {"countdown": 60}),
        ("later", ([org["head"].pk], []), {"countdown": 60}),
    ]

    created = tracking.record(*sent[0][1])  # the worker, a minute later
    assert [version.number for version in created] == [2]  # one version for four edits
    assert "C" in str(created[0].lines)
    request = ConfirmationRequest.objects.get(person=org["clerk_person"], status=Status.PENDING)
    assert request.version == created[0]

    with django_capture_on_commit_callbacks(execute=True):
        _edit(org, raci.I)
    assert sent[2:] == [("later", ([org["clerk"].pk], []), {"countdown": 60})]


def test_new_holders_and_a_zero_delay_are_versioned_at_once(
    org, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.ATTESTATION_VERSION_DELAY_SECONDS = 60
    sent = _capture_version_tasks(monkeypatch)
    newcomer = factories.UserFactory(username="newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        factories.RoleHolderFactory(role=org["clerk"], person=newcomer)
    assert [kind for kind, _args, _options in sent] == ["now"]
    assert [org["clerk"].pk, newcomer.pk] in [list(pair) for pair in sent[0][1][1]]

    settings.ATTESTATION_VERSION_DELAY_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        _edit(org, raci.C)
    assert sent[1:] == [("now", ([org["clerk"].pk], []), {})]


def test_without_a_cache_the_version_is_enqueued_at_once(
    org, monkeypatch, django_capture_on_commit_callbacks, settings, caplog
):
    """A cache that fails (Redis down) must not lose the version: enqueued now."""
    settings.ATTESTATION_VERSION_DELAY_SECONDS = 60
    sent = _capture_version_tasks(monkeypatch)

    def broken(*args, **kwargs):
        raise ConnectionError("no cache")

    monkeypatch.setattr(tracking.cache, "add", broken)
    monkeypatch.setattr(tracking.cache, "delete_many", broken)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(org, raci.C)
    assert sent == [("now", ([org["clerk"].pk], []), {})]
    assert "could not schedule" in caplog.text
    assert tracking.record(*sent[0][1])  # and the task still versions the role
