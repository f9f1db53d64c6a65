from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutinesConfig(AppConfig):
    """The collaboration routines beyond projects and meetings: information flows,
    conflicts, shared goals, charters, lessons, feedback and improvement actions."""

    name = "collaboration.routines"
    label = "routines"
    verbose_name = _("Collaboration routines")

    def ready(self) -> None:
        from . import panels

        panels.register()
