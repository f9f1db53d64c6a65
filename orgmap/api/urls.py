"""/api/: the schema, its reference page, and the organisation's resources under v1/.
orgmap/urls.py includes the other layers' resources under /api/v1/ beside these."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

# Swagger UI adds <style> elements as it renders: the reference page alone allows inline
# styles (never inline scripts); it shows no data of the organisation.
DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

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
        csp_override(DOCS_CSP)(
            login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
    path("v1/", include(router.urls)),
]
