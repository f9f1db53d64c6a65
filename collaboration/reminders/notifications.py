"""In-app notifications: reads and the "mark as read" writes."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.permissions import User

from .models import Notification


def _with_subjects() -> QuerySet[Notification]:
    return Notification.objects.select_related(
        "delivery__meeting",
        "delivery__role__department",
        "delivery__duty__department",
        "delivery__action__owner__profile",
    )


def notifications_of(user: AbstractBaseUser) -> QuerySet[Notification]:
    return _with_subjects().filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def get_notification_for_owner(user: User, pk: int) -> Notification:
    notification = get_object_or_404(_with_subjects(), pk=pk)
    if notification.recipient_id != user.pk:
        raise PermissionDenied(_("This notification belongs to somebody else."))
    return notification


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
