"""Demo duties and assignments, with a few planted gaps and overlaps so that the
findings show: a duty nobody is accountable for, two accountables, a vacant
responsible role, the same report written in two regional teams, and so on."""

from __future__ import annotations

from django.db import transaction

from orgmap.models import Department, Project, Role

from . import findings_store, raci, services
from .models import Assignment, Duty

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


@transaction.atomic
@findings_store.deferred()
def seed_duties() -> dict[str, int]:
    created = {"duties": 0, "assignments": 0}
    departments = {d.code: d for d in Department.objects.all()}
    projects = {p.code: p for p in Project.objects.all()}
    roles: dict[str, Role] = {}
    for role in Role.objects.select_related("department"):
        roles.setdefault(role.title, role)
    for code, title, frequency, project_code, letters in DUTIES:
        project = projects.get(project_code) if project_code else None
        duty = Duty.objects.filter(
            department=departments[code], project=project, title_key=raci.duty_identity(title)
        ).first()
        if duty is None:
            duty = services.duty_create(
                title=title, department=departments[code], project=project, frequency=frequency
            )
            created["duties"] += 1
        for role_title, letter in letters.items():
            role = roles[role_title]
            if Assignment.objects.filter(duty=duty, role=role).exists():
                continue
            services.assignment_set(
                duty=duty, role=role, letter=letter, expected_version=0, by=None, source="demo"
            )
            created["assignments"] += 1
    return created
