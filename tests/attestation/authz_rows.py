"""Rows of the authorization table (tests/test_authorization_table.py) for the role
confirmations (issue 16). Same format as build_table()."""

from __future__ import annotations

from django.urls import reverse

from orgmap.models import Role
from responsibilities.attestation import versions


def confirmation_rows(helpers) -> dict:
    analyst = Role.objects.get(title="Sales Operations Analyst")
    agent = Role.objects.get(title="Service Agent")  # the member holds it
    versions.record_versions({analyst.pk, agent.pk})  # asks the member to confirm
    login = (helpers.LOGIN, helpers.LOGIN)
    # Only the holder asked may answer; an empty answer is malformed (400).
    confirm = {p: login if p == "anonymous" else (403, 403) for p in helpers.PERSONAS}
    confirm["member"] = (200, 400)
    # POST only; an empty choice is refused with a message and a redirect.
    cadence = {
        p: login if p == "anonymous" else (405, 302 if p in {"manager", "hr", "admin"} else 403)
        for p in helpers.PERSONAS
    }
    coverage_readers = {"manager", "other_manager", "hr", "admin"}
    return {
        "role-versions": (reverse("role-versions", args=[analyst.pk]), helpers.read()),
        "role-version": (reverse("role-version", args=[analyst.pk, 1]), helpers.read()),
        "role-confirm": (reverse("role-confirm", args=[agent.pk]), confirm),
        "role-cadence": (reverse("role-cadence", args=[analyst.pk]), cadence),
        "my-confirmations": (reverse("my-confirmations"), helpers.read()),
        "confirmation-coverage": (
            reverse("confirmation-coverage"),
            helpers.edit(coverage_readers, post=405, denied=(403, 405)),
        ),
        "confirmation-coverage-export": (
            reverse("confirmation-coverage-export", args=["csv"]),
            helpers.edit(coverage_readers, post=405, denied=(403, 405)),
        ),
    }
