from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponsibilitiesConfig(AppConfig):
    name = "responsibilities"
    verbose_name = _("Responsibilities")

    def ready(self) -> None:
        from . import panels, tasks  # noqa: F401 (tasks: registered in every process)

        panels.register()
