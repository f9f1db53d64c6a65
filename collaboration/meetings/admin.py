"""Admin for meetings and reviews."""

from __future__ import annotations

from django.contrib import admin

from .models import Meeting, Review


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "recurrence", "organiser", "project", "cancelled"]
    list_filter = ["kind", "recurrence", "cancelled"]
    list_select_related = ["organiser", "project"]
    search_fields = ["title", "agenda"]
    autocomplete_fields = ["organiser", "attendee_people", "attendee_roles", "departments"]
    date_hierarchy = "starts_at"


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["reviewed_on", "role", "duty", "reviewed_by"]
    list_select_related = ["role", "duty", "reviewed_by"]
    search_fields = ["role__title", "duty__title", "note"]
    raw_id_fields = ["role", "duty", "reviewed_by"]
