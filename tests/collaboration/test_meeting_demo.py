"""The demo meetings and reviews: seeded once, with the four routines of the issue."""

from __future__ import annotations

import pytest

from collaboration.meetings.demo import seed_meetings
from collaboration.meetings.models import Meeting, Review

pytestmark = pytest.mark.django_db


def test_demo_meetings_are_seeded_once(demo_duties):
    assert seed_meetings() == {"meetings": 4, "reviews": 2}
    assert seed_meetings() == {"meetings": 0, "reviews": 0}
    kinds = dict(Meeting.objects.values_list("title", "kind"))
    assert kinds == {
        "Weekly Sales–Production sync": "sync",
        "Monthly cross-department review": "review",
        "Product training: R&D briefs Sales": "training",
        "Launch retrospective": "retrospective",
    }
    assert Meeting.objects.get(kind="retrospective").project.code == "LAUNCH"
    assert Review.objects.filter(duty__isnull=False).count() == 2
