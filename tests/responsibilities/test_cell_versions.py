"""A cell's version never goes back, not even across a clear (issue 12, item 1).

Clearing a cell deletes its row; when it is set again, its version continues above
every version it had (read from its history), so a browser still holding a version
from before the clear is refused as stale instead of overwriting a letter it never saw.
"""

from __future__ import annotations

import itertools
import random
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.urls import reverse

from orgmap.models import Department, Role
from responsibilities import raci
from responsibilities.models import Assignment, AssignmentChange, Duty
from responsibilities.services import assignment_set
from responsibilities.spreadsheets.imports.raci_import import raci_import
from responsibilities.spreadsheets.sheets import read_table

only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)


@pytest.fixture
def cell(db):
    department = Department.objects.create(name="Sales", code="SALES")
    role = Role.objects.create(title="Sales Lead", department=department)
    duty = Duty.objects.create(title="Quote prices", department=department)
    return duty, role


def _user(name: str, *, superuser: bool = False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(name, f"{name}@example.com", "pw")
    return User.objects.create_user(name, f"{name}@example.com", "pw")


def _clear_and_recreate(duty, role, x, y, z):
    """X sees A at v1; Y clears; Z sets C; returns the version X still holds."""
    seen = assignment_set(duty=duty, role=role, letter=raci.A, expected_version=0, by=x)
    assert seen.applied and seen.version == 1
    cleared = assignment_set(duty=duty, role=role, letter=None, expected_version=1, by=y)
    assert cleared.applied
    again = assignment_set(duty=duty, role=role, letter=raci.C, expected_version=0, by=z)
    assert again.applied
    return seen.version, again


@pytest.mark.django_db
def test_a_cell_set_again_after_a_clear_continues_above_its_old_versions(cell):
    duty, role = cell
    x, y, z = _user("x"), _user("y"), _user("z")
    held, again = _clear_and_recreate(duty, role, x, y, z)
    assert again.version == 3  # A was 1, the clear 2
    assert list(
        AssignmentChange.objects.filter(duty=duty, role=role)
        .order_by("pk")
        .values_list("before", "after", "version")
    ) == [("", "A", 1), ("A", "", 2), ("", "C", 3)]

    stale = assignment_set(duty=duty, role=role, letter=raci.I, expected_version=held, by=x)
    assert not stale.applied
    assert Assignment.objects.get(duty=duty, role=role).letter == raci.C
    assert stale.last_change.changed_by == z


@pytest.mark.django_db
def test_the_matrix_refuses_a_version_held_from_before_a_clear_and_says_who(cell, client):
    duty, role = cell
    x, y, z = _user("x", superuser=True), _user("y"), _user("zoe")
    held, _ = _clear_and_recreate(duty, role, x, y, z)
    client.force_login(x)
    response = client.post(
        reverse("matrix-cell", args=[duty.pk, role.pk]),
        {"letter": "I", "version": str(held)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "zoe" in response.content.decode()
    assert "not applied" in response.content.decode()
    assert Assignment.objects.get(duty=duty, role=role).letter == raci.C


@pytest.mark.django_db
def test_an_import_that_sets_a_cleared_cell_continues_above_its_old_versions(cell):
    duty, role = cell
    x = _user("x")
    assignment_set(duty=duty, role=role, letter=raci.A, expected_version=0, by=x)
    assignment_set(duty=duty, role=role, letter=None, expected_version=1, by=x)
    table = read_table(f"department,duty,role,letter\nSALES,{duty.title},{role.title},R\n".encode())
    plan = raci_import(table, by=x)
    assert plan.applied, [str(p) for p in plan.problems]
    assert Assignment.objects.get(duty=duty, role=role).version == 3


@only_postgresql
@pytest.mark.django_db(transaction=True)
def test_clear_and_recreate_sequence_is_refused_on_postgresql(cell):
    duty, role = cell
    x, y, z = _user("x"), _user("y"), _user("z")
    held, _ = _clear_and_recreate(duty, role, x, y, z)
    stale = assignment_set(duty=duty, role=role, letter=raci.I, expected_version=held, by=x)
    assert not stale.applied
    assert (stale.last_change.changed_by, stale.assignment.letter) == (z, raci.C)
    assert stale.last_change.changed_at is not None


@only_postgresql
@pytest.mark.django_db(transaction=True)
def test_twenty_editors_with_clears_lose_nothing_on_postgresql(cell):
    """Each editor reads the cell, then writes a letter or a clear from the version it
    read. Every accepted write must be in the history with the letter its editor saw as
    "before" (nothing overwritten unseen); every refusal names the change that won."""
    duty, role = cell
    editors = [_user(f"editor{n}") for n in range(20)]
    choices = [raci.R, raci.A, raci.C, raci.I, raci.AR, None, None]
    barrier = threading.Barrier(len(editors))
    outcomes: list[tuple] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def edit(number: int, user) -> None:
        rng = random.Random(number)
        try:
            barrier.wait(timeout=30)
            for _round in range(8):
                current = Assignment.objects.filter(duty=duty, role=role).first()
                seen_letter = current.letter if current else None
                seen_version = current.version if current else 0
                letter = rng.choice([c for c in choices if c != seen_letter])
                result = assignment_set(
                    duty=duty, role=role, letter=letter, expected_version=seen_version, by=user
                )
                with lock:
                    outcomes.append((user.pk, seen_letter, seen_version, letter, result))
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n, u)) for n, u in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(outcomes) == 20 * 8

    history = list(AssignmentChange.objects.filter(duty=duty, role=role).order_by("pk"))
    accepted = [o for o in outcomes if o[4].written]
    assert all(o[4].applied for o in accepted)
    # Applied without a write: the cell already held the letter (a race with an equal wish).
    same = [o for o in outcomes if o[4].applied and not o[4].written]
    assert all(o[4].assignment and o[4].assignment.letter == o[3] for o in same if o[3])
    refused = [o for o in outcomes if not o[4].applied]
    assert accepted and refused  # the test did race

    # Every accepted write is one history row whose "before" is what its editor saw.
    by_version = {}
    for change in history:
        assert change.version not in by_version, "a version was used twice"
        by_version[change.version] = change
    assert len(history) == len(accepted)
    for user_pk, seen_letter, _seen_version, letter, result in accepted:
        version = result.last_change.version
        change = by_version[version]
        assert change.changed_by_id == user_pk
        assert (change.before, change.after) == (seen_letter or "", letter or "")

    # History versions only go up, and chain: each change starts where the last ended.
    assert [c.version for c in history] == sorted(c.version for c in history)
    for earlier, later in itertools.pairwise(history):
        assert later.before == earlier.after

    # The cell is the last accepted write.
    final = Assignment.objects.filter(duty=duty, role=role).first()
    assert (final.letter if final else "") == history[-1].after

    # Every refusal says who changed the cell (the change it lost to) and when.
    for _user_pk, _seen_letter, seen_version, _letter, result in refused:
        assert result.last_change is not None
        assert result.last_change.changed_at is not None
        assert result.last_change.version != seen_version or result.assignment is None
