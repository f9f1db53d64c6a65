"""Demo meetings and reviews; idempotent like the rest of the demo data.

Meetings are keyed on their title and dated relative to the day of the first seeding
(so that a fresh demo has upcoming dates); a second run finds them and changes nothing.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orgmap.models import Department, Project, Role
from responsibilities.models import Duty

from . import recurrence
from .models import Meeting, Review

User = get_user_model()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=recurrence.zone(settings.TIME_ZONE)
    )


def _next_weekday(today: datetime.date, weekday: int) -> datetime.date:
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _meetings(today: datetime.date) -> list[dict]:
    first_of_next_month = today.replace(day=1) + relativedelta(months=1)
    return [
        {
            "title": "Weekly Sales–Production sync",
            "kind": Meeting.Kind.SYNC,
            "departments": ["SALES", "PROD"],
            "organiser": "sales_manager",
            "roles": [
                ("SALES", "Head of Sales"),
                ("SALES", "Sales Operations Analyst"),
                ("PROD", "Production Manager"),
                ("PROD", "Production Planner"),
            ],
            "people": [],
            "agenda": "1. Orders confirmed since last week\n2. Capacity and delivery dates\n3. Escalations",
            "location": "Room 2.14 / https://meet.example.com/sales-production",
            "starts_at": _at(_next_weekday(today, 0) - datetime.timedelta(days=21), 9),
            "duration": 45,
            "recurrence": Meeting.Recurrence.WEEKLY,
        },
        {
            "title": "Monthly cross-department review",
            "kind": Meeting.Kind.REVIEW,
            "departments": ["SALES", "PROD", "RND", "MKT", "FIN", "CS", "PMO"],
            "organiser": "paul.meyer",
            "roles": [
                ("SALES", "Head of Sales"),
                ("PROD", "Production Manager"),
                ("RND", "R&D Director"),
                ("MKT", "Marketing Director"),
                ("FIN", "Finance Director"),
                ("CS", "Customer Service Lead"),
                ("PMO", "PMO Lead"),
            ],
            "people": ["hr"],
            "agenda": "Who does what: the findings of the RACI matrix, overdue reviews, hand-offs that hurt.",
            "location": "Board room",
            "starts_at": _at(first_of_next_month, 14),
            "duration": 90,
            "recurrence": Meeting.Recurrence.MONTHLY,
            "count": 12,
        },
        {
            "title": "Product training: R&D briefs Sales",
            "kind": Meeting.Kind.TRAINING,
            "departments": ["RND", "SALES"],
            "organiser": "zhang.wei",
            "roles": [
                ("RND", "Product Engineer"),
                ("SALES-N", "North Sales Representative"),
                ("SALES-S", "South Sales Representative"),
                ("SALES-N", "North Regional Sales Manager"),
                ("SALES-S", "South Regional Sales Manager"),
            ],
            "people": [],
            "agenda": "The new product: what it does, for whom, how it compares, and the questions customers ask.",
            "location": "Training room 1",
            "starts_at": _at(today + datetime.timedelta(days=10), 10),
            "duration": 120,
            "recurrence": Meeting.Recurrence.NONE,
        },
        {
            "title": "Launch retrospective",
            "kind": Meeting.Kind.RETROSPECTIVE,
            "departments": [],
            "project": "LAUNCH",
            "organiser": "paul.meyer",
            "roles": [
                ("RND", "R&D Director"),
                ("MKT", "Marketing Director"),
                ("SALES", "Head of Sales"),
                ("PROD", "Production Manager"),
            ],
            "people": [],
            "agenda": "What went well, what did not, what we change for the next launch.",
            "location": "https://meet.example.com/launch-retro",
            "starts_at": _at(today + datetime.timedelta(days=20), 15),
            "duration": 60,
            "recurrence": Meeting.Recurrence.NONE,
        },
    ]


# (department code, duty title, months since the last review): cadence is yearly, so
# 13 months makes a review a month overdue and 11 months one due soon.
DUTY_REVIEWS = [
    ("SALES", "Maintain the sales forecast", 13),
    ("SALES", "Hand confirmed orders to Production", 11),
]


@transaction.atomic
def seed_meetings() -> dict[str, int]:
    created = {"meetings": 0, "reviews": 0}
    today = timezone.localdate()
    people = {user.username: user for user in User.objects.all()}
    for spec in _meetings(today):
        if Meeting.objects.filter(title=spec["title"]).exists():
            continue
        project = Project.objects.filter(code=spec.get("project")).first()
        if spec.get("project") and project is None:
            continue  # the project demo was not loaded
        meeting = Meeting.objects.create(
            title=spec["title"],
            kind=spec["kind"],
            project=project,
            organiser=people.get(spec["organiser"]),
            agenda=spec["agenda"],
            location=spec["location"],
            starts_at=spec["starts_at"],
            duration_minutes=spec["duration"],
            time_zone=settings.TIME_ZONE,
            recurrence=spec["recurrence"],
            recurrence_count=spec.get("count"),
        )
        meeting.departments.set(Department.objects.filter(code__in=spec["departments"]))
        roles = [
            Role.objects.filter(department__code=code, title=title).first()
            for code, title in spec["roles"]
        ]
        meeting.attendee_roles.set([role for role in roles if role])
        meeting.attendee_people.set([people[name] for name in spec["people"] if name in people])
        created["meetings"] += 1

    reviewer = people.get("sales_manager")
    for code, title, months in DUTY_REVIEWS:
        duty = Duty.objects.filter(department__code=code, title=title).first()
        if duty is None or duty.reviews.exists():
            continue
        reviewed_on = today - relativedelta(months=months)
        Review.objects.create(
            duty=duty,
            reviewed_by=reviewer,
            reviewed_on=reviewed_on,
            note="Checked the RACI row with the team; no changes.",
        )
        duty.last_reviewed_on = reviewed_on
        duty.save(update_fields=["last_reviewed_on"])
        created["reviews"] += 1
    return created
