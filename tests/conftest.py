"""Shared fixtures: the demo organisation, its personas, and the browser setup."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses
# to run there unless told it is safe (it is: the loop is idle while tests query).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    """Browser tests need Chromium. Locally they skip without it; in CI they must run."""
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests, but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def demo_org(db):
    from orgmap.demo import seed_organisation

    seed_organisation()


def _user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def admin_user(demo_org):
    return _user("admin")


@pytest.fixture
def hr(demo_org):
    return _user("hr")


@pytest.fixture
def sales_manager(demo_org):
    return _user("sales_manager")


@pytest.fixture
def production_manager(demo_org):
    return _user("production_manager")


@pytest.fixture
def member(demo_org):
    return _user("member")


@pytest.fixture
def client_for():
    """A test client logged in as the given user (None: anonymous)."""

    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def demo_duties(demo_org):
    """The demo organisation with its projects, duties and planted findings."""
    from orgmap.demo_projects import seed_projects
    from responsibilities.demo import seed_duties

    seed_projects()
    seed_duties()


@pytest.fixture
def coordinator(demo_duties):
    """paul.meyer coordinates the demo launch project."""
    return _user("paul.meyer")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (search keeps its spelling vocabulary there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
