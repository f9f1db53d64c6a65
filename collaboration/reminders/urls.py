"""URLs of the in-app notifications (the bell and the notifications page)."""

from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/bell/", views.notification_bell, name="notification-bell"),
    path(
        "notifications/<int:pk>/read/",
        views.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        views.notifications_read_all,
        name="notifications-read-all",
    ),
]
