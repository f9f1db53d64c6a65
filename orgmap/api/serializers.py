"""Shapes of the organisation's resources. Relations are written as codes (departments,
projects), usernames (people) and ids (roles, holdings), as the pages show them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgmap.models import Department, Project, Role, RoleHolder


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    head = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name", "description", "parent", "head"]


class DepartmentNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department.pk")
    code = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name")
    head = serializers.IntegerField(source="department.head_id", allow_null=True)
    depth = serializers.IntegerField()
    roles = serializers.IntegerField(help_text=_("Active roles."))
    people = serializers.IntegerField(help_text=_("People holding its active roles."))
    vacancies = serializers.IntegerField(help_text=_("Active roles nobody holds."))
    children = serializers.SerializerMethodField(help_text=_("Sub-departments, the same shape."))

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_children(self, node) -> list[dict]:
        return [self.to_representation(child) for child in node.children]


class HolderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField(source="person.username")
    name = serializers.CharField(source="person.profile.name")
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)


class RoleSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    reports_to = serializers.PrimaryKeyRelatedField(read_only=True)
    holders = HolderSerializer(many=True, read_only=True, source="current_holders")

    class Meta:
        model = Role
        fields = [
            "id",
            "title",
            "purpose",
            "department",
            "reports_to",
            "active",
            "review_cadence_months",
            "last_reviewed_on",
            "holders",
        ]


class RoleWriteSerializer(serializers.Serializer):
    """A role as written: checked by the role page's own form (orgmap/forms.py)."""

    title = serializers.CharField(required=False)
    purpose = serializers.CharField(required=False, allow_blank=True)
    department = serializers.CharField(required=False, help_text=_("The department's code."))
    reports_to = serializers.IntegerField(required=False, allow_null=True)
    active = serializers.BooleanField(required=False)
    review_cadence_months = serializers.ChoiceField(
        choices=Role.ReviewCadence.choices, required=False, allow_null=True
    )
    last_reviewed_on = serializers.DateField(required=False, allow_null=True)


class RoleHolderSerializer(serializers.ModelSerializer):
    role = serializers.PrimaryKeyRelatedField(read_only=True)
    person = serializers.SlugRelatedField(slug_field="username", read_only=True)
    current = serializers.BooleanField(source="is_current", read_only=True)

    class Meta:
        model = RoleHolder
        fields = ["id", "role", "person", "since", "until", "current"]


class RoleHolderCreateSerializer(serializers.Serializer):
    role = serializers.IntegerField()
    person = serializers.CharField(help_text=_("The person's username."))
    since = serializers.DateField(required=False)


class RoleHolderEndSerializer(serializers.Serializer):
    until = serializers.DateField(help_text=_("The day the holding ends (not included)."))


class ProjectSerializer(serializers.ModelSerializer):
    coordinator = serializers.SlugRelatedField(slug_field="username", read_only=True)
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "goal",
            "status",
            "starts_on",
            "ends_on",
            "coordinator",
            "departments",
        ]


class HoldingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    role = serializers.IntegerField(source="role_id")
    role_title = serializers.CharField(source="role.title")
    department = serializers.CharField(source="role.department.code")
    since = serializers.DateField()


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="profile.name", read_only=True)
    external_id = serializers.SerializerMethodField()
    holdings = HoldingSerializer(many=True, read_only=True, source="current_holdings")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "name", "is_active", "external_id", "holdings"]

    def get_external_id(self, person) -> str | None:
        mapping = getattr(person, "external_id", None)
        return mapping.external_id if mapping is not None else None


class PersonRowSerializer(serializers.Serializer):
    """One row of the people import's file, as JSON (docs/import-export.md)."""

    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    department = serializers.CharField(allow_blank=True, max_length=200)
    role = serializers.CharField(allow_blank=True, max_length=200)
    parent_department = serializers.CharField(required=False, allow_blank=True, max_length=200)
    manager_email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    active = serializers.CharField(required=False, allow_blank=True, max_length=20)


class PeopleUpsertSerializer(serializers.Serializer):
    people = PersonRowSerializer(many=True, allow_empty=False)


class ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class PeopleReportSerializer(serializers.Serializer):
    """The people import page's report, as JSON."""

    dry_run = serializers.BooleanField()
    valid = serializers.BooleanField()
    applied = serializers.BooleanField()
    summary = serializers.DictField(child=serializers.IntegerField())
    problems = ProblemSerializer(many=True)
    departments_created = serializers.ListField(child=serializers.DictField())
    parent_changes = serializers.ListField(child=serializers.DictField())
    roles_created = serializers.ListField(child=serializers.DictField())
    role_changes = serializers.ListField(child=serializers.DictField())
    people_created = serializers.ListField(child=serializers.DictField())
    people_renamed = serializers.ListField(child=serializers.DictField())
    holdings_created = serializers.ListField(child=serializers.DictField())
