"""The organisation's resources: departments (a tree), roles, people, role holders,
projects. Writes go through the same forms and services as the pages."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from orgmap import permissions, selectors, services
from orgmap.forms import RoleForm
from orgmap.models import Department, Project, Role, RoleHolder

from . import serializers
from .base import (
    ApiViewMixin,
    department_param,
    form_data,
    form_invalid,
    query_bool,
    query_int,
    query_param,
    search_filter,
)
from .errors import invalid
from .permissions import CanEditRole, CanEditRoleHolders

ROLE_FORM_FIELDS = [
    "title",
    "department",
    "purpose",
    "reports_to",
    "active",
    "review_cadence_months",
    "last_reviewed_on",
]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("parent", "Only the direct sub-departments of this department (code)."),
            query_param("root", "1: only top-level departments.", OpenApiTypes.BOOL),
            query_param("q", "Name or code contains."),
        ]
    )
)
class DepartmentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Departments; `tree` returns the whole organisation nested."""

    serializer_class = serializers.DepartmentSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        departments = Department.objects.select_related("parent")
        if self.action != "list":
            return departments
        parent = department_param(self.request, "parent")
        if parent is not None:
            departments = departments.filter(parent=parent)
        if query_bool(self.request, "root"):
            departments = departments.filter(parent__isnull=True)
        return search_filter(departments, self.request, "name", "code")

    def get_object(self):
        department = get_object_or_404(self.get_queryset(), code__iexact=self.kwargs["code"])
        self.check_object_permissions(self.request, department)
        return department

    @extend_schema(responses=serializers.DepartmentNodeSerializer(many=True))
    @action(detail=False, pagination_class=None)
    def tree(self, request):
        """The whole organisation: root departments with their sub-departments nested,
        and the counts the overview page shows (three queries)."""
        roots = selectors.department_tree()
        return Response(serializers.DepartmentNodeSerializer(roots, many=True).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("department", "Only roles of this department (code)."),
            query_param("active", "1 or 0.", OpenApiTypes.BOOL),
            query_param("q", "Title contains."),
        ]
    ),
    create=extend_schema(request=serializers.RoleWriteSerializer),
    update=extend_schema(request=serializers.RoleWriteSerializer),
    partial_update=extend_schema(request=serializers.RoleWriteSerializer),
)
class RoleViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Roles with their current holders. Created by the department's managers and HR,
    edited by them and org admins (the role page's rules and form)."""

    serializer_class = serializers.RoleSerializer
    permission_classes = [CanEditRole]

    def get_queryset(self):
        roles = Role.objects.select_related("department", "reports_to").with_current_holders()
        if self.action != "list":
            return roles
        department = department_param(self.request)
        if department is not None:
            roles = roles.filter(department=department)
        active = query_bool(self.request, "active")
        if active is not None:
            roles = roles.filter(active=active)
        return search_filter(roles, self.request, "title")

    def _save(self, request, role: Role | None, *, partial: bool):
        incoming = serializers.RoleWriteSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        changes = dict(incoming.validated_data)
        if "department" in changes:
            department = Department.objects.filter(code__iexact=changes["department"]).first()
            if department is None:
                raise invalid({"department": [_("No department has this code.")]})
            changes["department"] = department.pk
            if role is None and not (
                permissions.can_manage_department(request.user, department)
                or permissions.is_hr(request.user)
            ):
                raise PermissionDenied(
                    _("You may not add roles to %(name)s.") % {"name": department.name}
                )
        elif role is None:
            raise invalid({"department": [_("Choose the department this role belongs to.")]})
        form = RoleForm(
            form_data(role, ROLE_FORM_FIELDS, changes), instance=role, user=request.user
        )
        if not form.is_valid():
            raise form_invalid(form)
        saved = form.save()
        saved = self.get_queryset().get(pk=saved.pk)
        return serializers.RoleSerializer(saved).data

    def create(self, request, *args, **kwargs):
        return Response(self._save(request, None, partial=False), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        role = self.get_object()  # checks can_edit_role
        return Response(self._save(request, role, partial=kwargs.get("partial", False)))


def _people():
    return (
        get_user_model()
        .objects.select_related("profile", "external_id")
        .prefetch_related(
            Prefetch(
                "role_holdings",
                queryset=RoleHolder.objects.current().select_related("role__department"),
                to_attr="current_holdings",
            )
        )
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("department", "Only people holding a role in this department (code)."),
            query_param("email", "The person with this address (case-insensitive)."),
            query_param("external_id", "The person with this HR-system id."),
            query_param("active", "1 or 0.", OpenApiTypes.BOOL),
            query_param("q", "Login, address or name contains."),
        ]
    )
)
class PersonViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """People, with the roles they hold now. Created and updated in bulk by
    POST /api/v1/people/bulk/ (the people import)."""

    serializer_class = serializers.PersonSerializer
    lookup_field = "username"
    # Not "bulk": /people/bulk/ is the people sync (responsibilities/api/people_sync.py).
    lookup_value_regex = "(?!bulk/)[^/]+"

    def get_queryset(self):
        people = _people()
        if self.action != "list":
            return people
        department = department_param(self.request)
        if department is not None:
            held = RoleHolder.objects.current().filter(role__department=department)
            people = people.filter(pk__in=held.values("person_id"))
        if email := self.request.query_params.get("email", "").strip():
            people = people.filter(email__iexact=email)
        if external_id := self.request.query_params.get("external_id", "").strip():
            people = people.filter(external_id__external_id=external_id)
        active = query_bool(self.request, "active")
        if active is not None:
            people = people.filter(is_active=active)
        return search_filter(people, self.request, "username", "email", "profile__display_name")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("role", "Only holdings of this role (id).", OpenApiTypes.INT),
            query_param("person", "Only holdings of this person (username)."),
            query_param("department", "Only holdings of roles in this department (code)."),
            query_param("current", "1: only holdings current today.", OpenApiTypes.BOOL),
        ]
    ),
    create=extend_schema(
        request=serializers.RoleHolderCreateSerializer,
        responses={201: serializers.RoleHolderSerializer},
    ),
    partial_update=extend_schema(
        request=serializers.RoleHolderEndSerializer,
        responses=serializers.RoleHolderSerializer,
    ),
)
class RoleHolderViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Who holds which role. Added, and ended (PATCH with `until`), by the managers of
    the role's department and org admins, as on the role page."""

    serializer_class = serializers.RoleHolderSerializer
    permission_classes = [CanEditRoleHolders]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        holdings = RoleHolder.objects.select_related("role__department", "person")
        if self.action != "list":
            return holdings
        role_id = query_int(self.request, "role")
        if role_id is not None:
            holdings = holdings.filter(role_id=role_id)
        if username := self.request.query_params.get("person", "").strip():
            holdings = holdings.filter(person__username=username)
        department = department_param(self.request)
        if department is not None:
            holdings = holdings.filter(role__department=department)
        if query_bool(self.request, "current"):
            holdings = holdings.current()
        return holdings

    def create(self, request, *args, **kwargs):
        incoming = serializers.RoleHolderCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        role = Role.objects.select_related("department").filter(pk=data["role"]).first()
        if role is None:
            raise invalid({"role": [_("No role has this id.")]})
        if not permissions.can_edit_role_holders(request.user, role):
            raise PermissionDenied(_("You may not change who holds this role."))
        person = get_user_model().objects.filter(username=data["person"], is_active=True).first()
        if person is None:
            raise invalid({"person": [_("No active person has this username.")]})
        if RoleHolder.objects.current().filter(role=role, person=person).exists():
            raise invalid(
                {"person": [_("%(name)s already holds this role.") % {"name": person.profile.name}]}
            )
        try:
            holding = services.role_holder_add(
                role=role, person=person, since=data.get("since") or timezone.localdate()
            )
        except ValidationError as error:
            raise invalid(error.message_dict) from None
        return Response(
            serializers.RoleHolderSerializer(holding).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        holding = self.get_object()  # checks can_edit_role_holders
        incoming = serializers.RoleHolderEndSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        until = incoming.validated_data["until"]
        if until <= holding.since:
            raise invalid({"until": [_("The end date must be after the start date.")]})
        holding = services.role_holder_end(holding=holding, until=until)
        return Response(serializers.RoleHolderSerializer(holding).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            query_param("status", "planned, active, on_hold, done or cancelled."),
            query_param("department", "Only projects this department takes part in (code)."),
            query_param("q", "Name or code contains."),
        ]
    )
)
class ProjectViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ProjectSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        projects = Project.objects.select_related("coordinator").prefetch_related("departments")
        if self.action != "list":
            return projects
        if state := self.request.query_params.get("status", "").strip():
            if state not in Project.Status.values:
                raise invalid({"status": [_("Unknown status.")]})
            projects = projects.filter(status=state)
        department = department_param(self.request)
        if department is not None:
            projects = projects.filter(departments=department)
        return search_filter(projects, self.request, "name", "code")

    def get_object(self):
        project = get_object_or_404(self.get_queryset(), code__iexact=self.kwargs["code"])
        self.check_object_permissions(self.request, project)
        return project
