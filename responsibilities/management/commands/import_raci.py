from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgmap.models import Department, Project
from responsibilities.spreadsheets import imports
from responsibilities.spreadsheets.sheets import SpreadsheetError, read_path


class Command(BaseCommand):
    help = (
        "Import a RACI matrix from CSV or XLSX: one row per assignment (department, duty, "
        "role, role_department, letter), or one column per role with --department/--project. "
        "Nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--department", metavar="CODE", help="the department of a wide file")
        parser.add_argument("--project", metavar="CODE", help="the project of a wide file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )

    def handle(
        self,
        *args,
        file: str,
        department: str | None,
        project: str | None,
        dry_run: bool,
        **options,
    ) -> None:
        if department and project:
            raise CommandError("Give --department or --project, not both.")
        target_department = target_project = None
        if department:
            target_department = Department.objects.filter(code__iexact=department).first()
            if target_department is None:
                raise CommandError(f"No department with code {department!r}.")
        if project:
            target_project = Project.objects.filter(code__iexact=project).first()
            if target_project is None:
                raise CommandError(f"No project with code {project!r}.")
        try:
            table = read_path(file)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        except SpreadsheetError as error:
            raise CommandError(f"{file}: {error.message}") from None
        plan = imports.raci_import(
            table, department=target_department, project=target_project, dry_run=dry_run
        )
        for warning in plan.warnings:
            self.stdout.write(f"note: {warning}")
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            count = len(plan.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was written."
            )
        summary = plan.summary()
        layout = "one row per assignment" if plan.shape == imports.LONG else "one column per role"
        self.stdout.write(
            f"{file}: {summary['rows']} rows ({layout}). "
            f"Duties created: {summary['duties_created']}. "
            f"Cells set: {summary['assignments_created']}, "
            f"changed: {summary['assignments_updated']}, "
            f"unchanged: {summary['assignments_unchanged']}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
