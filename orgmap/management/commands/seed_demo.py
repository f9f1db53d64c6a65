from django.core.management.base import BaseCommand

from collaboration.meetings.demo import seed_meetings
from collaboration.routines.demo import seed_routines
from orgmap.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_organisation
from orgmap.demo_projects import seed_projects
from responsibilities.demo import seed_duties


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options) -> None:
        created = seed_organisation()
        created |= seed_projects()
        created |= seed_duties()
        created |= seed_meetings()
        created |= seed_routines()
        summary = ", ".join(f"{count} {what}" for what, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready (created: {summary})."))
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}'): {', '.join(DEMO_LOGINS)}")
