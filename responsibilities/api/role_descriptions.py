"""A role's description as JSON, with links to its PDF and DOCX documents."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orgmap.api.base import ApiViewMixin
from orgmap.models import Role

from .. import role_documents


class DescribedDutySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="duty.pk")
    title = serializers.CharField(source="duty.title")
    department = serializers.CharField(source="duty.department.code")
    project = serializers.CharField(source="duty.project.code", default=None, allow_null=True)
    letter = serializers.CharField()
    kpis = serializers.CharField(source="duty.kpis")


class DutyGroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    duties = DescribedDutySerializer(many=True, source="assignments")


class PartnerSerializer(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name")
    reasons = serializers.ListField(child=serializers.CharField())


class DescriptionHolderSerializer(serializers.Serializer):
    username = serializers.CharField(source="person.username")
    name = serializers.CharField(source="person.profile.name")
    since = serializers.DateField()


class LinksSerializer(serializers.Serializer):
    page = serializers.CharField()
    pdf = serializers.CharField()
    docx = serializers.CharField()


class RoleDescriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="role.pk")
    title = serializers.CharField(source="role.title")
    purpose = serializers.CharField(source="role.purpose")
    department = serializers.CharField(source="role.department.code")
    holders = DescriptionHolderSerializer(many=True)
    groups = DutyGroupSerializer(many=True)
    partners = PartnerSerializer(many=True)
    links = serializers.SerializerMethodField()

    @extend_schema_field(LinksSerializer)
    def get_links(self, description) -> dict:
        request = self.context["request"]
        pk = description.role.pk
        return {
            "page": request.build_absolute_uri(reverse("role-detail", args=[pk])),
            "pdf": request.build_absolute_uri(reverse("role-pdf", args=[pk])),
            "docx": request.build_absolute_uri(reverse("role-docx", args=[pk])),
        }


class RoleDescriptionView(ApiViewMixin, APIView):
    """What the role's description document shows: its duties by letter, the
    departments it works with, its holders; the documents themselves are linked."""

    @extend_schema(responses=RoleDescriptionSerializer)
    def get(self, request, pk: int):
        role = get_object_or_404(Role.objects.select_related("department"), pk=pk)
        description = role_documents.role_description(role)
        return Response(RoleDescriptionSerializer(description, context={"request": request}).data)
