"""Meetings in the REST API (read only): /api/v1/meetings/, included by orgmap/urls.py.
Every logged-in person reads meetings in the UI, and so in the API."""

from __future__ import annotations

import datetime

from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from orgmap.api.base import (
    ApiViewMixin,
    department_param,
    project_param,
    query_date,
    query_param,
)

from .models import Meeting


class MeetingSerializer(serializers.ModelSerializer):
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organiser = serializers.SlugRelatedField(slug_field="username", read_only=True)
    attendee_roles = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attendee_people = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "departments",
            "project",
            "organiser",
            "attendee_roles",
            "attendee_people",
            "agenda",
            "minutes",
            "location",
            "starts_at",
            "duration_minutes",
            "time_zone",
            "recurrence",
            "recurrence_until",
            "recurrence_count",
            "cancelled",
        ]


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("department", "Meetings of this department (code)."),
            query_param("project", "Meetings of this project (code)."),
            query_param(
                "starts_from", "First meetings starting on or after this day (YYYY-MM-DD)."
            ),
            query_param("starts_before", "Meetings starting before this day (YYYY-MM-DD)."),
        ]
    )
)
class MeetingViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        meetings = Meeting.objects.select_related("project", "organiser").prefetch_related(
            "departments", "attendee_roles", "attendee_people"
        )
        if self.action != "list":
            return meetings
        department = department_param(self.request)
        if department is not None:
            meetings = meetings.filter(departments=department)
        project = project_param(self.request)
        if project is not None:
            meetings = meetings.filter(project=project)
        if (day := query_date(self.request, "starts_from")) is not None:
            meetings = meetings.filter(starts_at__gte=_start_of(day))
        if (day := query_date(self.request, "starts_before")) is not None:
            meetings = meetings.filter(starts_at__lt=_start_of(day))
        return meetings


router = SimpleRouter()
router.register("meetings", MeetingViewSet, basename="api-meeting")

urlpatterns = [path("", include(router.urls))]
