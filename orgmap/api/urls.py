"""/api/: the schema, its reference page, and the organisation's resources under v1/.
orgmap/urls.py includes the other layers' resources under /api/v1/ beside these."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="api-department")
router.register("roles", views.RoleViewSet, basename="api-role")
router.register("people", views.PersonViewSet, basename="api-person")
router.register("role-holders", views.RoleHolderViewSet, basename="api-role-holder")
router.register("projects", views.ProjectViewSet, basename="api-project")

urlpatterns = [
    # Public: the schema describes the API, not the organisation's data.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("v1/", include(router.urls)),
]
