"""Every list endpoint costs the same queries for a small and a larger organisation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responsibilities import services
from tests import factories

from .conftest import token_client, token_for

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/departments/",
    "/api/v1/departments/?root=1",
    "/api/v1/departments/tree/",
    "/api/v1/roles/",
    "/api/v1/roles/?department=SALES",
    "/api/v1/people/",
    "/api/v1/people/?department=SALES",
    "/api/v1/role-holders/",
    "/api/v1/projects/",
    "/api/v1/duties/",
    "/api/v1/duties/?department=SALES",
    "/api/v1/assignments/?department=SALES",
    "/api/v1/findings/",
    "/api/v1/findings/?department=SALES&severity=error",
    "/api/v1/meetings/",
    "/api/v1/search/?q=sales",
]


def _grow(org, start: int, size: int) -> None:
    """`size` more of everything: departments, roles with holders, duties with cells
    (and their findings), projects with departments, meetings."""
    sales, manager = org["sales"], org["people"]["manager"]
    for n in range(start, start + size):
        # Named so that a search for "sales" finds something of every kind at any size.
        department = factories.DepartmentFactory(
            code=f"GROW{n}", name=f"Sales team {n}", parent=sales
        )
        role = factories.RoleFactory(department=sales, title=f"Sales role {n}")
        factories.hold(factories.UserFactory(username=f"sales{n}"), role)
        duty = factories.DutyFactory(department=sales, title=f"Sales duty {n}")
        services.assignment_set(duty=duty, role=role, letter="R", expected_version=0, by=manager)
        factories.ProjectFactory(
            code=f"GP{n}", name=f"Sales project {n}", departments=[sales, department]
        )
        factories.MeetingFactory(title=f"Sales meeting {n}", departments=[sales, department])


def _counts(client) -> dict[str, int]:
    counts = {}
    for url in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        counts[url] = len(queries)
    return counts


def test_list_endpoints_cost_the_same_for_3_and_12_of_everything(org, member):
    client = token_client(token_for(member))
    client.get("/api/v1/departments/")  # records the token's first use
    _grow(org, 0, 3)
    small = _counts(client)
    _grow(org, 3, 9)
    assert _counts(client) == small
