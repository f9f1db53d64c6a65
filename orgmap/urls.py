from django.contrib import admin
from django.urls import include, path

from . import access, language, views

urlpatterns = [
    path("", views.org_overview, name="org-overview"),
    path("departments/new/", views.department_create, name="department-create"),
    path("departments/<str:code>/", views.department_detail, name="department-detail"),
    path("departments/<str:code>/edit/", views.department_edit, name="department-edit"),
    path("departments/<str:code>/roles/new/", views.role_create, name="role-create"),
    path("roles/<int:pk>/", views.role_detail, name="role-detail"),
    path("roles/<int:pk>/edit/", views.role_edit, name="role-edit"),
    path("roles/<int:pk>/holders/add/", views.role_holder_add, name="role-holder-add"),
    path("holders/<int:pk>/end/", views.role_holder_end, name="role-holder-end"),
    path("people/<str:username>/", views.person_detail, name="person-detail"),
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
    path("profile/", views.profile_edit, name="profile"),
    path("language/", language.language_switch, name="language-switch"),
    path("", include("responsibilities.urls")),
    path("", include("collaboration.urls")),
    path("", include("collaboration.meeting_urls")),
    path("", include("collaboration.routines.urls")),
    path("", include("responsibilities.transfer_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "orgmap.views.permission_denied"
