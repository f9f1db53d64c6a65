"""URLs of meetings, calendars, reviews and notifications (issue 6)."""

from django.urls import path

from . import meeting_views, notification_views, review_views

urlpatterns = [
    path("meetings/", meeting_views.meeting_list, name="meeting-list"),
    path("meetings/new/", meeting_views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/minutes/", meeting_views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/meeting.ics", meeting_views.meeting_ics, name="meeting-ics"),
    path("calendar/", meeting_views.calendar_page, name="calendar"),
    path("calendar/reset/", meeting_views.calendar_reset, name="calendar-reset"),
    path(
        "calendar/<int:feed_id>/<str:token>/orgmap.ics",
        meeting_views.calendar_feed,
        name="calendar-feed",
    ),
    path("notifications/", notification_views.notification_list, name="notification-list"),
    path("notifications/bell/", notification_views.notification_bell, name="notification-bell"),
    path(
        "notifications/<int:pk>/read/",
        notification_views.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "departments/<str:code>/reviews/",
        review_views.department_reviews,
        name="department-reviews",
    ),
    path("roles/<int:pk>/review/", review_views.role_review, name="role-review"),
    path("duties/<int:pk>/review/", review_views.duty_review, name="duty-review"),
]
