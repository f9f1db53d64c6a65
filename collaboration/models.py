"""The collaboration app itself holds no models any more.

Projects moved to orgmap, meetings and reviews to collaboration.meetings.selectors, reminders and
notifications to collaboration.reminders.dispatcher (docs/architecture.md). This app stays
installed for its migration history: databases created before the move keep their
tables, and the new apps take them over without copying data."""

from django.conf import settings


def _default_time_zone() -> str:
    """Referenced by migration 0003 (the default of Meeting.time_zone when meetings
    lived here); collaboration.meetings.models has the one in use."""
    return settings.TIME_ZONE
