from django.urls import path

from .. import urls as _responsibilities_urls  # noqa: F401 (registers "sheetformat")
from . import views

urlpatterns = [
    path("roles/<int:pk>/versions/", views.role_versions, name="role-versions"),
    path("roles/<int:pk>/versions/<int:number>/", views.role_version, name="role-version"),
    path("roles/<int:pk>/confirm/", views.role_confirm, name="role-confirm"),
    path("roles/<int:pk>/confirmation-cadence/", views.role_cadence, name="role-cadence"),
    path("me/confirmations/", views.my_confirmations, name="my-confirmations"),
    path("confirmations/coverage/", views.coverage_page, name="confirmation-coverage"),
    path(
        "confirmations/coverage.<sheetformat:fmt>",
        views.coverage_export,
        name="confirmation-coverage-export",
    ),
]
