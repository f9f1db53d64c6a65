from __future__ import annotations

import pytest
from django.urls import reverse

from responsibilities.models import Assignment, Duty

pytestmark = pytest.mark.django_db


def test_admin_lists_duties_and_shows_assignments_read_only(admin_user, client_for, demo_duties):
    client = client_for(admin_user)
    assert client.get(reverse("admin:responsibilities_duty_changelist")).status_code == 200
    duty = Duty.objects.get(title="Maintain the sales forecast")
    assert (
        client.get(reverse("admin:responsibilities_duty_change", args=[duty.pk])).status_code == 200
    )
    assignment = Assignment.objects.filter(duty=duty).exclude(letter="I").first()
    assert client.get(reverse("admin:responsibilities_assignment_changelist")).status_code == 200
    # No second write path for cells: no add, and the change page is view-only.
    assert client.get(reverse("admin:responsibilities_assignment_add")).status_code == 403
    response = client.post(
        reverse("admin:responsibilities_assignment_change", args=[assignment.pk]), {"letter": "I"}
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.letter != "I"
    assert (
        client.get(reverse("admin:responsibilities_assignmentchange_changelist")).status_code == 200
    )
