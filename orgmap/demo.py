"""The demo organisation of the design's problem statement.

Every write is keyed on a natural key (department code, role title, username) and only
creates what is missing, so seeding twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from .models import Department, Role, RoleHolder
from .permissions import HR_GROUP, MANAGE_DEPARTMENT, ORG_ADMINS_GROUP

DEMO_PASSWORD = "demo"

# code, name, parent code, description
DEPARTMENTS = [
    ("SALES", "Sales", None, "Wins and keeps customers; hands orders to Production."),
    ("SALES-N", "North Sales", "SALES", "Regional sales team for the northern region."),
    ("SALES-S", "South Sales", "SALES", "Regional sales team for the southern region."),
    ("PROD", "Production", None, "Plans and runs manufacturing; reports schedule and progress."),
    ("RND", "R&D", None, "Designs new products and briefs Sales on them."),
    ("MKT", "Marketing", None, "Market research and advertising."),
    ("FIN", "Finance", None, "Accounting, budgets and financial reporting."),
    ("CS", "Customer Service", None, "Answers customers and feeds their issues back."),
    ("PMO", "Project Management Office", None, "Coordinates projects that span departments."),
    ("HR", "Human Resources", None, "Keeps role descriptions, hiring and training."),
]

# department code, title, reports to (title in any department), purpose, active, head?
ROLES = [
    (
        "SALES",
        "Head of Sales",
        None,
        "Leads the sales organisation and owns the revenue plan.",
        True,
        True,
    ),
    (
        "SALES",
        "Sales Operations Analyst",
        "Head of Sales",
        "Keeps the CRM, forecasts and order hand-offs clean.",
        True,
        False,
    ),
    (
        "SALES-N",
        "North Regional Sales Manager",
        "Head of Sales",
        "Leads the northern sales team.",
        True,
        True,
    ),
    (
        "SALES-N",
        "North Sales Representative",
        "North Regional Sales Manager",
        "Sells to customers in the northern region.",
        True,
        False,
    ),
    (
        "SALES-S",
        "South Regional Sales Manager",
        "Head of Sales",
        "Leads the southern sales team.",
        True,
        True,
    ),
    (
        "SALES-S",
        "South Sales Representative",
        "South Regional Sales Manager",
        "Sells to customers in the southern region.",
        True,
        False,
    ),
    (
        "PROD",
        "Production Manager",
        None,
        "Owns the production plan, capacity and delivery dates.",
        True,
        True,
    ),
    (
        "PROD",
        "Production Planner",
        "Production Manager",
        "Turns orders into a production schedule.",
        True,
        False,
    ),
    (
        "PROD",
        "Line Supervisor",
        "Production Manager",
        "Runs a production line shift by shift.",
        True,
        False,
    ),
    (
        "PROD",
        "Quality Inspector",
        "Production Manager",
        "Checks that products meet the specification.",
        True,
        False,
    ),
    ("RND", "R&D Director", None, "Leads product development.", True, True),
    ("RND", "Product Engineer", "R&D Director", "Designs and documents new products.", True, False),
    ("RND", "Test Engineer", "R&D Director", "Verifies prototypes before release.", True, False),
    (
        "MKT",
        "Marketing Director",
        None,
        "Leads marketing: research, positioning and campaigns.",
        True,
        True,
    ),
    (
        "MKT",
        "Market Research Analyst",
        "Marketing Director",
        "Studies markets, customers and competitors.",
        True,
        False,
    ),
    (
        "MKT",
        "Advertising Specialist",
        "Marketing Director",
        "Plans and runs advertising campaigns.",
        True,
        False,
    ),
    ("FIN", "Finance Director", None, "Owns budgets and financial reporting.", True, True),
    (
        "FIN",
        "Accounting Supervisor",
        "Finance Director",
        "Supervises bookkeeping and month-end closing.",
        True,
        False,
    ),
    (
        "FIN",
        "Accountant",
        "Accounting Supervisor",
        "Keeps the books and prepares reports.",
        True,
        False,
    ),
    ("CS", "Customer Service Lead", None, "Leads the service desk and its hand-offs.", True, True),
    ("CS", "Service Agent", "Customer Service Lead", "Answers customer requests.", True, False),
    (
        "PMO",
        "PMO Lead",
        None,
        "Runs the project portfolio and cross-department coordination.",
        True,
        True,
    ),
    ("PMO", "Project Manager", "PMO Lead", "Coordinates a cross-department project.", True, False),
    ("HR", "HR Manager", None, "Keeps role descriptions, hiring and training.", True, True),
    (
        "HR",
        "Training Coordinator",
        "HR Manager",
        "Organises training across departments (position retired).",
        False,
        False,
    ),
]

# username, display name, email, roles held (department code, title), groups, manages, superuser
PEOPLE = [
    ("admin", "Alex Admin", "admin@example.com", [], [ORG_ADMINS_GROUP], [], True),
    ("hr", "Hannah Reyes", "hr@example.com", [("HR", "HR Manager")], [HR_GROUP], [], False),
    (
        "sales_manager",
        "Sam Sales",
        "sales.manager@example.com",
        [("SALES", "Head of Sales")],
        [],
        ["SALES"],
        False,
    ),
    (
        "production_manager",
        "Priya Patel",
        "production.manager@example.com",
        [("PROD", "Production Manager")],
        [],
        ["PROD"],
        False,
    ),
    ("member", "Max Member", "member@example.com", [("CS", "Service Agent")], [], [], False),
    (
        "li.na",
        "李娜",
        "li.na@example.com",
        [("SALES-N", "North Regional Sales Manager")],
        [],
        [],
        False,
    ),
    (
        "wang.fang",
        "王芳",
        "wang.fang@example.com",
        [("SALES-N", "North Sales Representative")],
        [],
        [],
        False,
    ),
    (
        "omar.haddad",
        "Omar Haddad",
        "omar.haddad@example.com",
        [("SALES-S", "South Regional Sales Manager")],
        [],
        [],
        False,
    ),
    (
        "sara.lind",
        "Sara Lind",
        "sara.lind@example.com",
        [("SALES", "Sales Operations Analyst")],
        [],
        [],
        False,
    ),
    ("ken.ito", "Ken Ito", "ken.ito@example.com", [("PROD", "Production Planner")], [], [], False),
    (
        "maria.rossi",
        "Maria Rossi",
        "maria.rossi@example.com",
        [("PROD", "Line Supervisor"), ("PROD", "Quality Inspector")],
        [],
        [],
        False,
    ),
    ("zhang.wei", "张伟", "zhang.wei@example.com", [("RND", "R&D Director")], [], [], False),
    (
        "lena.fischer",
        "Lena Fischer",
        "lena.fischer@example.com",
        [("RND", "Product Engineer")],
        [],
        [],
        False,
    ),
    (
        "david.kim",
        "David Kim",
        "david.kim@example.com",
        [("MKT", "Marketing Director")],
        [],
        [],
        False,
    ),
    (
        "ana.souza",
        "Ana Souza",
        "ana.souza@example.com",
        [("MKT", "Market Research Analyst")],
        [],
        [],
        False,
    ),
    (
        "tom.baker",
        "Tom Baker",
        "tom.baker@example.com",
        [("FIN", "Finance Director")],
        [],
        [],
        False,
    ),
    (
        "chen.jing",
        "陈静",
        "chen.jing@example.com",
        [("FIN", "Accounting Supervisor")],
        [],
        [],
        False,
    ),
    ("noah.berg", "Noah Berg", "noah.berg@example.com", [("FIN", "Accountant")], [], [], False),
    (
        "fatima.ali",
        "Fatima Ali",
        "fatima.ali@example.com",
        [("CS", "Customer Service Lead")],
        [],
        [],
        False,
    ),
    (
        "paul.meyer",
        "Paul Meyer",
        "paul.meyer@example.com",
        [("PMO", "PMO Lead"), ("PMO", "Project Manager")],
        [],
        [],
        False,
    ),
]

DEMO_LOGINS = ["admin", "hr", "sales_manager", "production_manager", "member"]

# A fixed start date for demo holdings, so a second run finds the same rows.
HOLDING_SINCE = datetime.date(2024, 1, 1)


@transaction.atomic
def seed_organisation() -> dict[str, int]:
    created = {"departments": 0, "roles": 0, "people": 0, "holdings": 0}
    departments: dict[str, Department] = {}
    for code, name, parent_code, description in DEPARTMENTS:
        department, was_created = Department.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "parent": departments.get(parent_code) if parent_code else None,
            },
        )
        departments[code] = department
        created["departments"] += was_created

    roles: dict[tuple[str, str], Role] = {}
    today = timezone.localdate()
    for index, (code, title, _reports_to, purpose, active, _head) in enumerate(ROLES):
        # A few reviews fall due soon or are overdue, so that review lists have content.
        last_reviewed = today.replace(day=1) - datetime.timedelta(days=30 * (index % 14))
        role, was_created = Role.objects.get_or_create(
            department=departments[code],
            title=title,
            defaults={"purpose": purpose, "active": active, "last_reviewed_on": last_reviewed},
        )
        roles[(code, title)] = role
        created["roles"] += was_created
    by_title = {title: role for (_code, title), role in roles.items()}
    for code, title, reports_to, _purpose, _active, head in ROLES:
        role = roles[(code, title)]
        if reports_to and role.reports_to_id is None:
            role.reports_to = by_title[reports_to]
            role.save(update_fields=["reports_to"])
        department = departments[code]
        if head and department.head_id is None:
            department.head = role
            department.save(update_fields=["head"])

    groups = {
        name: Group.objects.get_or_create(name=name)[0] for name in (ORG_ADMINS_GROUP, HR_GROUP)
    }
    User = get_user_model()
    for username, display_name, email, held, group_names, manages, superuser in PEOPLE:
        person = User.objects.filter(username=username).first()
        if person is None:
            person = User(
                username=username, email=email, is_superuser=superuser, is_staff=superuser
            )
            person.set_password(DEMO_PASSWORD)
            person.save()
            person.profile.display_name = display_name
            person.profile.save(update_fields=["display_name"])
            created["people"] += 1
            for name in group_names:
                person.groups.add(groups[name])
            for code in manages:
                assign_perm(f"orgmap.{MANAGE_DEPARTMENT}", person, departments[code])
        for code, title in held:
            _holding, was_created = RoleHolder.objects.get_or_create(
                role=roles[(code, title)],
                person=person,
                until=None,
                defaults={"since": HOLDING_SINCE},
            )
            created["holdings"] += was_created
    return created
