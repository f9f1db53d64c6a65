"""Every URL of orgmap × every persona: the expected status for GET and for POST.

Adding a URL without adding it here fails `test_every_url_is_in_the_table`. Each row
runs inside a savepoint that is rolled back, so a POST that changes something (a
revoke, say) does not change what the next row sees."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from orgmap.models import Heartbeat, Role, RoleHolder
from responsibilities.models import Duty, ExportJob

from .api.authz_rows import profile_token_rows
from .api.authz_table import covered_names as api_url_names
from .attestation.authz_rows import confirmation_rows
from .collaboration.authz_rows import meeting_rows
from .drafts.authz_rows import draft_rows
from .responsibilities.authz_rows import transfer_rows
from .responsibilities.pictures_authz_rows import picture_rows
from .routines.authz_rows import routine_rows
from .webhooks.authz_rows import webhook_rows

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]

PERSONAS = ["anonymous", "member", "other_manager", "manager", "coordinator", "hr", "admin"]
LOGGED_IN = PERSONAS[1:]
USERNAMES = {
    "member": "member",
    "other_manager": "production_manager",  # manages Production, not Sales
    "manager": "sales_manager",  # manages Sales and its regional teams
    "coordinator": "paul.meyer",  # coordinates the LAUNCH project
    "hr": "hr",
    "admin": "admin",
}
LOGIN = 302  # anonymous users are sent to the login page
# Admin pages other than the index are Django's own, guarded by staff status.
EXCLUDED_NAMESPACES = {"admin"}


def read(post: int = 405) -> dict:
    """A page every logged-in person may read."""
    return {p: (LOGIN, LOGIN) if p == "anonymous" else (200, post) for p in PERSONAS}


def edit(allowed: set[str], get: int = 200, post: int = 200, denied: tuple = (403, 403)) -> dict:
    """A page only `allowed` personas may use; others get `denied` (403)."""
    table = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            table[persona] = (LOGIN, LOGIN)
        elif persona in allowed:
            table[persona] = (get, post)
        else:
            table[persona] = denied
    return table


def public(get: int = 200, post: int = 405) -> dict:
    return dict.fromkeys(PERSONAS, (get, post))


class Helpers:
    """What the row modules of other features use to write their rows."""

    PERSONAS = PERSONAS
    LOGGED_IN = LOGGED_IN
    LOGIN = LOGIN
    read = staticmethod(read)
    edit = staticmethod(edit)
    public = staticmethod(public)


def build_table() -> dict[str, tuple[str, dict]]:
    """{url name: (url, {persona: (GET status, POST status)})}, on the demo data."""
    return {
        **core_rows(),
        **meeting_rows(Helpers),
        **transfer_rows(Helpers),
        **routine_rows(Helpers),
        **profile_token_rows(Helpers),
        **picture_rows(Helpers),
        **webhook_rows(Helpers),
        **confirmation_rows(Helpers),
        **draft_rows(Helpers),
    }


def core_rows() -> dict[str, tuple[str, dict]]:
    role = Role.objects.get(title="Sales Operations Analyst")
    holding = RoleHolder.objects.get(role=role)
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    head = Role.objects.get(title="Head of Sales")
    managers_of_sales = {"manager", "admin"}
    # An export that HR started (and whose file has gone: its download answers 410).
    export_job = ExportJob.objects.create(
        requested_by=get_user_model().objects.get(username="hr"),
        format="pdf",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    return {
        "org-overview": (reverse("org-overview"), read()),
        "department-create": (
            reverse("department-create"),
            edit({"manager", "other_manager", "admin"}),
        ),
        "department-detail": (reverse("department-detail", args=["SALES"]), read()),
        "department-edit": (reverse("department-edit", args=["SALES"]), edit(managers_of_sales)),
        "role-create": (reverse("role-create", args=["SALES"]), edit({"manager", "hr", "admin"})),
        "role-detail": (reverse("role-detail", args=[role.pk]), read()),
        "role-edit": (reverse("role-edit", args=[role.pk]), edit({"manager", "hr", "admin"})),
        "role-holder-add": (
            reverse("role-holder-add", args=[role.pk]),
            {
                **edit(managers_of_sales, get=405),
                **{p: (405, 403) for p in LOGGED_IN if p not in managers_of_sales},
            },
        ),
        "role-holder-end": (reverse("role-holder-end", args=[holding.pk]), edit(managers_of_sales)),
        "person-detail": (reverse("person-detail", args=["member"]), read()),
        "profile": (
            reverse("profile"),
            read(post=302),
        ),  # every field is optional: an empty form saves
        "access": (reverse("access"), edit({"hr", "admin"})),
        "access-manager-revoke": (
            reverse("access-manager-revoke", args=["SALES", "sales_manager"]),
            {
                **edit({"hr", "admin"}, get=405, post=302),
                **{p: (405, 403) for p in ("member", "other_manager", "manager", "coordinator")},
            },
        ),
        "access-coordinator-revoke": (
            reverse("access-coordinator-revoke", args=["LAUNCH", "paul.meyer"]),
            {
                **edit({"hr", "admin"}, get=405, post=302),
                **{p: (405, 403) for p in ("member", "other_manager", "manager", "coordinator")},
            },
        ),
        "healthz": (reverse("healthz"), public()),
        # Admin pages of models that moved between apps redirect to their new address.
        "admin-moved": (
            "/admin/collaboration/meeting/",
            {p: ((302, None) if p == "anonymous" else (301, None)) for p in PERSONAS},
        ),
        "admin-moved-flow": (
            "/admin/routines/informationflow/",
            {p: ((302, None) if p == "anonymous" else (301, None)) for p in PERSONAS},
        ),
        "login": (reverse("login"), public(post=200)),
        "logout": (reverse("logout"), {**public(get=405, post=302), "anonymous": (LOGIN, LOGIN)}),
        "password_change": (reverse("password_change"), read(post=200)),
        "password_change_done": (reverse("password_change_done"), read()),
        "password_reset": (reverse("password_reset"), public(post=200)),
        "password_reset_done": (reverse("password_reset_done"), public()),
        "password_reset_confirm": (
            reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad-token"}),
            public(post=200),
        ),
        "password_reset_complete": (reverse("password_reset_complete"), public()),
        "department-matrix": (reverse("department-matrix", args=["SALES"]), read()),
        "duty-create": (reverse("duty-create", args=["SALES"]), edit(managers_of_sales)),
        # An empty POST is a malformed cell edit: 400 for those allowed to edit.
        "matrix-cell": (
            reverse("matrix-cell", args=[duty.pk, head.pk]),
            edit(managers_of_sales, post=400),
        ),
        # The matrix's role picker: for those who may edit the matrix it serves.
        "matrix-role-picker": (
            reverse("matrix-role-picker") + "?department=SALES&q=sales",
            edit(managers_of_sales, post=405, denied=(403, 405)),
        ),
        # The header's language switch: anyone, POST only, back to "next".
        "language-switch": (reverse("language-switch"), public(get=405, post=302)),
        "duty-detail": (reverse("duty-detail", args=[duty.pk]), read()),
        "duty-edit": (reverse("duty-edit", args=[duty.pk]), edit(managers_of_sales)),
        "findings": (reverse("findings"), read()),
        "search": (reverse("search") + "?q=sales", read()),
        "my-responsibilities": (reverse("my-responsibilities"), read()),
        "role-pdf": (reverse("role-pdf", args=[role.pk]), read()),
        "role-docx": (reverse("role-docx", args=[role.pk]), read()),
        "bulk-export": (reverse("bulk-export"), edit({"manager", "other_manager", "hr", "admin"})),
        "export-job": (
            reverse("export-job", args=[export_job.pk]),
            edit({"hr", "admin"}, post=405, denied=(403, 405)),
        ),
        "export-download": (
            reverse("export-download", args=[export_job.pk]),
            edit({"hr", "admin"}, get=410, post=405, denied=(403, 405)),
        ),
        "project-list": (reverse("project-list"), read()),
        "project-create": (reverse("project-create"), edit({"admin"})),
        "project-detail": (reverse("project-detail", args=["LAUNCH"]), read()),
        "project-edit": (reverse("project-edit", args=["LAUNCH"]), edit({"coordinator", "admin"})),
        "project-matrix": (reverse("project-matrix", args=["LAUNCH"]), read()),
        "project-duty-create": (
            reverse("project-duty-create", args=["LAUNCH"]),
            edit({"coordinator", "admin"}),
        ),
        "admin:index": (
            reverse("admin:index"),
            {p: ((200, None) if p == "admin" else (302, None)) for p in PERSONAS},
        ),
    }


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in EXCLUDED_NAMESPACES:
                names.add(f"{pattern.namespace}:index")
                continue
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_table(demo_duties):
    # The API's endpoints × personas (token and session) are in tests/api/authz_table.py.
    assert _url_names() == set(build_table()) | api_url_names()


# Personas with no column of their own: each must get exactly the answers of another.
# A coordinator granted on /access/ is the project's named coordinator in all but name;
# a person deactivated while signed in is anonymous from their next request on.
SAME_AS = {"granted_coordinator": "coordinator", "inactive": "anonymous"}
# htmx requests (HX-Request) get the same decisions; a redirect is then an HX-Redirect.
HTMX_PERSONAS = ("anonymous", "inactive", "member", "manager", "granted_coordinator")
# Where a signed-in person's htmx request is answered with a fragment instead:
# (url name, method, status without htmx) -> status with htmx.
HTMX_ANSWERS = {
    ("notification-read", "post", 302): 200,  # the bell's list, marked read
    ("matrix-cell", "post", 400): 422,  # the cell again, with the refusal for its editor
    ("picture-orgchart-department", "get", 302): 200,  # the branch, for under its card
    ("draft-cell", "post", 302): 200,  # the draft's cell, its row's flags and its impact
    ("draft-new-cell", "post", 302): 200,  # the same, for a cell of a new duty or role
}


def _user(persona: str):
    users = get_user_model().objects
    if persona == "anonymous":
        return None
    if persona == "granted_coordinator":
        from orgmap.models import Project
        from orgmap.services import coordinator_grant

        person = users.create_user("granted.coordinator", "granted@example.com", "x")
        coordinator_grant(
            person=person,
            project=Project.objects.get(code="LAUNCH"),
            by=users.get(username="admin"),
        )
        return person
    if persona == "inactive":
        return users.get(username=USERNAMES["manager"])
    return users.get(username=USERNAMES[persona])


def _status(response, htmx: bool) -> int:
    if htmx and response.status_code == 200 and "HX-Redirect" in response:
        return 302
    return response.status_code


@pytest.mark.parametrize(
    ("persona", "htmx"),
    [(p, False) for p in [*PERSONAS, *SAME_AS]] + [(p, True) for p in HTMX_PERSONAS],
)
def test_authorization_table(persona, htmx, demo_duties, client_for):
    Heartbeat.objects.create(name="beat", at=timezone.now())
    user = _user(persona)
    if persona == "inactive":
        # Signed in while active; deactivated since.
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if htmx else {}
    column = SAME_AS.get(persona, persona)
    failures = []
    for name, (url, expected) in build_table().items():
        get_status, post_status = expected[column]
        for method, want in (("get", get_status), ("post", post_status)):
            if want is None:
                continue
            with transaction.atomic():
                response = getattr(client_for(user), method)(url, headers=headers)
                transaction.set_rollback(True)
            if htmx and column != "anonymous":
                want = HTMX_ANSWERS.get((name, method, want), want)
            if _status(response, htmx) != want:
                failures.append(
                    f"{method.upper()} {name} ({url}): {response.status_code}, expected {want}"
                )
    assert not failures, "\n".join(failures)


def test_an_expired_session_sends_htmx_to_the_login_page_of_the_page(client):
    """Not the login form swapped into a cell: a whole-page redirect, back to the page."""
    response = client.post(
        "/departments/SALES/matrix/",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/departments/SALES/matrix/?page=2",
        },
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/departments/SALES/matrix/%3Fpage%3D2"
    foreign = client.get(
        "/findings/",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"},
    )
    assert foreign["HX-Redirect"] == "/accounts/login/?next=/"
