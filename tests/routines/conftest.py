"""Fixtures for the collaboration routines' tests."""

from __future__ import annotations

import pytest

from orgmap.models import Department
from responsibilities.models import InformationFlow


@pytest.fixture
def routines_demo(demo_duties):
    """The demo organisation with the routines' demo data."""
    from collaboration.routines.demo import seed_routines

    from ..demo_cache import seeded

    return seeded("routines", seed_routines)


@pytest.fixture
def departments(demo_org) -> dict[str, Department]:
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def make_flow(departments):
    def make(source: str, target: str, information: str = "Order details", **fields):
        fields.setdefault("channel", "email")
        fields.setdefault("frequency", "daily")
        return InformationFlow.objects.create(
            from_department=departments[source],
            to_department=departments[target],
            information=information,
            **fields,
        )

    return make
