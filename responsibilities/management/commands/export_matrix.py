from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgmap.models import Department, Project
from responsibilities import selectors
from responsibilities.spreadsheets import exports


class Command(BaseCommand):
    help = (
        "Export the RACI matrix of a department, a project or the whole organisation as XLSX "
        "or CSV, in the layout the import reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--department", metavar="CODE")
        parser.add_argument("--project", metavar="CODE")
        parser.add_argument("--format", choices=exports.FORMATS, default=None)
        parser.add_argument(
            "--shape",
            choices=exports.SHAPES,
            default=None,
            help="wide: one column per role (default for a department or project); "
            "long: one row per assignment (default, and the only shape, for the organisation)",
        )
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="default: the download's file name; - for stdout (CSV)",
        )

    def handle(
        self,
        *args,
        department: str | None,
        project: str | None,
        format: str | None,
        shape: str | None,
        output: str | None,
        **options,
    ) -> None:
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
        fmt = format or (Path(output).suffix.lstrip(".").lower() if output else "") or "csv"
        if fmt not in exports.FORMATS:
            raise CommandError(f"Unknown format {fmt!r}: use --format xlsx or csv.")
        shape = shape or exports.default_shape(scope)
        if output == "-":
            if fmt != "csv":
                raise CommandError("Only CSV can be written to stdout.")
            exports.write_csv(scope, shape, sys.stdout)
            return
        path = Path(output or exports.filename(scope, fmt, shape))
        try:
            if fmt == "csv":
                with path.open("w", encoding="utf-8", newline="") as handle:
                    rows = exports.write_csv(scope, shape, handle)
            else:
                with path.open("wb") as handle:
                    rows = exports.write_xlsx(scope, shape, handle)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        self.stdout.write(f"{path}: {rows} rows.")
