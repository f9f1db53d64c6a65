from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from responsibilities.spreadsheets import imports
from responsibilities.spreadsheets.sheets import SpreadsheetError, read_path


class Command(BaseCommand):
    help = (
        "Import people from CSV or XLSX (columns email, name, department, role; optional "
        "parent_department, manager_email, active): creates or updates departments, roles, "
        "people and role holdings. Nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        try:
            table = read_path(file)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        except SpreadsheetError as error:
            raise CommandError(f"{file}: {error.message}") from None
        plan = imports.people_import(table, dry_run=dry_run)
        if plan.problems:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            count = len(plan.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was written."
            )
        summary = plan.summary()
        self.stdout.write(
            f"{file}: {summary['rows']} rows. "
            f"Departments created: {summary['departments_created']}, "
            f"moved: {summary['departments_moved']}. "
            f"Roles created: {summary['roles_created']}, changed: {summary['roles_updated']}. "
            f"People created: {summary['people_created']}, renamed: {summary['people_renamed']}. "
            f"Role holdings added: {summary['holdings_created']}. "
            f"Open positions: {summary['open_positions']}."
        )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(self.style.SUCCESS("Imported."))
