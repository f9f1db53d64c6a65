"""Writes to duties and assignments."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from orgmap.models import Role

from . import findings_store, raci, webhook_events
from .models import Assignment, AssignmentChange, Duty


class AssignmentError(ValueError):
    """A cell edit that cannot be made as asked. Views pick the message to show by
    `code`; the text of the exception is for logs and tracebacks only."""

    code = "assignment"


class UnknownLetter(AssignmentError):
    code = raci.UnknownLetter.code


class BadVersion(AssignmentError):
    code = "bad_version"


def next_versions(cells: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The version that a newly created cell (duty id, role id) starts at: one more than
    any version it had before, read from its history in one query.

    A cleared cell's row is deleted, but its history keeps the versions it went
    through (the clear too counts as a version), so a cell set again never goes back
    to a version that a browser may still hold from before the clear.
    """
    if not cells:
        return {}
    wanted = set(cells)
    found = {
        (row["duty_id"], row["role_id"]): row["top"]
        for row in AssignmentChange.objects.filter(
            duty_id__in={duty_id for duty_id, _ in wanted},
            role_id__in={role_id for _, role_id in wanted},
        )
        .values("duty_id", "role_id")
        .annotate(top=Max("version"))
        .order_by()
        if (row["duty_id"], row["role_id"]) in wanted
    }
    return {cell: found.get(cell, 0) + 1 for cell in cells}


@dataclass(frozen=True)
class CellResult:
    """What a cell edit did. `applied` is False when the edit was based on a stale
    version; `assignment` is the cell as it is now (None: empty)."""

    applied: bool
    assignment: Assignment | None
    last_change: AssignmentChange | None
    # False when applied without a write: the cell already held the letter asked for.
    written: bool = False
    # The duty's findings after an applied change (None: unchanged, not recomputed).
    findings: list[raci.Finding] | None = None

    @property
    def version(self) -> int:
        return self.assignment.version if self.assignment else 0


def _current(duty: Duty, role: Role) -> tuple[Assignment | None, AssignmentChange | None]:
    assignment = (
        Assignment.objects.select_related("updated_by__profile")
        .filter(duty=duty, role=role)
        .first()
    )
    last_change = (
        AssignmentChange.objects.select_related("changed_by__profile")
        .filter(duty=duty, role=role)
        .first()
    )
    return assignment, last_change


def assignment_set(
    *,
    duty: Duty,
    role: Role,
    letter: str | None,
    expected_version: int,
    by: AbstractBaseUser | None,
    source: str = "matrix",
) -> CellResult:
    """Set one cell to `letter` (None clears it) if it is still at `expected_version`.

    The cell's row is locked (select_for_update) before its version is compared, so
    two edits from the same version can never both apply, and the history row records
    the true "before". A cell that does not exist yet cannot be locked: there the
    unique constraint on (duty, role) refuses the second of two inserts. The history
    row is written here, in the same transaction, not by a signal: queryset.update()
    sends none, and a history that can miss a change is worthless.
    """
    if letter is not None and letter not in raci.LETTERS:
        raise UnknownLetter(f"Unknown letter {letter!r}")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise BadVersion(f"Version {expected_version!r} is not a number")
    if expected_version < 0:
        raise BadVersion(f"Version {expected_version!r} is negative")
    now = timezone.now()
    with transaction.atomic():
        current = Assignment.objects.select_for_update().filter(duty=duty, role=role).first()
        before = current.letter if current else None
        current_version = current.version if current else 0
        if before == letter:
            # Already what the user wants: nothing to write, nothing lost.
            applied = True
        elif current_version != expected_version:
            applied = False
        elif current is None:
            # Not 1: after a clear, a browser may still hold version 1 of the letter
            # that was cleared; a version that went back would let it overwrite this one.
            new_version = next_versions([(duty.pk, role.pk)])[(duty.pk, role.pk)]
            try:
                with transaction.atomic():
                    created = Assignment.objects.create(
                        duty=duty,
                        role=role,
                        letter=letter,
                        version=new_version,
                        updated_at=now,
                        updated_by=by,
                    )
            except IntegrityError:
                applied = False  # created by a concurrent edit since we looked
            else:
                applied = True
        elif letter is None:
            current.delete()
            applied = True
        else:
            current.letter = letter
            current.version = current_version + 1
            current.updated_at = now
            current.updated_by = by
            current.save(update_fields=["letter", "version", "updated_at", "updated_by"])
            applied = True
        written = applied and before != letter
        if written:
            change = AssignmentChange.objects.create(
                duty=duty,
                role=role,
                before=before or "",
                after=letter or "",
                # A clear is a version too (the row is gone, its history is not).
                version=new_version if current is None else current_version + 1,
                changed_at=now,
                changed_by=by,
                source=source,
            )
            webhook_events.assignment_changed(change, duty=duty, role=role)
        if written:
            # The findings this cell can change, in the same transaction.
            found = findings_store.findings_refresh(duties=[duty], role_ids={role.pk})
            # What was just written is what is there now (the row is locked, or new and
            # unique): no need to read it back.
            assignment = None if letter is None else (created if current is None else current)
            return CellResult(
                applied=True,
                assignment=assignment,
                last_change=change,
                written=True,
                findings=found,
            )
        assignment, last_change = _current(duty, role)
    return CellResult(applied=applied, assignment=assignment, last_change=last_change)


@transaction.atomic
def duty_create(
    *,
    title: str,
    department,
    project=None,
    description: str = "",
    frequency: str = "",
    kpis: str = "",
) -> Duty:
    duty = Duty(
        title=title,
        department=department,
        project=project,
        description=description,
        frequency=frequency,
        kpis=kpis,
    )
    duty.full_clean()
    duty.save()
    return duty
