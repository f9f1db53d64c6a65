"""Demo duties and assignments, with a few planted gaps and overlaps so that the
findings show: a duty nobody is accountable for, two accountables, a vacant
responsible role, the same report written in two regional teams, and so on.

The demo has a past: the departments' duties were set up about five months ago, the
launch project's six weeks ago, and a few cells changed in the last fortnight, so that
"As it was on" a month ago shows a different matrix than today."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from orgmap.models import Department, Project, Role

from . import findings_store, raci, services
from .models import Assignment, AssignmentChange, Duty

# department code, duty title, frequency, project code, {role title: letter}
DUTIES = [
    (
        "SALES",
        "Maintain the sales forecast",
        "monthly",
        None,
        {
            "Head of Sales": "A",
            "Sales Operations Analyst": "R",
            "Production Planner": "C",
            "Finance Director": "I",
        },
    ),
    (
        "SALES",
        "Hand confirmed orders to Production",
        "daily",
        None,
        {"Head of Sales": "A", "Sales Operations Analyst": "R", "Production Planner": "I"},
    ),
    # Planted: nobody accountable, and two regional teams both doing it.
    (
        "SALES",
        "Negotiate key customer contracts",
        "as_needed",
        None,
        {
            "North Regional Sales Manager": "R",
            "South Regional Sales Manager": "R",
            "Finance Director": "C",
        },
    ),
    # Planted: two accountables.
    (
        "SALES",
        "Set regional sales targets",
        "yearly",
        None,
        {
            "Head of Sales": "A",
            "North Regional Sales Manager": "A",
            "Sales Operations Analyst": "R",
        },
    ),
    (
        "SALES-N",
        "Visit customers in the northern region",
        "weekly",
        None,
        {"North Regional Sales Manager": "A", "North Sales Representative": "R"},
    ),
    # Planted: the same report owned by both regional teams.
    (
        "SALES-N",
        "Prepare the monthly sales report",
        "monthly",
        None,
        {"North Regional Sales Manager": "AR"},
    ),
    (
        "SALES-S",
        "Prepare the monthly sales report",
        "monthly",
        None,
        {"South Regional Sales Manager": "AR"},
    ),
    # Planted: the only responsible role is vacant.
    (
        "SALES-S",
        "Visit customers in the southern region",
        "weekly",
        None,
        {"South Regional Sales Manager": "A", "South Sales Representative": "R"},
    ),
    (
        "PROD",
        "Plan the production schedule",
        "weekly",
        None,
        {
            "Production Manager": "A",
            "Production Planner": "R",
            "Sales Operations Analyst": "C",
            "Head of Sales": "I",
        },
    ),
    (
        "PROD",
        "Report production progress to Sales",
        "daily",
        None,
        {"Production Manager": "A", "Production Planner": "R", "Sales Operations Analyst": "I"},
    ),
    (
        "PROD",
        "Run quality inspections",
        "daily",
        None,
        {"Production Manager": "A", "Quality Inspector": "R"},
    ),
    # Planted: nobody accountable.
    ("PROD", "Maintain production lines", "weekly", None, {"Line Supervisor": "R"}),
    (
        "RND",
        "Design new products",
        "as_needed",
        None,
        {"R&D Director": "A", "Product Engineer": "R", "Market Research Analyst": "C"},
    ),
    ("RND", "Verify prototypes", "as_needed", None, {"R&D Director": "A", "Test Engineer": "R"}),
    (
        "RND",
        "Brief Sales on new products",
        "quarterly",
        None,
        {"R&D Director": "A", "Product Engineer": "R", "Head of Sales": "I"},
    ),
    (
        "MKT",
        "Research market trends",
        "quarterly",
        None,
        {"Marketing Director": "A", "Market Research Analyst": "R"},
    ),
    # Planted: the accountable role is vacant.
    (
        "MKT",
        "Run advertising campaigns",
        "monthly",
        None,
        {"Advertising Specialist": "A", "Marketing Director": "R"},
    ),
    (
        "FIN",
        "Prepare the monthly financial report",
        "monthly",
        None,
        {"Finance Director": "A", "Accountant": "R", "Accounting Supervisor": "C"},
    ),
    (
        "FIN",
        "Review department budgets",
        "quarterly",
        None,
        {
            "Finance Director": "A",
            "Accounting Supervisor": "R",
            "Head of Sales": "C",
            "Production Manager": "C",
        },
    ),
    (
        "FIN",
        "Close the books each month",
        "monthly",
        None,
        {"Accounting Supervisor": "A", "Accountant": "R"},
    ),
    (
        "CS",
        "Answer customer requests",
        "daily",
        None,
        {"Customer Service Lead": "A", "Service Agent": "R"},
    ),
    # Planted: nobody accountable for the hand-off of complaints.
    (
        "CS",
        "Pass customer complaints to Production",
        "as_needed",
        None,
        {"Service Agent": "R", "Production Manager": "I"},
    ),
    (
        "PMO",
        "Coordinate cross-department projects",
        "weekly",
        None,
        {"PMO Lead": "A", "Project Manager": "R"},
    ),
    ("HR", "Keep role descriptions up to date", "yearly", None, {"HR Manager": "AR"}),
    # Planted: a retired role still holds the work.
    (
        "HR",
        "Organise cross-department training",
        "quarterly",
        None,
        {"HR Manager": "A", "Training Coordinator": "R"},
    ),
    # The launch project: cross-department by design.
    (
        "RND",
        "Define the launch product specification",
        "as_needed",
        "LAUNCH",
        {
            "R&D Director": "A",
            "Product Engineer": "R",
            "Market Research Analyst": "C",
            "Head of Sales": "C",
        },
    ),
    (
        "MKT",
        "Plan the launch campaign",
        "as_needed",
        "LAUNCH",
        {
            "Marketing Director": "A",
            "Market Research Analyst": "R",
            "Advertising Specialist": "R",
            "Head of Sales": "C",
        },
    ),
    (
        "SALES",
        "Train the sales team on the new product",
        "as_needed",
        "LAUNCH",
        {"Head of Sales": "A", "Product Engineer": "R", "Sales Operations Analyst": "R"},
    ),
    # Planted: nobody accountable for the ramp-up.
    (
        "PROD",
        "Ramp up production for the launch",
        "as_needed",
        "LAUNCH",
        {"Production Planner": "R", "Head of Sales": "I"},
    ),
]


# When the duties were written down (days ago): the departments' own long ago, the
# launch project's when the project started.
DEPARTMENT_DUTIES_DAYS_AGO = 150
PROJECT_DUTIES_DAYS_AGO = 42

# Cells that changed since: (duty title, role title, letter before, letter now or "" for
# cleared, days ago). The letter now is the one DUTIES gives (or the cell is empty).
CHANGES = [
    ("Plan the launch campaign", "Advertising Specialist", "C", "R", 12),
    ("Train the sales team on the new product", "Sales Operations Analyst", "I", "R", 9),
    ("Maintain the sales forecast", "Finance Director", "C", "I", 16),
    ("Hand confirmed orders to Production", "Finance Director", "I", "", 20),
]


def _backdate(duty: Duty, role: Role, when: list[datetime.datetime]) -> None:
    """Date a cell's history rows (oldest first) and the cell itself as given."""
    rows = list(AssignmentChange.objects.filter(duty=duty, role=role).order_by("pk"))
    for row, changed_at in zip(rows, when, strict=False):
        AssignmentChange.objects.filter(pk=row.pk).update(changed_at=changed_at)
    Assignment.objects.filter(duty=duty, role=role).update(updated_at=when[-1])


def _seed_changes(roles: dict[str, Role], now: datetime.datetime) -> None:
    for duty_title, role_title, before, after, days_ago in CHANGES:
        duty = Duty.objects.filter(title=duty_title).first()
        role = roles.get(role_title)
        if duty is None or role is None:
            continue
        if AssignmentChange.objects.filter(duty=duty, role=role).exists():
            continue  # seeded before
        created = duty.created_at
        first = services.assignment_set(
            duty=duty, role=role, letter=before, expected_version=0, by=None, source="demo"
        )
        services.assignment_set(
            duty=duty,
            role=role,
            letter=after or None,
            expected_version=first.assignment.version,
            by=None,
            source="demo",
        )
        _backdate(duty, role, [created, now - datetime.timedelta(days=days_ago)])


@transaction.atomic
@findings_store.deferred()
def seed_duties() -> dict[str, int]:
    created = {"duties": 0, "assignments": 0}
    departments = {d.code: d for d in Department.objects.all()}
    projects = {p.code: p for p in Project.objects.all()}
    roles: dict[str, Role] = {}
    for role in Role.objects.select_related("department"):
        roles.setdefault(role.title, role)
    now = timezone.now()
    for index, (code, title, frequency, project_code, letters) in enumerate(DUTIES):
        project = projects.get(project_code) if project_code else None
        duty = Duty.objects.filter(
            department=departments[code], project=project, title_key=raci.duty_identity(title)
        ).first()
        if duty is None:
            duty = services.duty_create(
                title=title, department=departments[code], project=project, frequency=frequency
            )
            days_ago = PROJECT_DUTIES_DAYS_AGO if project else DEPARTMENT_DUTIES_DAYS_AGO
            # A few hours apart, in the order listed, so the history reads naturally.
            duty.created_at = now - datetime.timedelta(days=days_ago, hours=-len(DUTIES) + index)
            Duty.objects.filter(pk=duty.pk).update(created_at=duty.created_at)
            created["duties"] += 1
        for role_title, letter in letters.items():
            role = roles[role_title]
            if Assignment.objects.filter(duty=duty, role=role).exists():
                continue
            if any(c[0] == title and c[1] == role_title for c in CHANGES):
                continue  # written with its past below
            services.assignment_set(
                duty=duty, role=role, letter=letter, expected_version=0, by=None, source="demo"
            )
            _backdate(duty, role, [duty.created_at])
            created["assignments"] += 1
    _seed_changes(roles, now)
    return created
