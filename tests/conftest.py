"""Shared fixtures: the demo organisation, its personas, and the browser setup."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import settings as hypothesis_settings

from orgmap.demo import DEPARTMENTS
from orgmap.demo import PEOPLE as DEMO_PEOPLE
from orgmap.models import Department, Role
from orgmap.permissions import HR_GROUP, ORG_ADMINS_GROUP

from . import factories
from .demo_cache import seeded

# Timings belong in bench/, not in tests: no per-example deadline (a loaded CI machine
# would otherwise fail a property test for being slow).
hypothesis_settings.register_profile("orgmap", deadline=None)
hypothesis_settings.load_profile("orgmap")

DEPARTMENT_NAMES = {code: name for code, name, _parent, _description in DEPARTMENTS}
PEOPLE = {username: (name, email) for username, name, email, *_rest in DEMO_PEOPLE}

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


# Playwright's fixtures: a test using any of them starts Playwright's event loop.
PLAYWRIGHT_FIXTURES = {"playwright", "browser", "context", "new_context", "page"}


def _is_browser_test(item) -> bool:
    return bool(PLAYWRIGHT_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """Browser tests run last, and need Chromium: locally they skip without it; in CI
    they must run."""
    items.sort(key=_is_browser_test)  # stable: everything else keeps its order
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the browser tests, but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"Chromium not installed at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords or _is_browser_test(item):
            item.add_marker(skip)


def pytest_runtest_setup(item):
    """Playwright's sync API runs an event loop in the test thread, and Django's ORM
    refuses to run there unless told it is safe (it is: the loop is idle while the test
    queries). Only browser tests get that permission, from the first one on, before any
    of their fixtures (the live server's database included) is set up; they run last
    (see above), so every test after that point is a browser test too."""
    if _is_browser_test(item):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def demo_org(db):
    """The demo organisation, for the tests that are about the demo (seeded once per
    session, replayed after that: see tests/demo_cache.py)."""
    from orgmap.demo import seed_organisation

    return seeded("organisation", seed_organisation)


@pytest.fixture
def demo_duties(demo_org):
    """The demo organisation with its projects, duties and planted findings."""
    from orgmap.demo_projects import seed_projects
    from responsibilities.demo import seed_duties

    def seed():
        return seed_projects(), seed_duties()

    return seeded("duties", seed)


@pytest.fixture
def client_for():
    """A test client logged in as the given user (None: anonymous)."""

    def make(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


# ------------------------------------------------------------------------ personas
#
# Built with factories and guardian grants, with the demo's usernames, names and
# departments, so that a test reads the same whether or not it is about the demo. In a
# test that also asks for the demo, the persona is the demo's own user.


# Any of these in a test means the test reads the demo (some modules seed it once per
# module under their own fixture names: tests/responsibilities/transfer_support.py).
DEMO_FIXTURES = ("demo_org", "demo_duties", "demo_seed", "routines_demo")


def _demo_requested(request) -> bool:
    names = [name for name in DEMO_FIXTURES if name in request.fixturenames]
    for name in names:
        request.getfixturevalue(name)
    return bool(names)


def _persona(request, username: str, build):
    if _demo_requested(request):
        return get_user_model().objects.get(username=username)
    request.getfixturevalue("db")
    return build()


def _department(code: str) -> Department:
    return factories.DepartmentFactory(code=code, name=DEPARTMENT_NAMES[code])


def _role(code: str, title: str) -> Role:
    return factories.RoleFactory(department=_department(code), title=title)


def _person(username: str, *holds: tuple[str, str], **fields):
    display_name, email = PEOPLE[username]
    user = factories.UserFactory(
        username=username, email=email, display_name=display_name, **fields
    )
    for code, title in holds:
        factories.hold(user, _role(code, title))
    return user


@pytest.fixture
def admin_user(request):
    return _persona(
        request,
        "admin",
        lambda: _person("admin", is_superuser=True, is_staff=True, groups=[ORG_ADMINS_GROUP]),
    )


@pytest.fixture
def hr(request):
    return _persona(request, "hr", lambda: _person("hr", ("HR", "HR Manager"), groups=[HR_GROUP]))


@pytest.fixture
def sales_manager(request):
    def build():
        user = _person("sales_manager", ("SALES", "Head of Sales"))
        factories.grant_manage(user, _department("SALES"))
        return user

    return _persona(request, "sales_manager", build)


@pytest.fixture
def production_manager(request):
    def build():
        user = _person("production_manager", ("PROD", "Production Manager"))
        factories.grant_manage(user, _department("PROD"))
        return user

    return _persona(request, "production_manager", build)


@pytest.fixture
def member(request):
    return _persona(request, "member", lambda: _person("member", ("CS", "Service Agent")))


@pytest.fixture
def coordinator(request):
    """paul.meyer coordinates the launch project (R&D, Marketing, Sales, Production)."""
    if not _demo_requested(request):
        request.getfixturevalue("db")
        user = _person("paul.meyer", ("PMO", "PMO Lead"), ("PMO", "Project Manager"))
        factories.ProjectFactory(
            code="LAUNCH",
            name="New product launch",
            coordinator=user,
            departments=[_department(code) for code in ("RND", "MKT", "SALES", "PROD")],
        )
        return user
    if "demo_seed" not in request.fixturenames:
        request.getfixturevalue("demo_duties")  # the demo's projects come with its duties
    return get_user_model().objects.get(username="paul.meyer")


@pytest.fixture
def anonymous():
    """Nobody logged in: ``client_for(anonymous)`` is an anonymous client."""
    return None


def xdist_worker_number() -> int:
    """0 without pytest-xdist, else the worker's number (gw0 -> 0, gw1 -> 1…)."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def redis_database(base: int) -> int:
    """A Redis database number of this test process's own, counting down from `base`:
    `make test` runs the tests in several processes (pytest-xdist), and one's FLUSHDB
    must not empty another's. Caches from 10 down (the worker tests share broker
    database 14, each on a queue of its own: tests/celery_worker.py)."""
    return base - xdist_worker_number()


@pytest.fixture(autouse=True, scope="session")
def _own_redis_cache():
    """With REDIS_URL set the cache is Redis; give each test process a database of
    its own (every test empties the cache)."""
    from django.conf import settings
    from django.test import override_settings

    cache = settings.CACHES["default"]
    if "redis" not in cache["BACKEND"].lower() or not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    parts = urlsplit(cache["LOCATION"])
    location = urlunsplit(parts._replace(path=f"/{redis_database(10)}"))
    with override_settings(CACHES={"default": {**cache, "LOCATION": location}}):
        yield


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in Chinese leaves its thread
    speaking Chinese (LocaleMiddleware activates, nothing deactivates), and with several
    test processes the next test in that process could be anyone's."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (search keeps its spelling vocabulary there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_webhook_subscriptions(_empty_cache):
    """Every test starts knowing that no endpoint subscribed to anything (the cached
    list that writers read, orgmap/webhooks/events.py), so that no test pays a query
    for webhooks it did not register, nor sees what an earlier test registered and
    rolled back. Registering an endpoint clears it (tests/webhooks). After the empty
    cache, which would otherwise remove it again."""
    from django.core.cache import cache

    from orgmap.webhooks.events import SUBSCRIPTIONS_KEY

    cache.set(SUBSCRIPTIONS_KEY, [], None)
