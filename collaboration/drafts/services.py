"""Writes to drafts: proposing changes, settling conflicts, the approval round,
publishing, discarding. Publishing applies every change through the live services in one
transaction, or nothing."""

from __future__ import annotations

import copy

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orgmap import permissions
from orgmap.models import Department, Project, Role
from responsibilities import raci
from responsibilities.models import Assignment, Duty

from . import notices, selectors
from .models import Draft, DraftApproval, DraftCell, DraftDuty


class DraftError(ValueError):
    """A draft operation that cannot be done as asked; views choose the message by `code`."""

    code = "draft"


class NotEditable(DraftError):
    code = "not_editable"


class PublishConflict(DraftError):
    code = "conflict"


class NotApproved(DraftError):
    code = "not_approved"


class DutyInvalid(DraftError):
    code = "duty_invalid"

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _editable(draft: Draft) -> None:
    if not draft.is_editable:
        raise NotEditable(f"draft {draft.pk} is {draft.status}")


def draft_create(*, name: str, author: AbstractBaseUser, description: str = "") -> Draft:
    draft = Draft(name=name.strip(), author=author, description=description)
    draft.full_clean()
    draft.save()
    return draft


@transaction.atomic
def draft_cell_set(*, draft: Draft, duty: Duty, role: Role, letter: str | None) -> DraftCell | None:
    """Propose `letter` (None: empty) for a cell. The first change of a cell records the
    live cell it is based on; a change back to the live letter removes the proposal."""
    _editable(draft)
    if letter is not None and letter not in raci.LETTERS:
        raise raci.UnknownLetter(letter)
    change = DraftCell.objects.select_for_update().filter(draft=draft, duty=duty, role=role).first()
    if change is None:
        live = Assignment.objects.filter(duty=duty, role=role).values("letter", "version").first()
        change = DraftCell(
            draft=draft,
            duty=duty,
            role=role,
            base_letter=live["letter"] if live else "",
            base_version=live["version"] if live else 0,
        )
    change.letter = letter or ""
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    if change.letter == change.base_letter:
        if change.pk:
            change.delete()
        return None
    change.save()
    return change


def _validate_duty(duty: Duty, fields: dict) -> None:
    """The duty as the draft has it must be valid live (a title unique in its
    department or project): checked now, and again when publishing."""
    candidate = copy.copy(duty)  # never saved: the live duty stays as it is
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.title_key = raci.duty_identity(fields["title"])
    try:
        candidate.full_clean(exclude=["description", "frequency", "kpis"])
    except ValidationError as error:
        messages = [m for field_messages in error.message_dict.values() for m in field_messages]
        raise DutyInvalid(messages) from error


@transaction.atomic
def draft_duty_change(
    *,
    draft: Draft,
    duty: Duty,
    title: str,
    department: Department,
    project: Project | None,
    active: bool,
) -> DraftDuty | None:
    """Propose a duty renamed, moved to another department or project, retired or
    brought back. A change back to the live duty removes the proposal."""
    _editable(draft)
    fields = {
        "title": title.strip(),
        "department_id": department.pk,
        "project_id": project.pk if project else None,
        "active": active,
    }
    _validate_duty(duty, fields)
    change = DraftDuty.objects.select_for_update().filter(draft=draft, duty=duty).first()
    if change is None:
        change = DraftDuty(draft=draft, duty=duty, base=selectors.live_duty_fields(duty))
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    if fields == change.base:
        if change.pk:
            change.delete()
        return None
    change.title, change.department, change.project, change.active = (
        fields["title"],
        department,
        project,
        active,
    )
    change.save()
    return change


@transaction.atomic
def draft_conflict_settle(*, draft: Draft, change: DraftCell | DraftDuty, keep: str) -> None:
    """The author's choice on a conflict: keep the draft's change ("draft": it is now
    based on the live state, and publishing will replace it knowingly) or take live's
    ("live": the draft's change is dropped)."""
    _editable(draft)
    # The draft changed: its cached impact (impact_cache.py) is keyed by updated_at.
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    if keep == "live":
        change.delete()
        return
    if isinstance(change, DraftCell):
        live = (
            Assignment.objects.filter(duty_id=change.duty_id, role_id=change.role_id)
            .values("letter", "version")
            .first()
        )
        change.base_letter = live["letter"] if live else ""
        change.base_version = live["version"] if live else 0
        change.save(update_fields=["base_letter", "base_version"])
    else:
        change.base = selectors.live_duty_fields(Duty.objects.get(pk=change.duty_id))
        change.save(update_fields=["base"])


def _status(draft: Draft, status: str, **fields) -> None:
    draft.status = status
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save(update_fields=["status", "updated_at", *fields])


@transaction.atomic
def draft_submit(*, draft: Draft, by: AbstractBaseUser) -> list[DraftApproval]:
    """Ask the managers of every department (coordinators of every project) the draft
    touches and its author does not run. Nothing to ask: the draft is approved."""
    _editable(draft)
    scope = selectors.draft_scope(draft)
    departments, projects = permissions.draft_approval_needed(
        draft.author, department_ids=scope.department_ids, project_ids=scope.project_ids
    )
    now = timezone.now()
    draft.approvals.all().delete()  # a new round after changes were asked for
    approvals = DraftApproval.objects.bulk_create(
        [DraftApproval(draft=draft, department_id=pk, requested_at=now) for pk in departments]
        + [DraftApproval(draft=draft, project_id=pk, requested_at=now) for pk in projects]
    )
    if not approvals:
        _status(draft, Draft.Status.APPROVED, submitted_at=now)
        return []
    _status(draft, Draft.Status.SUBMITTED, submitted_at=now)
    notices.approvals_requested(draft, approvals)
    return approvals


@transaction.atomic
def draft_answer(
    *, approval: DraftApproval, by: AbstractBaseUser, decision: str, comment: str = ""
) -> DraftApproval:
    """An approver's answer: approve, reject (with a comment) or ask for changes. A
    rejection rejects the draft; a request for changes reopens it for its author; the
    last approval approves it."""
    draft = Draft.objects.select_for_update().get(pk=approval.draft_id)
    if draft.status != Draft.Status.SUBMITTED:
        raise NotEditable(f"draft {draft.pk} is {draft.status}")
    if decision not in (
        DraftApproval.Status.APPROVED,
        DraftApproval.Status.REJECTED,
        DraftApproval.Status.CHANGES_REQUESTED,
    ):
        raise DraftError(decision)
    approval.status, approval.comment = decision, comment.strip()
    approval.decided_by, approval.decided_at = by, timezone.now()
    approval.save(update_fields=["status", "comment", "decided_by", "decided_at"])
    if decision == DraftApproval.Status.REJECTED:
        _status(draft, Draft.Status.REJECTED)
    elif decision == DraftApproval.Status.CHANGES_REQUESTED:
        _status(draft, Draft.Status.CHANGES_REQUESTED)
    elif not draft.approvals.exclude(status=DraftApproval.Status.APPROVED).exists():
        _status(draft, Draft.Status.APPROVED)
    notices.approval_answered(draft, approval)
    return approval


def draft_is_approved(draft: Draft) -> bool:
    return draft.status == Draft.Status.APPROVED


@transaction.atomic
def draft_discard(*, draft: Draft) -> None:
    if draft.status == Draft.Status.PUBLISHED:
        raise NotEditable("a published draft stays as it was published")
    _status(draft, Draft.Status.DISCARDED)


@transaction.atomic
def draft_reopen(*, draft: Draft) -> None:
    """A rejected or discarded draft goes back to its author for editing."""
    if draft.status not in (Draft.Status.REJECTED, Draft.Status.DISCARDED):
        raise NotEditable(f"draft {draft.pk} is {draft.status}")
    draft.approvals.all().delete()
    _status(draft, Draft.Status.OPEN)


def draft_delete(*, draft: Draft) -> None:
    if draft.status not in (Draft.Status.REJECTED, Draft.Status.DISCARDED, Draft.Status.OPEN):
        raise NotEditable(f"draft {draft.pk} is {draft.status}")
    draft.delete()
