"""The O*NET-derived organisation (a slice of it) through the management commands:
people first, then the RACI rows of the departments those create.

Contains information from O*NET 26.3 Database by the U.S. Department of Labor, Employment
and Training Administration (USDOL/ETA), used under the CC BY 4.0 license.
"""

from __future__ import annotations

import csv
import io
import os

import pytest
from django.core.management import call_command

from orgmap.models import Department, Role, RoleHolder
from responsibilities import raci
from responsibilities.models import Assignment, AssignmentChange, Duty

pytestmark = pytest.mark.django_db


def _lines(rows: list[list[str]]) -> list[str]:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().splitlines()


ONET = "/work/shared/data/onet-org"


@pytest.mark.skipif(not os.path.exists(f"{ONET}/people.csv"), reason="O*NET sample data missing")
def test_a_slice_of_the_onet_organisation_imports_through_the_commands(tmp_path, db):
    with open(f"{ONET}/people.csv", encoding="utf-8", newline="") as handle:
        people = list(csv.reader(handle))[:301]
    people_path = tmp_path / "people.csv"
    people_path.write_text("".join(f"{line}\n" for line in _lines(people)), encoding="utf-8")
    out = io.StringIO()
    call_command("import_people", str(people_path), stdout=out)
    departments = {row[2] for row in people[1:]}
    roles = {(row[2], row[3]) for row in people[1:]}
    assert Department.objects.count() == len(departments)
    assert Role.objects.count() == len(roles)
    vacant = sum(1 for row in people[1:] if not row[0])
    assert RoleHolder.objects.count() == len(people) - 1 - vacant

    with open(f"{ONET}/raci.csv", encoding="utf-8", newline="") as handle:
        raci_rows = list(csv.reader(handle))
    header, body = raci_rows[0], raci_rows[1:]
    chosen = [row for row in body if row[0] in departments and (row[3], row[2]) in roles]
    raci_path = tmp_path / "raci.csv"
    raci_path.write_text(
        "".join(f"{line}\n" for line in _lines([header, *chosen])), encoding="utf-8"
    )
    call_command("import_raci", str(raci_path), "--dry-run", stdout=io.StringIO())
    assert Duty.objects.count() == 0
    call_command("import_raci", str(raci_path), stdout=io.StringIO())
    keys = {(row[0], raci.duty_identity(row[1])) for row in chosen}
    assert Duty.objects.count() == len(keys)
    assert Assignment.objects.count() == len(
        {(row[0], raci.duty_identity(row[1]), row[3], row[2]) for row in chosen}
    )
    assert AssignmentChange.objects.filter(source="import").count() == Assignment.objects.count()
    # A second run finds nothing to do.
    out = io.StringIO()
    call_command("import_raci", str(raci_path), stdout=out)
    assert "Cells set: 0, changed: 0" in out.getvalue()
