from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilitiesConfig(AppConfig):
    name = "responsibilities"
    verbose_name = _("Responsibilities")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import findings_signals, findings_store, panels, tasks, webhook_events  # noqa: F401 (tasks: registered)

        panels.register()
        findings_signals.connect()
        webhook_events.connect()
        post_migrate.connect(findings_store.fill_after_migrate, sender=self)
