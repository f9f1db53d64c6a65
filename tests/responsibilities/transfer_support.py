"""Shared by the import and export tests: file builders, a snapshot of what an import
may write, and the demo organisation seeded once per module.

Seeding the demo duties costs about half a second; the import and export tests are
many and only read it or change it inside their own transaction, so each module seeds
once, every test rolls back to that state, and the module empties the database when
it is done (as a transactional test does) so that other modules start clean.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import Workbook

from orgmap.models import Department, Role, RoleHolder
from responsibilities.models import Assignment, AssignmentChange, Duty


def seeded_demo_fixtures():
    """(module seed, demo_org, demo_duties): assign all three in a test module to make
    the conftest personas use the module's seed."""

    @pytest.fixture(scope="module")
    def demo_seed(django_db_setup, django_db_blocker):
        from orgmap.demo import seed_organisation
        from orgmap.demo_projects import seed_projects
        from responsibilities.demo import seed_duties

        with django_db_blocker.unblock():
            seed_organisation()
            seed_projects()
            seed_duties()
        yield
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)

    @pytest.fixture
    def demo_org(demo_seed, db):
        return None

    @pytest.fixture
    def demo_duties(demo_seed, db):
        return None

    return demo_seed, demo_org, demo_duties


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def snapshot() -> dict[str, int]:
    """What an import may write, counted: a refused import changes none of it."""
    return {
        "duties": Duty.objects.count(),
        "assignments": Assignment.objects.count(),
        "history": AssignmentChange.objects.count(),
        "users": get_user_model().objects.count(),
        "roles": Role.objects.count(),
        "departments": Department.objects.count(),
        "holdings": RoleHolder.objects.count(),
        "versions": sum(Assignment.objects.values_list("version", flat=True)),
        "active roles": Role.objects.filter(active=True).count(),
        "reporting lines": Role.objects.filter(reports_to__isnull=False).count(),
    }
