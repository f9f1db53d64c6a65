from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    """Coordination meetings (one-off or recurring), calendars and periodic reviews."""

    name = "collaboration.meetings"
    label = "meetings"
    verbose_name = _("Meetings and reviews")
