"""This layer's API resources; orgmap/urls.py includes them under /api/v1/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import assignments, duties, findings, people_sync, role_descriptions, search

router = SimpleRouter()
router.register("duties", duties.DutyViewSet, basename="api-duty")

urlpatterns = [
    path("", include(router.urls)),
    path("assignments/", assignments.AssignmentList.as_view(), name="api-assignment-list"),
    path(
        "cells/<int:duty_id>/<int:role_id>/",
        assignments.CellDetail.as_view(),
        name="api-cell-detail",
    ),
    path("findings/", findings.FindingList.as_view(), name="api-finding-list"),
    path("search/", search.SearchView.as_view(), name="api-search"),
    path(
        "roles/<int:pk>/description/",
        role_descriptions.RoleDescriptionView.as_view(),
        name="api-role-description",
    ),
    path("people/bulk/", people_sync.PeopleBulkView.as_view(), name="api-people-bulk"),
]
