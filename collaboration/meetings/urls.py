"""URLs of meetings, calendars and reviews."""

from django.urls import path

from . import views

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/meeting.ics", views.meeting_ics, name="meeting-ics"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar-reset"),
    path(
        "calendar/<int:feed_id>/<str:token>/orgmap.ics",
        views.calendar_feed,
        name="calendar-feed",
    ),
    path(
        "departments/<str:code>/reviews/",
        views.department_reviews,
        name="department-reviews",
    ),
    path("roles/<int:pk>/review/", views.role_review, name="role-review"),
    path("duties/<int:pk>/review/", views.duty_review, name="duty-review"),
]
