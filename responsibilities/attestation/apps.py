from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttestationConfig(AppConfig):
    name = "responsibilities.attestation"
    label = "attestation"
    verbose_name = _("Role confirmations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import panels, tasks, tracking  # noqa: F401 (tasks: registered)

        tracking.connect()
        panels.register()
