"""Duties, each with its row of the matrix (its cells): `?department=CODE` is the
department's matrix, a page of rows at a time."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orgmap import permissions
from orgmap.api.base import (
    ApiViewMixin,
    department_param,
    form_data,
    form_invalid,
    project_param,
    query_bool,
    query_param,
    search_filter,
)
from orgmap.api.errors import invalid
from orgmap.api.permissions import WritesDecided
from orgmap.models import Department, Project

from .. import services
from ..forms import DutyForm, ProjectDutyForm
from ..models import Duty

DUTY_FORM_FIELDS = ["title", "project", "description", "frequency", "kpis", "active"]


class RowCellSerializer(serializers.Serializer):
    role = serializers.IntegerField(source="role_id")
    letter = serializers.CharField()
    version = serializers.IntegerField()


class DutySerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    project = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cells = RowCellSerializer(many=True, read_only=True, source="assignments")

    class Meta:
        model = Duty
        fields = [
            "id",
            "title",
            "description",
            "department",
            "project",
            "frequency",
            "kpis",
            "active",
            "review_cadence_months",
            "last_reviewed_on",
            "cells",
        ]


class DutyWriteSerializer(serializers.Serializer):
    title = serializers.CharField(required=False)
    department = serializers.CharField(
        required=False, help_text=gettext_lazy("The owning department's code (on creation).")
    )
    project = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text=gettext_lazy("A project's code."),
    )
    description = serializers.CharField(required=False, allow_blank=True)
    frequency = serializers.ChoiceField(
        choices=Duty.Frequency.choices, required=False, allow_blank=True
    )
    kpis = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class CanEditDuty(WritesDecided):
    def may_write(self, user, obj) -> bool:
        return permissions.can_edit_duty(
            user, department_id=obj.department_id, project_id=obj.project_id
        )


def _project_by_code(code: str | None) -> Project | None:
    if not code:
        return None
    project = Project.objects.filter(code__iexact=code).first()
    if project is None:
        raise invalid({"project": [_("No project has this code.")]})
    return project


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("department", "Only duties owned by this department (code)."),
            query_param("project", "Only duties of this project (code)."),
            query_param("active", "1 or 0.", OpenApiTypes.BOOL),
            query_param("q", "Title contains."),
        ]
    ),
    create=extend_schema(request=DutyWriteSerializer),
    update=extend_schema(request=DutyWriteSerializer),
    partial_update=extend_schema(request=DutyWriteSerializer),
)
class DutyViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Duties with their cells. Created by the department's managers (or the project's
    coordinators), edited by whoever may edit the duty's row; retire one with
    `active: false`."""

    serializer_class = DutySerializer
    permission_classes = [CanEditDuty]

    def get_queryset(self):
        duties = Duty.objects.select_related("department", "project").prefetch_related(
            "assignments"
        )
        if self.action != "list":
            return duties
        department = department_param(self.request)
        if department is not None:
            duties = duties.filter(department=department)
        project = project_param(self.request)
        if project is not None:
            duties = duties.filter(project=project)
        active = query_bool(self.request, "active")
        if active is not None:
            duties = duties.filter(active=active)
        return search_filter(duties, self.request, "title")

    def _respond(self, duty: Duty, code: int = status.HTTP_200_OK) -> Response:
        return Response(DutySerializer(self.get_queryset().get(pk=duty.pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        incoming = DutyWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        code = data.pop("department", "")
        department = Department.objects.filter(code__iexact=code).first() if code else None
        if department is None:
            raise invalid({"department": [_("Choose the department that owns the duty.")]})
        project = _project_by_code(data.pop("project", None))
        data.pop("active", None)
        user = request.user
        if permissions.can_manage_department(user, department):
            # The department's duty form: a project, if any, must involve the department.
            form = DutyForm(
                form_data(None, [], {**data, "project": project.pk if project else None}),
                department=department,
            )
            if not form.is_valid():
                raise form_invalid(form)
            duty = services.duty_create(department=department, **form.cleaned_data)
            return self._respond(duty, status.HTTP_201_CREATED)
        if project is not None and permissions.can_manage_project(user, project):
            # The project's duty form: the owning department must take part in the project.
            form = ProjectDutyForm(
                {"title": data.get("title", ""), "department": department.pk}, project=project
            )
            if not form.is_valid():
                raise form_invalid(form)
            try:
                duty = services.duty_create(
                    title=form.cleaned_data["title"],
                    department=department,
                    project=project,
                    description=data.get("description", ""),
                    frequency=data.get("frequency", ""),
                    kpis=data.get("kpis", ""),
                )
            except ValidationError as error:
                raise invalid(error.message_dict) from None
            return self._respond(duty, status.HTTP_201_CREATED)
        raise PermissionDenied(_("You may not edit this department."))

    def update(self, request, *args, **kwargs):
        duty = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        self.check_object_permissions(request, duty)
        incoming = DutyWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        if (
            "department" in changes
            and changes.pop("department").upper() != duty.department.code.upper()
        ):
            raise invalid({"department": [_("A duty cannot move to another department.")]})
        if "project" in changes:
            project = _project_by_code(changes["project"])
            changes["project"] = project.pk if project else None
        form = DutyForm(
            form_data(duty, DUTY_FORM_FIELDS, changes), instance=duty, department=duty.department
        )
        if not form.is_valid():
            raise form_invalid(form)
        form.save()
        return self._respond(duty)
