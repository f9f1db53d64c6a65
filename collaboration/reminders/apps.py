from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Reminders by email and in-app: the top of the dependency graph (it reads meetings,
    reviews and improvement actions)."""

    name = "collaboration.reminders"
    label = "reminders"
    verbose_name = _("Reminders and notifications")

    def ready(self) -> None:
        # Register the tasks in every process (web, worker, tests): the dispatcher
        # enqueues them by name.
        from . import tasks  # noqa: F401
