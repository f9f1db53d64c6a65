"""Import of a RACI matrix (long or wide), planned whole before anything is written:
read (raci_reader.py), resolve (raci_resolver.py) into a plan (raci_plan.py), apply."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Project

from ... import findings_store, raci, search_indexes, webhook_events
from ...attestation import tracking as attestation
from ...models import Assignment, AssignmentChange, Duty
from ...services import next_versions
from ..sheets import Table
from .common import (
    LONG,
    MayImport,
    Problem,
    _problem_order,
)
from .raci_plan import RaciPlan
from .raci_reader import _RaciReader, detect_shape
from .raci_resolver import _Resolver


def plan_raci(
    table: Table,
    *,
    department: Department | None = None,
    project: Project | None = None,
    may_import: MayImport | None = None,
    lock: bool = False,
) -> RaciPlan:
    """Check a RACI table against the database and list what an import would do.

    `may_import(department_id, project_id)` says whether the importing user may change
    the duties of that department (or project); None: anyone may (the CLI). `lock`
    takes row locks on the cells to be updated, for an import about to be applied.
    """
    shape = detect_shape(table)
    plan = RaciPlan(shape=shape, rows=len(table.rows), department=department, project=project)
    if department is not None and project is not None:
        plan.problems.append(Problem(None, "", "", _("Give a department or a project, not both.")))
        return plan
    reader = _RaciReader(table, department=department, project=project, may_import=may_import)
    if not table.rows:
        reader.problems.append(
            Problem(table.header_row, "", "", _("The file has a header but no rows."))
        )
    cells = reader.long_cells() if shape == LONG else reader.wide_cells()
    _Resolver(reader, plan, lock=lock).resolve(cells)
    plan.problems = sorted(reader.problems, key=_problem_order)
    plan.warnings = sorted(reader.warnings, key=_problem_order)
    return plan


def _create_duties(plan: RaciPlan) -> list[Duty]:
    duties = [
        Duty(
            title=new.title,
            # bulk_create skips Duty.save(), which sets the keys
            title_key=new.title_key,
            match_key=raci.normalise_title(new.title),
            department=new.department,
            project=new.project,
        )
        for new in plan.new_duties
    ]
    Duty.objects.bulk_create(duties, batch_size=500)
    for new, duty in zip(plan.new_duties, duties, strict=True):
        new.instance = duty
    return duties


def _create_cells(plan: RaciPlan, *, by, now) -> list[Assignment]:
    # A cell cleared earlier starts above the versions it had (services.next_versions).
    versions = next_versions(
        [(change.duty_id, change.role.pk) for change in plan.creates if change.duty_id]
    )
    created = [
        Assignment(
            duty_id=change.duty_id or change.new_duty.instance.pk,
            role_id=change.role.pk,
            letter=change.after,
            version=versions.get((change.duty_id, change.role.pk), 1),
            updated_at=now,
            updated_by=by,
        )
        for change in plan.creates
    ]
    Assignment.objects.bulk_create(created, batch_size=1000)
    return created


def _update_cells(plan: RaciPlan, *, by, now) -> list[Assignment]:
    updated = []
    for change in plan.updates:
        assignment = change.assignment
        assignment.letter = change.after
        # A new version: a matrix edit still holding the old one is refused (409).
        assignment.version += 1
        assignment.updated_at = now
        assignment.updated_by = by
        updated.append(assignment)
    Assignment.objects.bulk_update(
        updated, ["letter", "version", "updated_at", "updated_by"], batch_size=1000
    )
    return updated


def _write_history(plan: RaciPlan, written: list[Assignment], *, by, now) -> list[AssignmentChange]:
    changes = [*plan.creates, *plan.updates]  # in the order of `written`
    return AssignmentChange.objects.bulk_create(
        [
            AssignmentChange(
                duty_id=assignment.duty_id,
                role_id=assignment.role_id,
                before=change.before or "",
                after=change.after,
                version=assignment.version,
                changed_at=now,
                changed_by=by,
                source="import",
            )
            for change, assignment in zip(changes, written, strict=True)
        ],
        batch_size=1000,
    )


def apply_raci_plan(plan: RaciPlan, *, by: AbstractBaseUser | None) -> None:
    """Write a valid plan: duties, cells and their history, in bulk.

    Call inside the transaction that made the plan with lock=True, so that the
    versions read are still the versions written over.
    """
    if not plan.valid:
        raise ValueError("A plan with problems cannot be applied.")
    search_indexes.start_bulk_writes()
    now = timezone.now()
    duties = _create_duties(plan)
    written = [*_create_cells(plan, by=by, now=now), *_update_cells(plan, by=by, now=now)]
    history = _write_history(plan, written, by=by, now=now)
    webhook_events.raci_imported(history, new_duties=duties, by=by)
    # Bulk writes send no signals: refresh the findings of what was written, here.
    findings_store.findings_refresh(
        duty_ids={cell.duty_id for cell in written} | {duty.pk for duty in duties},
        role_ids={cell.role_id for cell in written},
        match_keys={duty.match_key for duty in duties},
    )
    # Their role descriptions changed: versioned (and their holders asked) on commit.
    attestation.roles_touched({cell.role_id for cell in written})
    search_indexes.merge_pending()
    plan.applied = True


def raci_import(
    table: Table,
    *,
    department: Department | None = None,
    project: Project | None = None,
    by: AbstractBaseUser | None = None,
    may_import: MayImport | None = None,
    dry_run: bool = False,
) -> RaciPlan:
    """Plan and, unless dry_run or the plan has problems, apply: one transaction."""
    if dry_run:
        return plan_raci(table, department=department, project=project, may_import=may_import)
    try:
        with transaction.atomic():
            plan = plan_raci(
                table, department=department, project=project, may_import=may_import, lock=True
            )
            if plan.valid:
                apply_raci_plan(plan, by=by)
    except IntegrityError:
        # A duty or a cell created by someone else since the plan was made.
        plan.applied = False
        plan.problems.append(
            Problem(
                None,
                "",
                "",
                _(
                    "The matrix changed while the file was being imported; nothing was written. Try again."
                ),
            )
        )
    return plan
