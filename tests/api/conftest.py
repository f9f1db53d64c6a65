"""The API's test organisation, built with factories (no demo): the personas of
tests/conftest.py, a Sales department with a sub-team, a duty with a cell, a project,
and API clients that authenticate with a personal token or with the session."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from orgmap.api import tokens
from responsibilities import services
from tests import factories


@pytest.fixture
def org(db, member, sales_manager, production_manager, coordinator, hr, admin_user):
    """Sales (managed by sales_manager) with a regional team; Production (managed by
    production_manager); the LAUNCH project coordinated by paul.meyer."""
    sales = factories.DepartmentFactory(code="SALES")
    north = factories.DepartmentFactory(code="SALES-N", name="Sales North", parent=sales)
    analyst = factories.RoleFactory(department=sales, title="Sales Operations Analyst")
    head = factories.RoleFactory(department=sales, title="Head of Sales")
    holding = factories.hold(member, analyst)
    duty = factories.DutyFactory(department=sales, title="Negotiate key customer contracts")
    services.assignment_set(duty=duty, role=head, letter="A", expected_version=0, by=sales_manager)
    launch = factories.ProjectFactory(code="LAUNCH")
    project_duty = factories.DutyFactory(department=sales, project=launch, title="Launch pricing")
    inactive = factories.UserFactory(username="gone", is_active=False)
    meeting = factories.MeetingFactory(title="Sales sync", departments=[sales], project=launch)
    return {
        "sales": sales,
        "north": north,
        "analyst": analyst,
        "head": head,
        "holding": holding,
        "duty": duty,
        "project_duty": project_duty,
        "launch": launch,
        "inactive": inactive,
        "meeting": meeting,
        "people": {
            "member": member,
            "other_manager": production_manager,
            "manager": sales_manager,
            "coordinator": coordinator,
            "hr": hr,
            "admin": admin_user,
            "inactive": inactive,
        },
    }


def token_for(user, *, expires_at=None) -> str:
    return tokens.token_create(user=user, name="test", expires_at=expires_at)[1]


def token_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def api_client_for():
    """api_client_for(user, "token" | "session") -> an authenticated APIClient."""

    def make(user, mode: str = "token") -> APIClient:
        if user is None:
            return APIClient()
        return token_client(token_for(user)) if mode == "token" else session_client(user)

    return make


@pytest.fixture
def expired_token(org):
    raw = token_for(org["people"]["manager"])
    tokens.ApiToken.objects.filter(prefix=raw.split("_")[1]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    return raw


@pytest.fixture
def revoked_token(org):
    raw = token_for(org["people"]["manager"])
    token = tokens.ApiToken.objects.get(prefix=raw.split("_")[1])
    tokens.token_revoke(token=token)
    return raw
