from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgmap.models import Department, Project
from responsibilities import findings_rebuild, raci, selectors


class Command(BaseCommand):
    help = "List the gaps and overlaps of the RACI matrix (the whole organisation, a department or a project)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--department", metavar="CODE", help="only this department's duties and roles"
        )
        parser.add_argument("--project", metavar="CODE", help="only this project's duties")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="recompute every stored finding from scratch and report what it corrected "
            "(run it after changing RACI_OVERLOAD_LIMIT)",
        )

    def handle(
        self,
        *args,
        department: str | None,
        project: str | None,
        format: str,
        rebuild: bool = False,
        **options,
    ) -> None:
        if rebuild:
            self._rebuild()
            return
        if department and project:
            raise CommandError("Give --department or --project, not both.")
        scope = selectors.Scope()
        if department:
            found = Department.objects.filter(code__iexact=department).first()
            if found is None:
                raise CommandError(f"No department with code {department!r}.")
            scope = selectors.Scope(department=found)
        if project:
            found_project = Project.objects.filter(code__iexact=project).first()
            if found_project is None:
                raise CommandError(f"No project with code {project!r}.")
            scope = selectors.Scope(project=found_project)
        # Streamed from the database in raci's order: the whole organisation's findings
        # are never all held at once.
        findings = selectors.iter_stored_findings(scope)
        if format == "json":
            self._write_json(findings)
            return
        count = 0
        for finding in findings:
            count += 1
            where = finding.department_code + (
                f"/{finding.project_code}" if finding.project_code else ""
            )
            subject = f" {finding.duty_title!r}" if finding.duty_title else ""
            self.stdout.write(
                f"{finding.severity.upper():7} {finding.rule:26} {where}{subject}: {finding.message}"
            )
            if finding.suggestion:
                self.stdout.write(f"{'':35}→ {finding.suggestion}")
        self.stdout.write(f"{count} finding{'s' if count != 1 else ''}.")

    def _write_json(self, findings: Iterable[raci.Finding]) -> None:
        """Exactly what json.dumps(list, ensure_ascii=False, indent=2) writes, one
        finding at a time."""
        separator = "[\n"
        for finding in findings:
            item = json.dumps(finding.as_dict(), ensure_ascii=False, indent=2)
            self.stdout.write(separator + textwrap.indent(item, "  "), ending="")
            separator = ",\n"
        self.stdout.write("[]" if separator == "[\n" else "\n]")

    def _rebuild(self) -> None:
        report = findings_rebuild.findings_rebuild()
        for verb, rows in (("added", report.added), ("removed", report.removed)):
            for row in rows:
                subject = f" {row.duty_title!r}" if row.duty_title else ""
                self.stdout.write(f"{verb:8} {row.rule:26} {row.department_code}{subject}")
        if report.corrected:
            self.stdout.write(
                f"Corrected {report.corrected} stored finding(s): "
                f"{len(report.added)} added, {len(report.removed)} removed; "
                f"{report.total} findings in all."
            )
        else:
            self.stdout.write(f"Stored findings were up to date: {report.total} findings.")
