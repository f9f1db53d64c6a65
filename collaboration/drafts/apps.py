from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftsConfig(AppConfig):
    """Drafts: proposed changes to the map, their impact on the findings, approval and
    publishing. Above reminders (it sends its messages through them)."""

    name = "collaboration.drafts"
    label = "drafts"
    verbose_name = _("Drafts")

    def ready(self) -> None:
        # Register the task in every process: beat enqueues it by name.
        from . import reminders  # noqa: F401
