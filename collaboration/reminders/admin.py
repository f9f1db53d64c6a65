"""Admin for reminder deliveries and notifications. Failed reminders are found here
(filter by status) and can be sent again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import dispatcher as reminders
from .models import Notification, ReminderDelivery


@admin.action(description=_("Send the selected failed reminders again"))
def retry_deliveries(modeladmin, request, queryset) -> None:
    now = timezone.now()
    retried = sum(
        reminders.delivery_retry(delivery=delivery, now=now)
        for delivery in queryset.filter(status=ReminderDelivery.Status.FAILED)
    )
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d reminder will be sent again within a minute.",
            "%(count)d reminders will be sent again within a minute.",
            retried,
        )
        % {"count": retried},
        messages.SUCCESS,
    )


class UndeliveredFilter(admin.SimpleListFilter):
    """Failed, expired and unknown together: every reminder that did not surely arrive."""

    title = _("delivery problem")
    parameter_name = "undelivered"

    def lookups(self, request, model_admin):
        return [("yes", _("not (surely) delivered: failed, expired or unknown"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=reminders.UNDELIVERED)
        return queryset


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "subject_display",
        "occurrence",
        "status",
        "attempts",
        "detail",
    ]
    list_filter = [UndeliveredFilter, "status", "kind"]
    list_select_related = ["recipient", "meeting", "role", "duty", "action"]
    search_fields = ["key", "recipient__username", "recipient__email", "detail"]
    date_hierarchy = "created_at"
    actions = [retry_deliveries]
    readonly_fields = [field.name for field in ReminderDelivery._meta.fields if field.name != "id"]

    @admin.display(description=_("about"))
    def subject_display(self, delivery: ReminderDelivery) -> str:
        return str(delivery.subject)

    def has_add_permission(self, request) -> bool:
        # Deliveries are made by the dispatcher only: a hand-made one would bypass it.
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "delivery", "read_at"]
    list_select_related = ["recipient", "delivery"]
    raw_id_fields = ["recipient", "delivery"]
