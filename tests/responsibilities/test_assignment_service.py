"""assignment_set: versioned cell writes, history in the same transaction, no lost updates."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection

from orgmap.models import Role
from responsibilities import raci
from responsibilities.models import Assignment, AssignmentChange, Duty
from responsibilities.services import assignment_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(demo_duties):
    return Duty.objects.get(title="Negotiate key customer contracts")


@pytest.fixture
def head(demo_duties):
    return Role.objects.get(title="Head of Sales")


def test_setting_an_empty_cell_creates_version_one_and_a_history_row(duty, head, sales_manager):
    result = assignment_set(
        duty=duty, role=head, letter=raci.A, expected_version=0, by=sales_manager
    )
    assert result.applied and result.version == 1
    change = AssignmentChange.objects.get(duty=duty, role=head)
    assert (change.before, change.after, change.version, change.changed_by) == (
        "",
        "A",
        1,
        sales_manager,
    )


def test_changing_a_cell_bumps_the_version(duty, head, sales_manager):
    assignment_set(duty=duty, role=head, letter=raci.A, expected_version=0, by=sales_manager)
    result = assignment_set(
        duty=duty, role=head, letter=raci.AR, expected_version=1, by=sales_manager
    )
    assert result.applied and result.version == 2
    assert list(
        AssignmentChange.objects.filter(duty=duty, role=head).values_list("before", "after")
    ) == [
        ("A", "AR"),
        ("", "A"),
    ]


def test_two_edits_from_the_same_version_only_the_first_applies(
    duty, head, sales_manager, admin_user
):
    assignment_set(duty=duty, role=head, letter=raci.A, expected_version=0, by=sales_manager)
    first = assignment_set(duty=duty, role=head, letter=raci.R, expected_version=1, by=admin_user)
    second = assignment_set(
        duty=duty, role=head, letter=raci.C, expected_version=1, by=sales_manager
    )
    assert first.applied and not second.applied
    assert second.assignment.letter == raci.R
    assert second.last_change.changed_by == admin_user
    assert AssignmentChange.objects.filter(duty=duty, role=head).count() == 2


def test_two_creations_of_the_same_cell_only_the_first_applies(
    duty, head, sales_manager, admin_user
):
    first = assignment_set(duty=duty, role=head, letter=raci.A, expected_version=0, by=admin_user)
    second = assignment_set(
        duty=duty, role=head, letter=raci.I, expected_version=0, by=sales_manager
    )
    assert first.applied and not second.applied
    assert Assignment.objects.get(duty=duty, role=head).letter == raci.A


def test_clearing_a_cell_deletes_it_and_records_the_change(duty, sales_manager):
    north = Role.objects.get(title="North Regional Sales Manager")
    version = Assignment.objects.get(duty=duty, role=north).version
    result = assignment_set(
        duty=duty, role=north, letter=None, expected_version=version, by=sales_manager
    )
    assert result.applied and result.assignment is None and result.version == 0
    assert not Assignment.objects.filter(duty=duty, role=north).exists()
    assert AssignmentChange.objects.filter(duty=duty, role=north).first().after == ""


def test_a_stale_clear_changes_nothing(duty, sales_manager):
    north = Role.objects.get(title="North Regional Sales Manager")
    result = assignment_set(
        duty=duty, role=north, letter=None, expected_version=7, by=sales_manager
    )
    assert not result.applied
    assert Assignment.objects.get(duty=duty, role=north).letter == raci.R


def test_setting_the_same_letter_is_a_no_op_without_history(duty, sales_manager):
    north = Role.objects.get(title="North Regional Sales Manager")
    before = AssignmentChange.objects.count()
    result = assignment_set(
        duty=duty, role=north, letter=raci.R, expected_version=99, by=sales_manager
    )
    assert result.applied
    assert AssignmentChange.objects.count() == before


def test_unknown_letter_is_refused(duty, head, sales_manager):
    with pytest.raises(ValueError):
        assignment_set(duty=duty, role=head, letter="X", expected_version=0, by=sales_manager)
    assert not Assignment.objects.filter(duty=duty, role=head).exists()


def test_history_and_change_commit_together(duty, head, sales_manager):
    with (
        mock.patch.object(
            AssignmentChange.objects, "create", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        assignment_set(duty=duty, role=head, letter=raci.A, expected_version=0, by=sales_manager)
    assert not Assignment.objects.filter(duty=duty, role=head).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)
def test_concurrent_edits_from_a_stale_version_on_postgresql(
    demo_duties, sales_manager, admin_user
):
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    north = Role.objects.get(title="North Regional Sales Manager")
    version = Assignment.objects.get(duty=duty, role=north).version
    barrier = threading.Barrier(2)
    results = {}

    def edit(name, letter, user):
        from django.db import connections

        try:
            barrier.wait()
            results[name] = assignment_set(
                duty=duty, role=north, letter=letter, expected_version=version, by=user
            )
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=edit, args=("one", raci.A, sales_manager)),
        threading.Thread(target=edit, args=("two", raci.C, admin_user)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    applied = [name for name, result in results.items() if result.applied]
    assert len(applied) == 1
    winner_letter = raci.A if applied == ["one"] else raci.C
    assert Assignment.objects.get(duty=duty, role=north).letter == winner_letter
    assert Assignment.objects.get(duty=duty, role=north).version == version + 1
    assert AssignmentChange.objects.filter(duty=duty, role=north, version=version + 1).count() == 1
