"""Rows of the authorization table (tests/test_authorization_table.py) for the
import and export URLs. Same format as build_table()."""

from __future__ import annotations

from django.urls import reverse


def transfer_rows(helpers) -> dict:
    # Exports: anyone logged in reads the matrix, so anyone may download it.
    # Import pages: an empty POST is an incomplete form, shown again with its errors.
    # HR imports people, not matrix cells (issue 12: the import and the matrix agree).
    raci_importers = {"manager", "other_manager", "coordinator", "admin"}
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
    }
