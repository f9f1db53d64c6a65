from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponsePermanentRedirect
from django.urls import include, path, re_path

from .api import token_views
from .views import access, language, organisation, projects

# Admin pages of models that moved between apps keep their old addresses (bookmarks,
# links in old reminder emails): /admin/collaboration/meeting/… → /admin/meetings/meeting/…
MOVED_ADMIN = {
    ("collaboration", "project"): "orgmap",
    ("collaboration", "meeting"): "meetings",
    ("collaboration", "review"): "meetings",
    ("collaboration", "reminderdelivery"): "reminders",
    ("collaboration", "notification"): "reminders",
    ("routines", "informationflow"): "responsibilities",
}


def moved_admin(
    request: HttpRequest, app: str, model: str, rest: str = ""
) -> HttpResponsePermanentRedirect:
    new_app = MOVED_ADMIN.get((app, model))
    if new_app is None:
        raise Http404
    query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
    return HttpResponsePermanentRedirect(f"/admin/{new_app}/{model}/{rest}{query}")


urlpatterns = [
    path("", organisation.org_overview, name="org-overview"),
    path("departments/new/", organisation.department_create, name="department-create"),
    path("departments/<str:code>/", organisation.department_detail, name="department-detail"),
    path("departments/<str:code>/edit/", organisation.department_edit, name="department-edit"),
    path("departments/<str:code>/roles/new/", organisation.role_create, name="role-create"),
    path("roles/<int:pk>/", organisation.role_detail, name="role-detail"),
    path("roles/<int:pk>/edit/", organisation.role_edit, name="role-edit"),
    path("roles/<int:pk>/holders/add/", organisation.role_holder_add, name="role-holder-add"),
    path("holders/<int:pk>/end/", organisation.role_holder_end, name="role-holder-end"),
    path("people/<str:username>/", organisation.person_detail, name="person-detail"),
    path("access/", access.access_page, name="access"),
    path(
        "access/departments/<str:code>/managers/<str:username>/revoke/",
        access.manager_revoke_view,
        name="access-manager-revoke",
    ),
    path(
        "access/projects/<str:code>/coordinators/<str:username>/revoke/",
        access.coordinator_revoke_view,
        name="access-coordinator-revoke",
    ),
    path("profile/", organisation.profile_edit, name="profile"),
    path("profile/tokens/", token_views.token_create, name="profile-token-create"),
    path("profile/tokens/<int:pk>/revoke/", token_views.token_revoke, name="profile-token-revoke"),
    path("language/", language.language_switch, name="language-switch"),
    path("projects/", projects.project_list, name="project-list"),
    path("projects/new/", projects.project_create, name="project-create"),
    path("projects/<str:code>/", projects.project_detail, name="project-detail"),
    path("projects/<str:code>/edit/", projects.project_edit, name="project-edit"),
    # The project glue: every app's pages.
    path("", include("responsibilities.urls")),
    path("", include("responsibilities.attestation.urls")),
    path("", include("collaboration.meetings.urls")),
    path("", include("collaboration.routines.urls")),
    path("", include("collaboration.reminders.urls")),
    path("", include("collaboration.drafts.urls")),
    # The REST API (docs/api.md): the schema, its reference page and every layer's
    # resources under /api/v1/.
    path("api/", include("orgmap.api.urls")),
    path("api/v1/", include("responsibilities.api.urls")),
    path("api/v1/", include("collaboration.meetings.api")),
    path("", include("orgmap.webhooks.urls")),
    path("healthz", organisation.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    re_path(
        r"^admin/(?P<app>collaboration)/(?P<model>project|meeting|review|reminderdelivery|notification)/(?P<rest>.*)$",
        moved_admin,
        name="admin-moved",
    ),
    re_path(
        r"^admin/(?P<app>routines)/(?P<model>informationflow)/(?P<rest>.*)$",
        moved_admin,
        name="admin-moved-flow",
    ),
    path("admin/", admin.site.urls),
]

handler403 = "orgmap.views.organisation.permission_denied"
