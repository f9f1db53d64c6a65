"""`manage.py findings` with `--draft NAME`: what a draft would open and close.

Responsibilities' `findings` command, extended: the drafts app is listed before
responsibilities in INSTALLED_APPS, so this command is the one `manage.py findings` runs
(Django lets the first app with a command of a name win); without --draft it does
exactly what responsibilities' command does."""

from __future__ import annotations

import json

from django.core.management.base import CommandError, CommandParser

from responsibilities.management.commands.findings import Command as LiveFindings

from ...impact import draft_impact
from ...models import Draft


class Command(LiveFindings):
    help = LiveFindings.help + " With --draft NAME: the findings a draft would open and close."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--draft", metavar="NAME", help="the findings this draft would open and close"
        )

    def handle(self, *args, draft: str | None = None, **options) -> None:
        if not draft:
            super().handle(*args, **options)
            return
        found = Draft.objects.filter(name__iexact=draft).first()
        if found is None:
            raise CommandError(f"No draft named {draft!r}.")
        impact = draft_impact(found)
        if options.get("format") == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "draft": found.name,
                        "status": found.status,
                        "opened": [f.as_dict() for f in impact.opened],
                        "closed": [f.as_dict() for f in impact.closed],
                        "loads": [
                            {
                                "role_id": change.role.id,
                                "role": change.role.title,
                                "before": change.before,
                                "after": change.after,
                            }
                            for change in impact.loads
                        ],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write(f"Draft {found.name!r} ({found.status}), compared with live:")
        for sign, findings in (("+", impact.opened), ("-", impact.closed)):
            for finding in findings:
                self.stdout.write(
                    f"{sign} {finding.rule:26} {finding.department_code}: {finding.message}"
                )
        for change in impact.loads:
            self.stdout.write(
                f"  load {change.role.title} ({change.role.department_code}): "
                f"{change.before} -> {change.after}"
            )
        self.stdout.write(f"{len(impact.opened)} opened, {len(impact.closed)} closed.")
