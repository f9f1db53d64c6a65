"""A database made by the release before the one-way layout migrates forward intact.

The previous release (LAYOUT_BEFORE, the last commit before models moved between apps)
is taken from git history, migrated and seeded with its own demo data plus a granted
project coordinator, in a SQLite file; then this checkout's migrations run on that
file. Every row of every table the old release had must still be there, unchanged;
content types follow their models, so guardian grants and permissions keep working."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUT_BEFORE = "81e1410"  # main before issue 10's restructure
# Tables whose rows legitimately change: the migration log grows, content types move.
CHANGING = {"django_migrations", "django_content_type"}

GRANT_COORDINATOR = """
from django.contrib.auth import get_user_model
from guardian.shortcuts import assign_perm
from collaboration.models import Project
user = get_user_model().objects.get(username="member")
assign_perm("collaboration.coordinate_project", user, Project.objects.get(code="LAUNCH"))
"""

CHECK_WITH_NEW_CODE = """
import json
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from orgmap import permissions
from orgmap.models import Project, ProjectUserObjectPermission
from collaboration.meetings.models import Meeting
from collaboration.reminders.models import ReminderDelivery
from responsibilities.models import AssignmentChange, InformationFlow
member = get_user_model().objects.get(username="member")
project = Project.objects.get(code="LAUNCH")
grant = ProjectUserObjectPermission.objects.get(user=member)
print(json.dumps({
    "coordinates": project.pk in permissions.coordinated_project_ids(member),
    "grant_app": grant.permission.content_type.app_label,
    "has_perm": member.has_perm("orgmap.coordinate_project", project),
    "project_departments": project.departments.count(),
    "meetings": Meeting.objects.count(),
    "flows": InformationFlow.objects.count(),
    "history": AssignmentChange.objects.count(),
    "duty_projects": project.duties.count(),
    "deliveries": ReminderDelivery.objects.count(),
    "stale_types": sorted(
        f"{ct.app_label}.{ct.model}"
        for ct in ContentType.objects.filter(app_label__in=["collaboration"])
    ),
}))
"""


def _export_previous_release(target: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", LAYOUT_BEFORE],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")


def _manage(cwd: Path, env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _snapshot(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        snapshot = {}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            columns = [column[0] for column in cursor.description]
            snapshot[table] = (columns, sorted(map(tuple, cursor.fetchall()), key=repr))
        return snapshot


def _project(rows: list[tuple], columns: list[str], wanted: list[str]) -> list[tuple]:
    positions = [columns.index(name) for name in wanted]
    return sorted((tuple(row[i] for i in positions) for row in rows), key=repr)


def test_database_of_the_previous_layout_migrates_forward_intact(tmp_path):
    old_tree = tmp_path / "previous"
    old_tree.mkdir()
    _export_previous_release(old_tree)
    database = tmp_path / "orgmap.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "ORGMAP_DATA_DIR": str(tmp_path / "var"),
        "PYTHONPATH": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    _manage(old_tree, env, "migrate", "--no-input", "-v", "0")
    _manage(old_tree, env, "seed_demo")
    _manage(old_tree, env, "shell", "-c", GRANT_COORDINATOR)
    before = _snapshot(database)

    _manage(ROOT, env, "migrate", "--no-input", "-v", "0")
    after = _snapshot(database)

    for table, (columns, rows) in before.items():
        assert table in after, f"table {table} disappeared"
        if table in CHANGING:
            continue
        new_columns, new_rows = after[table]
        # Every old row is still there, unchanged (new migrations may add rows, e.g. the
        # permissions of new models).
        kept = set(_project(new_rows, new_columns, columns))
        lost = [row for row in rows if row not in kept]
        assert not lost, f"{len(lost)} rows of {table} lost or changed, e.g. {lost[:2]}"
    assert sum(len(rows) for _, rows in before.values()) > 500  # the demo was loaded

    output = _manage(ROOT, env, "shell", "-v", "0", "-c", CHECK_WITH_NEW_CODE)
    report = json.loads(output.strip().splitlines()[-1])
    assert report["coordinates"] and report["has_perm"]
    assert report["grant_app"] == "orgmap"
    assert report["stale_types"] == []
    # The new models read the old tables whole.
    tables = {
        "meetings": "collaboration_meeting",
        "flows": "routines_informationflow",
        "history": "responsibilities_assignmentchange",
        "deliveries": "collaboration_reminderdelivery",
    }
    for key, table in tables.items():
        assert report[key] == len(before[table][1]), key
    assert report["meetings"] > 0 and report["flows"] > 0 and report["history"] > 0
    assert report["project_departments"] >= 2 and report["duty_projects"] > 0
