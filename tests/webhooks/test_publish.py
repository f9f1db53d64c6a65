"""What writers publish: one event per change, recorded in the write's transaction,
sent after its commit, nothing for a rolled-back write, nothing at all (not even a
query) when no endpoint subscribed, and a bulk import in one INSERT."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from orgmap import services as org_services
from orgmap.webhooks import delivery, events
from orgmap.webhooks.models import Delivery, Event
from responsibilities import findings_generation, raci
from responsibilities import services as cell_services
from responsibilities.attestation import tracking as attestation
from responsibilities.spreadsheets import imports
from responsibilities.spreadsheets.sheets import read_table
from tests.factories import (
    DepartmentFactory,
    DutyFactory,
    RoleFactory,
    RoleHolderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales():
    department = DepartmentFactory(code="SALES", name="Sales")
    return {
        "department": department,
        "head": RoleFactory(department=department, title="Head of Sales"),
        "seller": RoleFactory(department=department, title="Seller"),
    }


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def _received(httpserver) -> list[tuple[dict, dict]]:
    """(headers, JSON body) of every request the receiver got."""
    return [(dict(request.headers), json.loads(request.data)) for request, _ in httpserver.log]


def _webhook_statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "webhooks_" in q["sql"]]


def test_no_endpoint_means_no_event_and_no_query(sales):
    duty = DutyFactory(department=sales["department"])
    events.subscribed_types()  # the cache as a running site has it
    with CaptureQueriesContext(connection) as captured:
        cell_services.assignment_set(
            duty=duty, role=sales["head"], letter=raci.AR, expected_version=0, by=None
        )
    assert _webhook_statements(captured) == []
    assert not Event.objects.exists()


def test_a_cell_edit_sends_one_signed_assignment_changed_event(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    endpoint, secret = make_endpoint(events=["assignment.changed"])
    duty = DutyFactory(department=sales["department"], title="Plan the budget")
    editor = UserFactory(username="editor")
    with django_capture_on_commit_callbacks(execute=True):
        cell_services.assignment_set(
            duty=duty, role=sales["head"], letter=raci.A, expected_version=0, by=editor
        )

    [(headers, body)] = _received(receiver)
    [request, _response] = receiver.log[0]
    assert headers["X-Orgmap-Event"] == "assignment.changed"
    assert headers["X-Orgmap-Event-Id"] == body["id"]
    assert headers["Content-Type"] == "application/json"
    assert delivery.verify_signature(secret, headers["X-Orgmap-Signature"], request.data)
    assert headers["X-Orgmap-Signature"].startswith(f"t={headers['X-Orgmap-Timestamp']},v1=")
    data = body["data"]
    assert data["duty"] == {
        "id": duty.pk,
        "title": "Plan the budget",
        "department": "SALES",
        "project": None,
    }
    assert data["role"] == {"id": sales["head"].pk, "title": "Head of Sales", "department": "SALES"}
    assert data["before"] is None
    assert data["after"] == {"letter": "A", "version": 1}
    assert (data["changed_by"], data["source"]) == ("editor", "matrix")
    [sent] = Delivery.objects.filter(endpoint=endpoint)
    assert (sent.status, sent.attempts, sent.last_status_code) == ("delivered", 1, 200)


def test_changing_and_clearing_a_cell_carry_before_and_after(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(events=["assignment.changed"])
    duty = DutyFactory(department=sales["department"])
    with django_capture_on_commit_callbacks(execute=True):
        cell_services.assignment_set(
            duty=duty, role=sales["seller"], letter=raci.R, expected_version=0, by=None
        )
        cell_services.assignment_set(
            duty=duty, role=sales["seller"], letter=raci.C, expected_version=1, by=None
        )
        cell_services.assignment_set(
            duty=duty, role=sales["seller"], letter=None, expected_version=2, by=None
        )
        # Stale: nothing written, nothing published.
        cell_services.assignment_set(
            duty=duty, role=sales["seller"], letter=raci.A, expected_version=1, by=None
        )
    changes = [(body["data"]["before"], body["data"]["after"]) for _h, body in _received(receiver)]
    assert changes == [
        (None, {"letter": "R", "version": 1}),
        ({"letter": "R", "version": 1}, {"letter": "C", "version": 2}),
        ({"letter": "C", "version": 2}, None),
    ]
    assert len({body["id"] for _h, body in _received(receiver)}) == 3


def test_a_rolled_back_write_sends_nothing(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(events=["assignment.changed", "finding.opened", "finding.closed"])
    duty = DutyFactory(department=sales["department"])
    recorded = Event.objects.count()  # the duty's findings
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        cell_services.assignment_set(
            duty=duty, role=sales["head"], letter=raci.AR, expected_version=0, by=None
        )
        raise RuntimeError("the request failed after the cell was written")
    assert callbacks == []
    assert receiver.log == []
    assert Event.objects.count() == recorded
    assert not Delivery.objects.exists()


def test_an_endpoint_gets_only_the_events_it_chose(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(events=["duty.created"])
    with django_capture_on_commit_callbacks(execute=True):
        duty = cell_services.duty_create(title="Forecast sales", department=sales["department"])
        cell_services.assignment_set(
            duty=duty, role=sales["head"], letter=raci.AR, expected_version=0, by=None
        )
    assert [body["type"] for _h, body in _received(receiver)] == ["duty.created"]
    assert Event.objects.get().type == "duty.created"


def test_duties_created_changed_and_retired(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(events=["duty.created", "duty.changed", "duty.retired"])
    with django_capture_on_commit_callbacks(execute=True):
        duty = cell_services.duty_create(title="Forecast sales", department=sales["department"])
        duty.title = "Forecast sales monthly"
        duty.save()
        duty.save()  # nothing changed: nothing published
        duty.active = False
        duty.save()
    received = [(body["type"], body["data"]) for _h, body in _received(receiver)]
    assert [event_type for event_type, _data in received] == [
        "duty.created",
        "duty.changed",
        "duty.retired",
    ]
    created, changed, retired = (data for _type, data in received)
    assert created["before"] is None and created["after"]["title"] == "Forecast sales"
    assert (changed["before"]["title"], changed["after"]["title"]) == (
        "Forecast sales",
        "Forecast sales monthly",
    )
    assert (retired["before"]["active"], retired["after"]["active"]) == (True, False)


def test_findings_opened_and_closed(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    RoleHolderFactory(role=sales["head"])  # not vacant: no vacancy findings
    make_endpoint(events=["finding.opened", "finding.closed"])
    with django_capture_on_commit_callbacks(execute=True):
        duty = DutyFactory(department=sales["department"], title="Close the books")
    opened = {
        body["data"]["after"]["rule"]
        for _h, body in _received(receiver)
        if body["type"] == "finding.opened"
    }
    assert {raci.NO_ACCOUNTABLE, raci.NO_RESPONSIBLE} <= opened
    receiver.clear_log()
    with django_capture_on_commit_callbacks(execute=True):
        cell_services.assignment_set(
            duty=duty, role=sales["head"], letter=raci.AR, expected_version=0, by=None
        )
    closed = [
        body["data"]["before"]
        for _h, body in _received(receiver)
        if body["type"] == "finding.closed"
    ]
    assert {(f["rule"], f["duty"]["id"]) for f in closed if f["duty"]} >= {
        (raci.NO_ACCOUNTABLE, duty.pk),
        (raci.NO_RESPONSIBLE, duty.pk),
    }
    assert all(f["message"] for f in closed)


def test_role_holders_added_and_ended(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    make_endpoint(events=["role_holder.changed"])
    person = UserFactory(username="lena", email="lena@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        holding = org_services.role_holder_add(
            role=sales["seller"], person=person, since=datetime.date(2026, 1, 1)
        )
        org_services.role_holder_end(holding=holding, until=datetime.date(2026, 6, 30))
    added, ended = (body["data"] for _h, body in _received(receiver))
    assert added["before"] is None
    assert added["after"]["person"] == {
        "id": person.pk,
        "username": "lena",
        "email": "lena@example.com",
    }
    assert added["after"]["role"]["title"] == "Seller"
    assert (ended["before"]["until"], ended["after"]["until"]) == (None, "2026-06-30")


def _long_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["department", "duty", "role", "role_department", "letter"], *rows]
    )
    return buffer.getvalue().encode()


def test_an_import_publishes_its_cells_in_one_insert_and_the_worker_fans_out(
    sales, make_endpoint, django_capture_on_commit_callbacks
):
    endpoint, _secret = make_endpoint(events=["assignment.changed", "duty.created"])
    second, _ = make_endpoint(events=["assignment.changed"], path="/other")
    rows = []
    for number in range(40):
        rows.append(["SALES", f"Duty {number}", "Head of Sales", "", "A"])
        rows.append(["SALES", f"Duty {number}", "Seller", "", "R"])
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as captured,
    ):
        plan = imports.raci_import(read_table(_long_csv(rows), "m.csv"))
    assert plan.applied, plan.problems
    inserts = [sql for sql in _webhook_statements(captured) if sql.startswith("INSERT")]
    # One INSERT per event type, whatever the number of cells; no delivery yet.
    assert len(inserts) == 2
    assert Event.objects.filter(type="assignment.changed").count() == 80
    assert Event.objects.filter(type="duty.created").count() == 40
    assert not Delivery.objects.exists()
    # The fan-out (a task after the commit) creates one delivery per event and endpoint.
    event_ids = [str(pk) for pk in Event.objects.values_list("pk", flat=True)]
    created = delivery.fan_out(event_ids)
    assert len(created) == 80 * 2 + 40
    assert Delivery.objects.filter(endpoint=second).count() == 80
    assert Delivery.objects.filter(endpoint=endpoint).count() == 120
    assert delivery.fan_out(event_ids) == []  # a second fan-out creates nothing
    # The webhooks' two tasks (the role confirmations version the roles on commit too).
    # (the role confirmations version the roles on commit, and the stored findings move
    # the findings generation, responsibilities/findings_generation.py).
    others = {attestation.flush, findings_generation._increment}
    assert len([callback for callback in callbacks if callback not in others]) == 2


def test_a_people_import_publishes_its_new_role_holders_in_one_insert(make_endpoint, db):
    make_endpoint(events=["role_holder.changed"])
    header = ["email", "name", "department", "role", "parent_department", "manager_email", "active"]
    rows = [
        [f"p{n}@example.com", f"Person {n}", "Logistics", f"Role {n % 3}", "", "", ""]
        for n in range(12)
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    with CaptureQueriesContext(connection) as captured:
        plan = imports.people_import(read_table(buffer.getvalue().encode(), "people.csv"))
    assert plan.applied, plan.problems
    inserts = [sql for sql in _webhook_statements(captured) if sql.startswith("INSERT")]
    assert len(inserts) == 1
    added = [event.payload["after"] for event in Event.objects.filter(type="role_holder.changed")]
    assert sorted(a["person"]["email"] for a in added) == sorted(row[0] for row in rows)
    assert {a["role"]["title"] for a in added} == {"Role 0", "Role 1", "Role 2"}
    assert all(a["role"]["department"] and a["until"] is None for a in added)


def test_a_role_confirmation_answer_is_published(
    sales, make_endpoint, receiver, django_capture_on_commit_callbacks
):
    from responsibilities.attestation import services as confirmations
    from responsibilities.attestation.models import ConfirmationRequest

    make_endpoint(events=["role_confirmation.answered"])
    holder = UserFactory(username="lena")
    duty = DutyFactory(department=sales["department"], title="Sell")
    with django_capture_on_commit_callbacks(execute=True):
        cell_services.assignment_set(
            duty=duty, role=sales["seller"], letter=raci.R, expected_version=0, by=None
        )
        RoleHolderFactory(role=sales["seller"], person=holder)
    asked = ConfirmationRequest.objects.get(person=holder)
    with django_capture_on_commit_callbacks(execute=True):
        confirmations.confirmation_answer(
            request_id=asked.pk, person=holder, accept=False, question="Who signs off?"
        )
    [(_headers, body)] = _received(receiver)
    assert body["type"] == "role_confirmation.answered"
    answer = body["data"]["after"]
    assert (answer["person"], answer["answer"], answer["question"]) == (
        "lena",
        "declined",
        "Who signs off?",
    )
    assert answer["role"]["title"] == "Seller"
    assert answer["version"]["fingerprint"] == asked.version.fingerprint
