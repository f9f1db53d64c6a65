"""Demo projects; idempotent like the rest of the demo data."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Department, Project

# code, name, goal, departments, coordinator username, start, end, status
PROJECTS = [
    (
        "LAUNCH",
        "New product launch",
        "Bring the new product to market: specification, campaign, sales training and production ramp-up.",
        ["RND", "MKT", "SALES", "PROD"],
        "paul.meyer",
        datetime.date(2026, 9, 1),
        datetime.date(2027, 3, 31),
        Project.Status.ACTIVE,
    ),
]


@transaction.atomic
def seed_projects() -> dict[str, int]:
    created = 0
    for code, name, goal, department_codes, coordinator, starts_on, ends_on, status in PROJECTS:
        project, was_created = Project.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "goal": goal,
                "coordinator": get_user_model().objects.filter(username=coordinator).first(),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "status": status,
            },
        )
        if was_created:
            project.departments.set(Department.objects.filter(code__in=department_codes))
            created += 1
    return {"projects": created}
