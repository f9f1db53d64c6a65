"""Writes to duties and assignments."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from orgmap.models import Role

from . import findings_facts, findings_store, raci, webhook_events
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


def _check(letter: str | None, expected_version: int) -> None:
    if letter is not None and letter not in raci.LETTERS:
        raise UnknownLetter(f"Unknown letter {letter!r}")
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise BadVersion(f"Version {expected_version!r} is not a number")
    if expected_version < 0:
        raise BadVersion(f"Version {expected_version!r} is negative")


def _locked_cells(duty: Duty) -> list[Assignment]:
    """Every cell of the duty, locked until the transaction ends, with what the findings
    read of their roles: the edited cell's lock and the duty's cells for its findings in
    one query. Locking the duty's whole row also makes two edits of one duty take turns,
    so the second computes the duty's findings from the first one's result."""
    return list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(duty=duty)
        .select_related("role__department")
        .annotate(
            role_filled=findings_facts.filled("role_id"),
            role_unconfirmed=findings_facts.unconfirmed("role_id"),
        )
    )


def _cell_row(
    duty_id: int,
    role: Role,
    letter: str,
    version: int,
    filled: bool | None,
    unconfirmed: bool | None = None,
) -> dict:
    """A cell as findings_store reads it (filled or unconfirmed None: read with the
    role's load)."""
    return {
        "duty_id": duty_id,
        "role_id": role.pk,
        "letter": letter,
        "version": version,
        "role__title": role.title,
        "role__department_id": role.department_id,
        "role__department__code": role.department.code if role.department_id else None,
        "role__active": role.active,
        "role_filled": filled,
        "role_unconfirmed": unconfirmed,
    }


def _cells_now(
    cells: list[Assignment],
    duty: Duty,
    role: Role,
    current: Assignment | None,
    letter: str | None,
    version: int,
) -> list[dict]:
    """The duty's cells after the edit, as findings_store reads them (a role new on the
    duty has its vacancy read with its load)."""
    rows = [
        _cell_row(
            duty.pk, cell.role, cell.letter, cell.version, cell.role_filled, cell.role_unconfirmed
        )
        for cell in cells
        if cell.role_id != role.pk
    ]
    if letter is not None:
        filled = current.role_filled if current is not None else None
        unconfirmed = current.role_unconfirmed if current is not None else None
        rows.append(_cell_row(duty.pk, role, letter, version, filled, unconfirmed))
    return rows


def _before_and_after(
    cells: list[Assignment],
    duty: Duty,
    role: Role,
    current: Assignment | None,
    letters: tuple[str | None, str | None],
    version: int,
) -> dict:
    """The duty's cells before and after an edit (`current` is the edited cell as
    written: its letter is already the new one), and the edited cell's two letters."""
    before, letter = letters
    return {
        "cells_before": _cells_now(cells, duty, role, current, before, version - 1),
        "cells_after": _cells_now(cells, duty, role, current, letter, version),
        "letters": letters,
    }


def _write(
    duty: Duty, role: Role, current: Assignment | None, letter: str | None, *, now, by
) -> tuple[Assignment | None, int] | None:
    """Write the cell as asked: (the cell now or None, its version), or None when a
    concurrent edit created it first."""
    if current is None:
        # Not 1: after a clear, a browser may still hold version 1 of the letter that
        # was cleared; a version that went back would let it overwrite this one. As
        # next_versions() reads it, but inside the INSERT (which returns it).
        top = (
            AssignmentChange.objects.filter(duty=duty, role=role)
            .values("duty")
            .annotate(top=Max("version"))
            .values("top")
        )
        try:
            with transaction.atomic():
                created = Assignment.objects.create(
                    duty=duty,
                    role=role,
                    letter=letter,
                    version=Coalesce(Subquery(top), Value(0)) + 1,
                    updated_at=now,
                    updated_by=by,
                )
        except IntegrityError:
            return None  # created by a concurrent edit since we looked
        return created, created.version
    version = current.version + 1  # a clear is a version too (its history row keeps it)
    if letter is None:
        current.delete()
        return None, version
    current.letter, current.version, current.updated_at, current.updated_by = (
        letter,
        version,
        now,
        by,
    )
    current.save(update_fields=["letter", "version", "updated_at", "updated_by"])
    return current, version


def assignment_set(
    *,
    duty: Duty,
    role: Role,
    letter: str | None,
    expected_version: int,
    by: AbstractBaseUser | None,
    source: str = "matrix",
    source_name: str = "",
) -> CellResult:
    """Set one cell to `letter` (None clears it) if it is still at `expected_version`.

    The duty's cells are locked (select_for_update) before the cell's version is
    compared, so two edits from the same version can never both apply, and the history
    row records the true "before". A cell that does not exist yet cannot be locked: there
    the unique constraint on (duty, role) refuses the second of two inserts. The history
    row is written here, in the same transaction, not by a signal: queryset.update()
    sends none, and a history that can miss a change is worthless."""
    _check(letter, expected_version)
    now = timezone.now()
    load, head = findings_store.cell_roles(duty, role)
    with transaction.atomic():
        cells = _locked_cells(duty)
        current = next((cell for cell in cells if cell.role_id == role.pk), None)
        before = current.letter if current else None
        stale = (current.version if current else 0) != expected_version
        written = None
        if before != letter and not stale:
            written = _write(duty, role, current, letter, now=now, by=by)
        if written is None:
            # Nothing to write (already so: applied), a stale version, or a lost race.
            assignment, last_change = _current(duty, role)
            return CellResult(
                applied=before == letter, assignment=assignment, last_change=last_change
            )
        assignment, version = written
        change = AssignmentChange.objects.create(
            duty=duty,
            role=role,
            before=before or "",
            after=letter or "",
            version=version,
            changed_at=now,
            changed_by=by,
            source=source,
            source_name=source_name,
        )
        webhook_events.assignment_changed(change, duty=duty, role=role)
        # The findings this cell can change, in the same transaction, from the cells
        # just locked as they are now.
        found = findings_store.cell_changed(
            duty,
            **_before_and_after(cells, duty, role, current, (before, letter), version),
            load=load,
            head=head,
        )
    # What was just written is what is there now (locked, or new and unique).
    return CellResult(
        applied=True, assignment=assignment, last_change=change, written=True, findings=found
    )


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
