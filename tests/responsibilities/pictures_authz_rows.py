"""Rows of the authorization table (tests/test_authorization_table.py) for the pictures
of the organisation (issue 18). Same format as build_table()."""

from __future__ import annotations

from django.urls import reverse


def picture_rows(helpers) -> dict:
    # Drawn from what every signed-in person reads (departments, matrices, findings).
    # A branch of the chart asked for without htmx redirects to the chart with it open.
    branch = {
        p: (helpers.LOGIN, helpers.LOGIN) if p == "anonymous" else (302, 405)
        for p in helpers.PERSONAS
    }
    return {
        "picture-orgchart": (reverse("picture-orgchart"), helpers.read()),
        "picture-orgchart-department": (
            reverse("picture-orgchart-department", args=["SALES"]),
            branch,
        ),
        "picture-orgchart-svg": (reverse("picture-orgchart-svg"), helpers.read()),
        "picture-orgchart-pdf": (reverse("picture-orgchart-pdf"), helpers.read()),
        "picture-heatmaps": (reverse("picture-heatmaps"), helpers.read()),
        "picture-trend": (reverse("picture-trend"), helpers.read()),
    }
