"""Data for the production-topology stage (tests/production/test_topology.py): the demo
organisation, plus one meeting that starts in ten minutes, so that the worker sends its
15-minute reminder as soon as beat's dispatcher runs.

Run against the stage's database: `honcho -e ENV_FILE run python tests/production/stage_data.py`.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from collaboration.meetings.models import Meeting  # noqa: E402
from orgmap.models import Department, Role  # noqa: E402

STAGE_MEETING = "Production stage sync"

call_command("seed_demo", verbosity=0)
# Only the stage's meeting is due: no review reminders in the mailbox.
Role.objects.update(last_reviewed_on=None)
Meeting.objects.filter(title=STAGE_MEETING).delete()
meeting = Meeting.objects.create(
    title=STAGE_MEETING,
    starts_at=timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=10),
    time_zone="UTC",
    duration_minutes=30,
)
meeting.departments.set(Department.objects.filter(code="SALES"))
meeting.attendee_people.set(get_user_model().objects.filter(username__in=["member", "hr"]))
print(f"stage data ready: meeting {meeting.pk} at {meeting.starts_at.isoformat()}")
