"""Feedback: anyone gives it (optionally anonymously), its owners triage it, accepted
feedback turns into improvement actions."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from collaboration.routines import services
from collaboration.routines.models import Feedback, ImprovementAction

# These tests read the demo organisation (names, roles and grants); see docs/decisions.md.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_org")]


def _rows_pointing_at(user) -> dict[str, int]:
    """How many rows of every model refer to `user` through a foreign key."""
    user_model = get_user_model()
    counts = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                label = f"{model._meta.label}.{field.name}"
                counts[label] = model.objects.filter(**{field.name: user}).count()
    return counts


def test_anonymous_feedback_stores_no_author_anywhere(member, departments, client_for, caplog):
    before = _rows_pointing_at(member)
    log_entries = LogEntry.objects.count()
    with caplog.at_level(logging.DEBUG):
        response = client_for(member).post(
            reverse("feedback-create"),
            {
                "about": f"department:{departments['PROD'].pk}",
                "summary": "Complaints wait days for an answer",
                "details": "Please agree an answer time.",
                "anonymous": "on",
            },
        )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.anonymous, feedback.author_id) == (True, None)
    assert isinstance(feedback.submitted_on, datetime.date)  # the day, not the time
    identity = {member.username, member.email, member.profile.name, str(member.pk)}
    for field in Feedback._meta.concrete_fields:
        value = getattr(feedback, field.attname)
        if isinstance(field, models.ForeignKey) and field.related_model is get_user_model():
            assert value is None, field.name
        elif isinstance(value, str):
            assert not any(part in value for part in identity if len(part) > 2), field.name
    # No other row anywhere (history, admin log, audit) points at the sender.
    assert _rows_pointing_at(member) == before
    assert LogEntry.objects.count() == log_entries
    assert not any(member.username in record.getMessage() for record in caplog.records)
    page = client_for(member).get(feedback.get_absolute_url())
    assert 'id="feedback-author">anonymous<' in page.text.replace("\n", "")


def test_anonymous_feedback_lands_on_a_thank_you_page_without_its_id(
    member, departments, client_for
):
    client = client_for(member)
    data = {
        "about": f"department:{departments['PROD'].pk}",
        "summary": "Meetings overrun",
        "anonymous": "on",
    }
    response = client.post(reverse("feedback-create"), data)
    feedback = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback-thanks")
    assert str(feedback.pk) not in response["Location"]
    # htmx submits get the same place, through HX-Redirect.
    htmx = client.post(reverse("feedback-create"), data, headers={"HX-Request": "true"})
    assert htmx.headers.get("HX-Redirect", htmx.get("Location")) == reverse("feedback-thanks")
    page = client.get(reverse("feedback-thanks"))
    assert page.status_code == 200
    assert "sent anonymously" in page.text
    for entry in Feedback.objects.all():
        assert entry.get_absolute_url() not in page.text


def test_named_feedback_carries_its_author(member, departments, client_for):
    client_for(member).post(
        reverse("feedback-create"),
        {"about": f"department:{departments['PROD'].pk}", "summary": "Thanks for the quick fix"},
    )
    assert Feedback.objects.get().author == member


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose what the feedback is about."),
        ({"about": "department:999999", "summary": "x"}, "Select a valid choice"),
        ({"about": "DEPT", "summary": "x"}, "Select a valid choice"),
    ],
)
def test_bad_feedback_input_gives_a_message_and_saves_nothing(data, message, member, client_for):
    response = client_for(member).post(reverse("feedback-create"), data)
    assert response.status_code == 200 and message in response.text
    assert not Feedback.objects.exists()


def test_the_form_preselects_the_thing_linked_from(make_flow, member, client_for):
    flow = make_flow("SALES", "PROD")
    page = client_for(member).get(reverse("feedback-create") + f"?flow={flow.pk}")
    assert page.context["form"].initial["about"] == f"flow:{flow.pk}"


@pytest.fixture
def feedback(member, make_flow):
    flow = make_flow("CS", "PROD", "Complaints")
    return services.feedback_give(
        summary="Slow hand-off", details="", target=flow, by=member, anonymous=False
    )


def test_rejecting_needs_a_reason(feedback, production_manager, client_for):
    url = reverse("feedback-triage", args=[feedback.pk])
    response = client_for(production_manager).post(url, {"status": "rejected", "reason": ""})
    assert (
        response.status_code == 200 and "Give a reason for rejecting the feedback." in response.text
    )
    assert Feedback.objects.get().status == "new"
    response = client_for(production_manager).post(
        url, {"status": "rejected", "reason": "Planned."}
    )
    assert response.status_code == 302 and Feedback.objects.get().status == "rejected"


def test_a_duplicate_names_the_original(
    feedback, member, departments, production_manager, client_for
):
    original = services.feedback_give(
        summary="Earlier", details="", target=departments["PROD"], by=member, anonymous=False
    )
    url = reverse("feedback-triage", args=[feedback.pk])
    response = client_for(production_manager).post(url, {"status": "duplicate"})
    assert "Say which feedback this one duplicates." in response.text
    client_for(production_manager).post(url, {"status": "duplicate", "duplicate_of": original.pk})
    assert Feedback.objects.get(pk=feedback.pk).duplicate_of == original


def test_only_the_owners_triage(feedback, sales_manager, member, hr, client_for):
    for user in (sales_manager, member, hr):
        response = client_for(user).post(
            reverse("feedback-triage", args=[feedback.pk]), {"status": "accepted"}
        )
        assert response.status_code == 403
    assert Feedback.objects.get().status == "new"


def test_accepted_feedback_turns_into_an_action_its_owner_keeps_current(
    feedback, production_manager, member, client_for
):
    manager = client_for(production_manager)
    manager.post(reverse("feedback-triage", args=[feedback.pk]), {"status": "accepted"})
    url = reverse("action-create", args=[feedback.pk])
    response = manager.post(url, {"title": "", "owner": member.pk, "due_on": "soon"})
    assert response.status_code == 200
    assert "Say what will be done." in response.text and "YYYY-MM-DD" in response.text
    assert not ImprovementAction.objects.exists()
    response = manager.post(
        url, {"title": "Answer within a day", "owner": member.pk, "due_on": "2026-12-15"}
    )
    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    response = client_for(member).post(
        reverse("action-edit", args=[action.pk]),
        {"title": action.title, "owner": member.pk, "due_on": "2026-12-15", "status": "done"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.done_at is not None


def test_no_actions_before_the_feedback_is_accepted(feedback, production_manager, client_for):
    response = client_for(production_manager).get(reverse("action-create", args=[feedback.pk]))
    assert response.status_code == 403
    assert "Accept the feedback before planning improvement actions." in response.text
