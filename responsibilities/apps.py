from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilitiesConfig(AppConfig):
    name = "responsibilities"
    verbose_name = _("Responsibilities")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import (  # noqa: F401 (store, tasks: registered)
            findings_rebuild,
            findings_signals,
            findings_store,
            panels,
            tasks,
            webhook_events,
        )

        panels.register()
        findings_signals.connect()
        webhook_events.connect()
        post_migrate.connect(findings_rebuild.fill_after_migrate, sender=self)
