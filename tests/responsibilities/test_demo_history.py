"""The demo has a past: "As it was on" a month ago differs from today, and its dates
are coherent (nothing is settled before it was raised)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibilities.models import AssignmentChange, Duty

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_demo(demo_duties):
    from collaboration.routines.demo import seed_routines

    seed_routines()


def _letters(matrix) -> dict[tuple[int, int], str]:
    return {
        (row.duty["pk"], role_id): cell["letter"]
        for row in matrix.rows
        for role_id, cell in row.assigned.items()
    }


def test_a_month_ago_the_sales_matrix_was_different(sales_manager, client_for, full_demo):
    client = client_for(sales_manager)
    url = reverse("department-matrix", args=["SALES"])
    today = client.get(url).context["matrix"]
    month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    then = client.get(url, {"as_of": month_ago}).context["matrix"]
    assert then.rows, "a month ago the Sales duties existed already"
    assert _letters(then) != _letters(today)
    # Six months ago there was nothing yet: the history starts with the seed.
    long_ago = (timezone.localdate() - datetime.timedelta(days=180)).isoformat()
    assert not client.get(url, {"as_of": long_ago}).context["matrix"].rows


def test_history_never_runs_ahead_of_its_duty(full_demo):
    for change in AssignmentChange.objects.select_related("duty"):
        assert change.changed_at >= change.duty.created_at
    assert Duty.objects.filter(
        created_at__lt=timezone.now() - datetime.timedelta(days=100)
    ).exists()


def test_no_conflict_is_settled_before_it_was_raised(full_demo):
    from collaboration.routines.models import Conflict

    for conflict in Conflict.objects.exclude(settled_at=None):
        assert conflict.created_at < conflict.settled_at


def test_seeding_twice_changes_nothing(full_demo):
    from responsibilities.demo import seed_duties

    before = AssignmentChange.objects.count()
    assert seed_duties() == {"duties": 0, "assignments": 0}
    assert AssignmentChange.objects.count() == before
