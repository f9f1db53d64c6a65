"""Findings, from the stored findings (findings_store keeps them current)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers

from orgmap.api.base import (
    ApiViewMixin,
    department_param,
    project_param,
    query_int,
    query_param,
)
from orgmap.api.errors import invalid

from .. import raci
from ..models import Finding

SEVERITIES = (raci.Severity.ERROR, raci.Severity.WARNING, raci.Severity.INFO)


def _texts(finding: Finding) -> list[str]:
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        language = translation.get_supported_language_variant(language)
    except LookupError:
        language = settings.LANGUAGE_CODE
    return finding.texts.get(language) or finding.texts.get(settings.LANGUAGE_CODE) or ["", ""]


class FixSerializer(serializers.Serializer):
    duty = serializers.IntegerField()
    role = serializers.IntegerField()
    letter = serializers.CharField(allow_null=True)


class FindingSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department_code")
    project = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()
    fix = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "severity",
            "department",
            "project",
            "duty",
            "duty_title",
            "role",
            "roles",
            "message",
            "suggestion",
            "fix",
        ]

    def get_project(self, finding: Finding) -> str | None:
        return finding.project_code or None

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_roles(self, finding: Finding) -> list[dict]:
        return [
            {"id": values[0], "title": values[1], "department": values[3]}
            for values in finding.roles
        ]

    def get_message(self, finding: Finding) -> str:
        return _texts(finding)[0]

    def get_suggestion(self, finding: Finding) -> str:
        return _texts(finding)[1]

    @extend_schema_field(FixSerializer(allow_null=True))
    def get_fix(self, finding: Finding) -> dict | None:
        if not finding.fix:
            return None
        duty_id, role_id, letter = finding.fix
        return {"duty": duty_id, "role": role_id, "letter": letter}


@extend_schema_view(
    get=extend_schema(
        parameters=[
            query_param("department", "Findings reported in this department (code)."),
            query_param("project", "Findings of this project's duties (code)."),
            query_param("rule", "A rule code, e.g. NO_ACCOUNTABLE."),
            query_param("severity", "error, warning or info."),
            query_param("duty", "Findings about this duty (id).", OpenApiTypes.INT),
            query_param("role", "Findings about this role (id).", OpenApiTypes.INT),
        ]
    )
)
class FindingList(ApiViewMixin, generics.ListAPIView):
    """What the findings page lists: one indexed query per page."""

    serializer_class = FindingSerializer

    def get_queryset(self):
        found = Finding.objects.all()
        department = department_param(self.request)
        if department is not None:
            found = found.filter(department=department)
        project = project_param(self.request)
        if project is not None:
            found = found.filter(project=project)
        if rule := self.request.query_params.get("rule", "").strip():
            if rule not in raci.RULES:
                raise invalid({"rule": [_("Unknown rule.")]})
            found = found.filter(rule=rule)
        if severity := self.request.query_params.get("severity", "").strip():
            if severity not in SEVERITIES:
                raise invalid({"severity": [_("Use error, warning or info.")]})
            found = found.filter(severity=severity)
        duty_id = query_int(self.request, "duty")
        if duty_id is not None:
            found = found.filter(duty_id=duty_id)
        role_id = query_int(self.request, "role")
        if role_id is not None:
            found = found.filter(role_id=role_id)
        return found
