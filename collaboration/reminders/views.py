"""The bell in the header, the notifications page, and marking notifications read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from orgmap import permissions

from . import dispatcher as reminders
from . import emails, notifications
from .models import Notification, ReminderDelivery

PAGE_SIZE = 30
CHANGED_EVENT = "notifications-changed"


def _item(notification: Notification) -> dict:
    return {
        "notification": notification,
        "summary": emails.reminder_summary(notification.delivery),
        "url": emails.reminder_url(notification.delivery),
    }


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications.notifications_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Reminders that did not (surely) reach anyone need a person to look at them:
    # admins see all of them, everybody else their own.
    undelivered = ReminderDelivery.objects.filter(status__in=reminders.UNDELIVERED)
    is_admin = permissions.is_org_admin(request.user)
    if not is_admin:
        undelivered = undelivered.filter(recipient=request.user)
    failed = undelivered.count()
    return render(
        request,
        "reminders/notification_list.html",
        {
            "page": page,
            "items": [_item(notification) for notification in page],
            "unread": notifications.unread_count(request.user),
            "failed_count": failed,
            "failed_admin": is_admin,
        },
    )


@login_not_required
@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # The bell polls: after a logout or an expired session, answer "nothing to
        # swap" instead of a redirect whose login page would land in the header.
        return HttpResponse(status=204)
    return render(
        request,
        "reminders/notification_list.html#bell",
        {"unread": notifications.unread_count(request.user)},
    )


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notifications.get_notification_for_owner(request.user, pk)
    notifications.notification_mark_read(notification=notification)
    if request.htmx:
        response = render(
            request, "reminders/notification_list.html#item", {"item": _item(notification)}
        )
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect("notification-list")


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.notifications_mark_all_read(user=request.user)
    return redirect("notification-list")
