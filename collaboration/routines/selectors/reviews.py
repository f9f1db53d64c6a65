"""Roles whose periodic review is overdue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from orgmap.models import Department, Role

# ---------------------------------------------------------------------------- reviews


@dataclass(frozen=True)
class OverdueRole:
    id: int
    title: str
    department_code: str
    department_name: str
    due_on: datetime.date


def overdue_roles(
    *, today: datetime.date, department: Department | None = None
) -> list[OverdueRole]:
    """Active roles whose review (last review + cadence) is past: one query of the
    fields involved. Adding months is done here because SQLite and PostgreSQL do date
    arithmetic differently; the rows are small."""
    rows = Role.objects.filter(
        active=True, review_cadence_months__isnull=False, last_reviewed_on__isnull=False
    )
    if department is not None:
        rows = rows.filter(department=department)
    overdue = []
    for row in rows.values(
        "pk",
        "title",
        "department__code",
        "department__name",
        "review_cadence_months",
        "last_reviewed_on",
    ):
        due = row["last_reviewed_on"] + relativedelta(months=row["review_cadence_months"])
        if due < today:
            overdue.append(
                OverdueRole(
                    id=row["pk"],
                    title=row["title"],
                    department_code=row["department__code"],
                    department_name=row["department__name"],
                    due_on=due,
                )
            )
    return sorted(overdue, key=lambda r: (r.due_on, r.title))
