from django.urls import path

from . import role_picker, role_views, search_views, views

urlpatterns = [
    path("departments/<str:code>/matrix/", views.department_matrix, name="department-matrix"),
    path("departments/<str:code>/duties/new/", views.duty_create, name="duty-create"),
    path("matrix/cells/<int:duty_id>/<int:role_id>/", views.matrix_cell, name="matrix-cell"),
    path("matrix/roles/", role_picker.role_picker, name="matrix-role-picker"),
    path("duties/<int:pk>/", views.duty_detail, name="duty-detail"),
    path("duties/<int:pk>/edit/", views.duty_edit, name="duty-edit"),
    path("findings/", views.findings_page, name="findings"),
    path(
        "roles/<int:pk>/description.pdf", role_views.role_document, {"fmt": "pdf"}, name="role-pdf"
    ),
    path(
        "roles/<int:pk>/description.docx",
        role_views.role_document,
        {"fmt": "docx"},
        name="role-docx",
    ),
    path("exports/role-descriptions/", role_views.bulk_export, name="bulk-export"),
    path("exports/<uuid:pk>/", role_views.export_job, name="export-job"),
    path("exports/<uuid:pk>/download/", role_views.export_download, name="export-download"),
    path("search/", search_views.search_page, name="search"),
    path("me/responsibilities/", search_views.my_responsibilities, name="my-responsibilities"),
]
