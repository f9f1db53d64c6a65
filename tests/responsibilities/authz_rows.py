"""Rows of the authorization table (tests/test_authorization_table.py) for the
import and export URLs. Same format as build_table()."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from responsibilities.models import ImportJob


def transfer_rows(helpers) -> dict:
    # Exports: anyone logged in reads the matrix, so anyone may download it.
    # Import pages: an empty POST is an incomplete form, shown again with its errors.
    # HR imports people, not matrix cells (issue 12: the import and the matrix agree).
    raci_importers = {"manager", "other_manager", "coordinator", "admin"}
    # A large people import that HR uploaded: only its uploader sees or applies it (it
    # is checked and has problems, so applying it leads back to its page).
    import_job = ImportJob.objects.create(
        kind=ImportJob.Kind.PEOPLE,
        requested_by=get_user_model().objects.get(username="hr"),
        status=ImportJob.Status.CHECKED,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    return {
        "department-matrix-export": (
            reverse("department-matrix-export", args=["SALES", "xlsx"]),
            helpers.read(),
        ),
        "project-matrix-export": (
            reverse("project-matrix-export", args=["LAUNCH", "csv"]),
            helpers.read(),
        ),
        "organisation-matrix-export": (
            reverse("organisation-matrix-export", args=["csv"]),
            helpers.read(),
        ),
        "import-raci": (reverse("import-raci"), helpers.edit(raci_importers)),
        "import-people": (reverse("import-people"), helpers.edit({"hr", "admin"})),
        "import-job": (
            reverse("import-job", args=[import_job.pk]),
            helpers.edit({"hr"}, post=405, denied=(403, 405)),
        ),
        "import-job-apply": (
            reverse("import-job-apply", args=[import_job.pk]),
            helpers.edit({"hr"}, get=405, post=302, denied=(405, 403)),
        ),
    }
