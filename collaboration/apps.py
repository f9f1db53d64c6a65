from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    """The package's own app holds no models, only the migration history of the models
    that moved to orgmap, collaboration.meetings and collaboration.reminders: existing
    databases keep their tables and the new apps take them over (docs/decisions.md)."""

    name = "collaboration"
    verbose_name = _("Collaboration")
