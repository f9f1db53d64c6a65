"""Publishing a draft: every change applied to the live map in one transaction, through
the live services (so versions, history, stored findings and webhooks stay true), or
nothing at all."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orgmap import permissions
from orgmap.webhooks import events
from orgmap.webhooks.models import DRAFT_PUBLISHED
from responsibilities import services as live_services
from responsibilities.models import Duty

from . import notices, publish_structure, selectors
from .models import Draft
from .publish_new import publish_new_things
from .services import DutyInvalid, NotApproved, NotEditable, PublishConflict

SOURCE = "draft"


def _apply_duties(changes, locked: dict[int, Duty]) -> None:
    for change in changes:
        duty = locked[change.duty_id]
        duty.title, duty.department_id, duty.project_id, duty.active = (
            change.title,
            change.department_id,
            change.project_id,
            change.active,
        )
        try:
            duty.full_clean(exclude=["description", "frequency", "kpis"])
        except ValidationError as error:
            raise DutyInvalid([m for ms in error.message_dict.values() for m in ms]) from error
        # The duty's signals refresh its stored findings (findings_signals.py).
        duty.save(update_fields=["title", "department", "project", "active"])


def _apply_cells(draft: Draft, changes, live: dict, locked: dict[int, Duty], by) -> None:
    for change in changes:
        _letter, version = live.get((change.duty_id, change.role_id), ("", 0))
        result = live_services.assignment_set(
            duty=locked[change.duty_id],  # as just published, not as the draft read it
            role=change.role,
            letter=change.letter or None,
            expected_version=version,
            by=by,
            source=SOURCE,
            source_name=draft.name,
        )
        if not result.applied:
            # Changed (or created) live between our lock and the write: refuse it all.
            raise PublishConflict(f"cell {change.duty_id}/{change.role_id} changed meanwhile")


def draft_publish(*, draft: Draft, by: AbstractBaseUser) -> Draft:
    """Apply the draft to the live map. The draft's row, then the live duties and cells
    it changes, are locked (SELECT … FOR UPDATE) before they are compared with what the
    draft was based on: a live edit made after the draft's change is a conflict, and the
    publish is refused whole; nothing is ever overwritten silently."""
    with transaction.atomic():
        # of=self: FOR UPDATE would lock the author's user row too, and every live
        # write naming the author (a holding, a history row) would wait for the publish.
        draft = (
            Draft.objects.select_for_update(of=("self",)).select_related("author").get(pk=draft.pk)
        )
        approved = draft.status == Draft.Status.APPROVED
        if draft.status in (Draft.Status.PUBLISHED, Draft.Status.DISCARDED, Draft.Status.REJECTED):
            raise NotEditable(f"draft {draft.pk} is {draft.status}")
        if not permissions.can_publish_draft(by, draft, approved=approved):
            raise NotApproved(f"draft {draft.pk} is {draft.status}")
        duties = selectors.draft_duties(draft)
        cells = selectors.draft_cells(draft)
        # FOR NO KEY UPDATE: a live cell edit holds its duty's cells and takes a key-share
        # lock on the duty when it commits (deferred foreign keys); FOR UPDATE here
        # would make the two wait for each other (a deadlock, seen on PostgreSQL).
        locked = {
            duty.pk: duty
            for duty in Duty.objects.select_for_update(no_key=True).filter(
                pk__in={change.duty_id for change in duties} | {c.duty_id for c in cells}
            )
        }
        live_duties = {pk: selectors.live_duty_fields(duty) for pk, duty in locked.items()}
        live_cells = selectors.live_cells(cells, lock=True)
        if selectors.cell_conflicts(cells, live_cells) or selectors.duty_conflicts(
            duties, live_duties
        ):
            raise PublishConflict(f"draft {draft.pk} conflicts with live changes")
        structure = publish_structure.locked_changes(draft)  # roles, people, flows
        # People first: a join waits there for a live join of the same person (then
        # refused), before this transaction has refreshed any stored findings.
        publish_structure.apply(structure, by)
        _apply_duties(duties, locked)
        _apply_cells(draft, cells, live_cells, locked, by)
        # The duties and roles the draft adds, then their letters (publish_new.py).
        new_roles = publish_new_things(draft, by=by, locked=locked)
        draft.status, draft.published_at, draft.published_by = (
            Draft.Status.PUBLISHED,
            timezone.now(),
            by,
        )
        draft.save(update_fields=["status", "published_at", "published_by", "updated_at"])
        role_ids, person_ids = publish_structure.notified_people(structure)
        notices.published(
            draft, {cell.role_id for cell in cells} | role_ids | new_roles, person_ids
        )
        _publish_event(draft, duties, cells)
    return draft


def _publish_event(draft: Draft, duties, cells) -> None:
    """The webhook event of a publish; each cell it set also sends assignment.changed
    (source "draft"), through the cell service."""
    if events.wanted(DRAFT_PUBLISHED):
        published = {
            "id": draft.pk,
            "name": draft.name,
            "author": draft.author.get_username(),
            "published_by": draft.published_by.get_username(),
            "published_at": draft.published_at,
            "cells": len(cells),
            "duties": sorted({change.duty_id for change in duties}),
        }
        events.publish(DRAFT_PUBLISHED, {"before": None, "after": published})
