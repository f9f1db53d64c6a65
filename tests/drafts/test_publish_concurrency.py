"""A publish racing a live edit on PostgreSQL: all or nothing."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from collaboration.drafts import services
from collaboration.drafts.models import Draft
from collaboration.drafts.publish import draft_publish
from responsibilities.models import Assignment, AssignmentChange, Duty

from .factories import DraftFactory, set_live


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)
def test_a_publish_racing_a_live_edit_changes_nothing(world, sales_manager, admin_user):
    draft = DraftFactory(author=sales_manager)
    # First in the draft: the duty moved to PROD (applied first when publishing) ...
    services.draft_duty_change(
        draft=draft,
        duty=world.quoting,
        title="Quote prices",
        department=world.production,
        project=None,
        active=True,
    )
    services.draft_cell_set(draft=draft, duty=world.quoting, role=world.planner, letter="R")
    # ... and a new cell that a live edit creates at the same moment.
    services.draft_cell_set(draft=draft, duty=world.orders, role=world.planner, letter="R")
    history = AssignmentChange.objects.count()
    written, publishing = threading.Event(), threading.Event()
    outcome = {}

    def live_edit():
        try:
            with transaction.atomic():
                set_live(world.orders, world.planner, "I", by=admin_user)
                written.set()
                publishing.wait(timeout=10)
                time.sleep(0.5)  # the publish is now waiting for this transaction's locks
        finally:
            connections.close_all()

    def publish():
        try:
            written.wait(timeout=10)
            publishing.set()
            draft_publish(draft=draft, by=admin_user)
            outcome["published"] = True
        except services.PublishConflict:
            outcome["conflict"] = True
        finally:
            connections.close_all()

    threads = [threading.Thread(target=live_edit), threading.Thread(target=publish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome == {"conflict": True}
    assert Duty.objects.get(pk=world.quoting.pk).department_id == world.sales.pk
    assert not Assignment.objects.filter(duty=world.quoting, role=world.planner).exists()
    assert Assignment.objects.get(duty=world.orders, role=world.planner).letter == "I"
    assert AssignmentChange.objects.count() == history + 1  # the live edit's only
    assert Draft.objects.get(pk=draft.pk).status == Draft.Status.OPEN


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)
def test_a_publish_racing_a_live_join_changes_nothing(world, sales_manager, admin_user):
    from collaboration.drafts import services_structure
    from orgmap.models import Role, RoleHolder
    from orgmap.services import role_holder_add

    draft = DraftFactory(author=sales_manager)
    services_structure.draft_role_change(
        draft=draft,
        role=world.planner,
        title="Scheduler",
        department=world.production,
        active=True,
    )
    services_structure.draft_holding_set(
        draft=draft, role=world.planner, person=sales_manager, action="join"
    )
    today = timezone.localdate()
    written, publishing = threading.Event(), threading.Event()
    outcome = {}

    def live_join():
        try:
            with transaction.atomic():
                role_holder_add(role=world.planner, person=sales_manager, since=today)
                written.set()
                publishing.wait(timeout=10)
                time.sleep(0.5)  # the publish's insert now waits for this commit
        finally:
            connections.close_all()

    def publish():
        try:
            written.wait(timeout=10)
            publishing.set()
            draft_publish(draft=draft, by=admin_user)
            outcome["published"] = True
        except services.PublishConflict:
            outcome["conflict"] = True
        finally:
            connections.close_all()

    threads = [threading.Thread(target=live_join), threading.Thread(target=publish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcome == {"conflict": True}
    assert Role.objects.get(pk=world.planner.pk).title == "Planner"
    assert RoleHolder.objects.filter(role=world.planner, person=sales_manager).count() == 1
    assert Draft.objects.get(pk=draft.pk).status == Draft.Status.OPEN
