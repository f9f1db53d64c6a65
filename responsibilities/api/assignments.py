"""Cells of the matrix: read them in lists; set one with PUT/PATCH and the version it
was read at. A stale version answers 409 with who changed the cell and when, the same
message the matrix page shows, and changes nothing."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orgmap import permissions
from orgmap.api.base import (
    ApiViewMixin,
    department_param,
    project_param,
    query_int,
    query_param,
)
from orgmap.api.errors import ApiError, invalid
from orgmap.models import Role

from .. import raci, services
from ..models import Assignment, Duty


class AssignmentSerializer(serializers.ModelSerializer):
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "duty", "role", "letter", "version", "updated_at", "updated_by"]


class CellSerializer(serializers.Serializer):
    duty = serializers.IntegerField(read_only=True)
    role = serializers.IntegerField(read_only=True)
    letter = serializers.CharField(
        allow_null=True,
        allow_blank=True,
        max_length=10,
        help_text="R, A, C, I or A/R; null or an empty string clears the cell.",
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        help_text="The version the cell had when it was read (0: an empty cell).",
    )


class ConflictSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()


LETTER_PARAM = query_param("letter", "R, A, C, I or AR.")


@extend_schema_view(
    get=extend_schema(
        parameters=[
            query_param("department", "Cells of this department's duties (code)."),
            query_param("project", "Cells of this project's duties (code)."),
            query_param("duty", "Cells of this duty (id).", OpenApiTypes.INT),
            query_param("role", "Cells of this role (id).", OpenApiTypes.INT),
            LETTER_PARAM,
        ]
    )
)
class AssignmentList(ApiViewMixin, generics.ListAPIView):
    """Filled cells of the matrix (an empty cell has no row)."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        cells = Assignment.objects.select_related("updated_by")
        department = department_param(self.request)
        if department is not None:
            cells = cells.filter(duty__department=department)
        project = project_param(self.request)
        if project is not None:
            cells = cells.filter(duty__project=project)
        duty_id = query_int(self.request, "duty")
        if duty_id is not None:
            cells = cells.filter(duty_id=duty_id)
        role_id = query_int(self.request, "role")
        if role_id is not None:
            cells = cells.filter(role_id=role_id)
        if letter := self.request.query_params.get("letter", "").strip():
            if letter not in raci.LETTERS:
                raise invalid({"letter": [_("Use R, A, C, I or AR.")]})
            cells = cells.filter(letter=letter)
        return cells


def _cell(duty: Duty, role: Role, assignment: Assignment | None) -> dict:
    return {
        "duty": duty.pk,
        "role": role.pk,
        "letter": assignment.letter if assignment else None,
        "version": assignment.version if assignment else 0,
    }


def _stale(result: services.CellResult, duty: Duty, role: Role) -> ApiError:
    """What the matrix page says of a stale edit (views/matrix.py), with the facts."""
    change = result.last_change
    current = (
        raci.LETTER_LABELS.get(result.assignment.letter, "") if result.assignment else _("empty")
    )
    if change is None:
        message = _(
            "This cell was changed by someone else; it is now %(value)s. Your change was not applied."
        ) % {"value": current}
    else:
        when = formats.time_format(timezone.localtime(change.changed_at), "H:i")
        who = change.changed_by.profile.name if change.changed_by else _("an import")
        message = _(
            "Changed by %(who)s at %(when)s: it is now %(value)s. Your change was not applied."
        ) % {"who": who, "when": when, "value": current}
    changed_by = None
    if change is not None and change.changed_by is not None:
        changed_by = {
            "username": change.changed_by.username,
            "name": change.changed_by.profile.name,
        }
    return ApiError(
        status_code=409,
        code="stale_version",
        message=message,
        details={
            "changed_by": changed_by,
            "changed_at": change.changed_at.isoformat() if change else None,
            "current": _cell(duty, role, result.assignment),
        },
    )


class CellDetail(ApiViewMixin, generics.GenericAPIView):
    """One cell, read or set (PUT and PATCH alike: the letter and the version read)."""

    serializer_class = CellSerializer
    pagination_class = None

    def _load(self) -> tuple[Duty, Role]:
        duty = get_object_or_404(
            Duty.objects.select_related("department", "project"), pk=self.kwargs["duty_id"]
        )
        role = get_object_or_404(
            Role.objects.select_related("department"), pk=self.kwargs["role_id"]
        )
        return duty, role

    def get(self, request, duty_id: int, role_id: int):
        duty, role = self._load()
        return Response(_cell(duty, role, Assignment.objects.filter(duty=duty, role=role).first()))

    @extend_schema(
        responses={
            200: CellSerializer,
            409: OpenApiResponse(
                ConflictSerializer, description="The cell changed since it was read."
            ),
        }
    )
    def put(self, request, duty_id: int, role_id: int):
        duty, role = self._load()
        if not permissions.can_edit_duty(
            request.user, department_id=duty.department_id, project_id=duty.project_id
        ):
            raise PermissionDenied(
                _("You may not edit the assignments of “%(duty)s”.") % {"duty": duty.title}
            )
        incoming = CellSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            letter = raci.parse_letter(incoming.validated_data.get("letter") or "")
        except raci.UnknownLetter:
            raise invalid(
                {
                    "letter": [
                        _(
                            '"%(value)s" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'
                        )
                        % {"value": raci.quote(incoming.validated_data.get("letter") or "", 20)}
                    ]
                }
            ) from None
        result = services.assignment_set(
            duty=duty,
            role=role,
            letter=letter,
            expected_version=incoming.validated_data["version"],
            by=request.user,
            source="api",
        )
        if not result.applied:
            raise _stale(result, duty, role)
        return Response(_cell(duty, role, result.assignment))

    @extend_schema(
        responses={
            200: CellSerializer,
            409: OpenApiResponse(
                ConflictSerializer, description="The cell changed since it was read."
            ),
        }
    )
    def patch(self, request, duty_id: int, role_id: int):
        return self.put(request, duty_id, role_id)
