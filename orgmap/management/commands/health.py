"""`manage.py health [--scope all|web|beat]`: the /healthz report on the command line,
for container health checks that have no HTTP server to ask (beat). Exit status 0 when
healthy, 1 otherwise."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from orgmap.health import SCOPES, health_report


class Command(BaseCommand):
    help = "Report the health of the database, the broker and beat; exit 1 if unhealthy."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scope", choices=SCOPES, default="all")

    def handle(self, *args, scope: str, **options) -> None:
        report = health_report(scope)
        self.stdout.write(json.dumps(report))
        if not report["ok"]:
            raise CommandError("unhealthy", returncode=1)
