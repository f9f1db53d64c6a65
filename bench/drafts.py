"""Drafts benchmark: the impact of a draft with 200 changes on the O*NET organisation
(22 departments, 923 roles, 18,022 duties, 46,098 assignments), and the pages that
show it while the draft is edited.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orgmap_bench_drafts DEBUG=1 \
        .venv/bin/python bench/drafts.py [--reuse]

The 200 changes: 150 letters (set, changed and cleared, on duties of several
departments, roles of the duty's department and of others) and 50 duties (25 moved to
another department, 15 renamed, 10 retired). The PostgreSQL database named in
DATABASE_URL is dropped and created again. Data: "Contains information from O*NET 26.3
Database by the U.S. Department of Labor, Employment and Training Administration
(USDOL/ETA), used under the CC BY 4.0 license."
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import DATA, _prepare_postgres, timed


def _draft_with_changes(author, count_cells: int = 150, count_duties: int = 50):
    from collaboration.drafts import services
    from orgmap.models import Department, Role
    from responsibilities.models import Assignment, Duty

    rng = random.Random(15)
    draft = services.draft_create(name="Bench: 200 changes", author=author)
    departments = list(Department.objects.order_by("pk"))
    duties = list(Duty.objects.filter(active=True).order_by("pk")[:: 18022 // 400][:400])
    rng.shuffle(duties)
    roles = list(Role.objects.filter(active=True).order_by("pk"))
    cells = list(Assignment.objects.filter(duty__in=duties[:count_cells]).select_related("role"))
    letters = ["R", "A", "C", "I", "AR", None]
    made = 0
    for cell in cells[: count_cells // 2]:  # change or clear existing letters
        letter = rng.choice([x for x in letters if x != cell.letter])
        made += bool(
            services.draft_cell_set(draft=draft, duty=cell.duty, role=cell.role, letter=letter)
            or letter is None
        )
    for duty in duties[: count_cells - count_cells // 2]:  # new letters for other roles
        services.draft_cell_set(
            draft=draft, duty=duty, role=rng.choice(roles), letter=rng.choice(letters[:4])
        )
    for index, duty in enumerate(duties[count_cells : count_cells + count_duties]):
        department, title, active = duty.department, duty.title, True
        if index < 25:
            department = rng.choice([d for d in departments if d.pk != duty.department_id])
        elif index < 40:
            title = f"{duty.title} (reviewed)"
        else:
            active = False
        # A title the other department already has is refused: that change is skipped.
        with contextlib.suppress(services.DutyInvalid):
            services.draft_duty_change(
                draft=draft,
                duty=duty,
                title=title,
                department=department,
                project=duty.project,
                active=active,
            )
    return draft


def main() -> None:
    # --reuse: the database of an earlier run (imported, with its draft) is kept.
    reuse = "--reuse" in sys.argv
    if not reuse:
        _prepare_postgres()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    print(f"database: {connection.vendor}; data: {DATA}")
    call_command("migrate", verbosity=0)
    if not reuse:
        start = time.perf_counter()
        call_command("import_people", str(DATA / "people.csv"), verbosity=0)
        call_command("import_raci", str(DATA / "raci.csv"), verbosity=0)
        print(f"{'import (people, raci)':58} {time.perf_counter() - start:8.1f} s")

    from collaboration.drafts.impact import draft_impact
    from collaboration.drafts.models import Draft, DraftCell

    if reuse:
        draft = Draft.objects.get(name="Bench: 200 changes")
        admin = draft.author
    else:
        admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
        draft = _draft_with_changes(admin)
    print(
        f"draft: {draft.cells.count()} letters, {draft.duties.count()} duties "
        f"({draft.cells.count() + draft.duties.count()} changes)"
    )
    impact = timed("impact of the draft (draft_impact)", lambda: draft_impact(draft), 7)
    print(
        f"  -> opens {len(impact.opened)}, closes {len(impact.closed)}, "
        f"{len(impact.loads)} role loads change"
    )
    client = Client()
    client.force_login(admin)
    cell = DraftCell.objects.filter(draft=draft).select_related("duty__department").first()
    code = cell.duty.department.code
    timed(
        f"matrix page in the draft ({code})",
        lambda: client.get(f"/drafts/{draft.pk}/matrix/{code}/"),
    )
    timed("draft page (changes, conflicts, impact)", lambda: client.get(f"/drafts/{draft.pk}/"))
    letters = iter(["C", "I"] * 10)
    timed(
        "cell edit in the draft (htmx, with the impact)",
        lambda: client.post(
            f"/drafts/{draft.pk}/cells/{cell.duty_id}/{cell.role_id}/",
            {"letter": next(letters), "scope": f"department:{code}"},
            headers={"HX-Request": "true"},
        ),
    )


if __name__ == "__main__":
    main()
