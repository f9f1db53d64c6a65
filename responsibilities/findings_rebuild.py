"""`manage.py findings --rebuild`: every finding of the organisation recomputed from
scratch (the way a page did before findings were stored), the table made equal to it,
and what was corrected reported; also how an existing database gets its findings the
first time."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from orgmap.models import Role

from . import findings_compute, findings_facts, findings_generation
from .models import Duty, Finding
from .selectors import Scope


@dataclass
class RebuildReport:
    total: int
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)

    @property
    def corrected(self) -> int:
        return len(self.added) + len(self.removed)


def _row_key(row: Finding) -> tuple:
    return (
        row.rule,
        row.severity,
        row.department_id,
        row.project_id,
        row.duty_id,
        row.role_id,
        row.department_code,
        row.project_code,
        row.duty_title,
        repr(row.roles),
        repr(row.fix),
        repr(sorted((key, tuple(value)) for key, value in row.texts.items())),
        row.sort_key,
    )


def findings_rebuild() -> RebuildReport:
    """Recompute every finding of the organisation from scratch, the way a page did
    before findings were stored, and make the table equal to it."""
    with transaction.atomic():
        _base, by_language = findings_compute.in_every_language(
            lambda: findings_facts.computed_findings(Scope())
        )
        wanted = Counter()
        by_key: dict[tuple, Finding] = {}
        for row in findings_compute.rows(by_language):
            key = _row_key(row)
            wanted[key] += 1
            by_key[key] = row
        stored: dict[tuple, list[Finding]] = defaultdict(list)
        for row in Finding.objects.select_for_update().order_by("pk"):
            stored[_row_key(row)].append(row)
        report = RebuildReport(total=sum(wanted.values()))
        for key, rows in stored.items():
            report.removed += rows[wanted[key] :]
        for key, count in wanted.items():
            report.added += [by_key[key]] * max(0, count - len(stored.get(key, ())))
        if report.removed:
            Finding.objects.filter(pk__in=[row.pk for row in report.removed]).delete()
        if report.added:
            Finding.objects.bulk_create([_copy(row) for row in report.added], batch_size=1000)
        findings_generation.bump()
    return report


def _copy(row: Finding) -> Finding:
    return Finding(
        **{
            f.attname: getattr(row, f.attname)
            for f in Finding._meta.concrete_fields
            if not f.primary_key
        }
    )


def fill_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """An existing database gets its stored findings on the migrate that creates the
    table (findings are derived data, so this is computed, not migrated)."""
    if Finding.objects.using(using).exists():
        return
    if not (Duty.objects.using(using).exists() or Role.objects.using(using).exists()):
        return
    findings_rebuild()
