"""“Who owns …?”: the search page's results as JSON."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orgmap.api.base import ApiViewMixin, query_param
from orgmap.api.errors import invalid

from .. import search


class SearchHolderSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()


class OwnerSerializer(serializers.Serializer):
    role = serializers.IntegerField(source="role_id")
    title = serializers.CharField()
    department = serializers.CharField(source="department.code")
    letter = serializers.CharField()
    holders = SearchHolderSerializer(many=True)


class DutyHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    department = serializers.CharField(source="department.code")
    project = serializers.CharField(source="project.code", default=None, allow_null=True)
    accountable = OwnerSerializer(many=True)
    responsible = OwnerSerializer(many=True)


class RoleHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    department = serializers.CharField(source="department.code")
    holders = SearchHolderSerializer(many=True)


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PersonHitSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField()
    duties = DutyHitSerializer(many=True)
    roles = RoleHitSerializer(many=True)
    departments = PlaceSerializer(many=True)
    projects = PlaceSerializer(many=True)
    people = PersonHitSerializer(many=True)


class SearchView(ApiViewMixin, APIView):
    """The best matches of each kind (at most 20 each; not paginated)."""

    @extend_schema(
        parameters=[query_param("q", "What to look for (at least 2 characters).")],
        responses=SearchSerializer,
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        if len(" ".join(query.split())) < search.MIN_QUERY_LENGTH:
            raise invalid({"q": [_("Type at least 2 characters.")]})
        return Response(SearchSerializer(search.search(query)).data)
