"""Writes to duties and assignments."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgmap.models import Role

from . import findings_store, raci
from .models import Assignment, AssignmentChange, Duty


@dataclass(frozen=True)
class CellResult:
    """What a cell edit did. `applied` is False when the edit was based on a stale
    version; `assignment` is the cell as it is now (None: empty)."""

    applied: bool
    assignment: Assignment | None
    last_change: AssignmentChange | None
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
        raise ValueError(f"Unknown letter {letter!r}")
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
            try:
                with transaction.atomic():
                    written = Assignment.objects.create(
                        duty=duty,
                        role=role,
                        letter=letter,
                        version=1,
                        updated_at=now,
                        updated_by=by,
                    )
            except IntegrityError:
                applied = False  # created by a concurrent edit since we looked
            else:
                applied = True
        elif letter is None:
            current.delete()
            written = None
            applied = True
        else:
            current.letter = letter
            current.version = current_version + 1
            current.updated_at = now
            current.updated_by = by
            current.save(update_fields=["letter", "version", "updated_at", "updated_by"])
            written = current
            applied = True
        if applied and before != letter:
            change = AssignmentChange.objects.create(
                duty=duty,
                role=role,
                before=before or "",
                after=letter or "",
                version=current_version + 1 if letter else 0,
                changed_at=now,
                changed_by=by,
                source=source,
            )
            # The findings this cell can change, in the same transaction.
            found = findings_store.findings_refresh(duties=[duty], role_ids={role.pk})
            # What was just written is the cell now: no need to read it back.
            return CellResult(applied=True, assignment=written, last_change=change, findings=found)
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
