"""What the confirmations add to the organisation's pages (orgmap/panels.py): the
role page's version line (and the holder's "confirm" button), and the department
page's coverage for its managers, HR and org admins."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string

from orgmap import panels, permissions
from orgmap.models import Department, Role

from . import selectors
from .models import RoleConfirmationPolicy
from .versions import latest_versions

TEMPLATE = "attestation/panels.html"


def role_facts(request: HttpRequest, role: Role) -> str:
    policy = RoleConfirmationPolicy.objects.filter(role=role).first()
    return render_to_string(
        f"{TEMPLATE}#role-facts",
        {
            "role": role,
            "version": latest_versions({role.pk}).get(role.pk),
            "confirmation": selectors.open_request(request.user, role),
            "cadence": policy.cadence_months if policy else settings.ATTESTATION_CADENCE_MONTHS,
            "cadences": Role.ReviewCadence.choices,
            "can_set_cadence": permissions.can_set_confirmation_cadence(request.user, role),
        },
        request,
    )


def department_coverage(request: HttpRequest, department: Department) -> str:
    allowed = permissions.confirmation_coverage_department_ids(request.user)
    if not permissions.can_view_confirmation_coverage(request.user) or (
        allowed is not None and department.pk not in allowed
    ):
        return ""
    departments = selectors.coverage({department.pk})
    return render_to_string(
        f"{TEMPLATE}#department-coverage",
        {
            "department": department,
            "coverage": departments[0] if departments else None,
            "questions": selectors.declined_questions({department.pk}),
        },
        request,
    )


def register() -> None:
    panels.register("role-facts", role_facts, order=20)
    panels.register("department", department_coverage, order=60)
