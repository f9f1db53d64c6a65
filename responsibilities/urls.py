from django.urls import path, register_converter

from .views import documents, duties, findings, matrix, pictures, role_picker, search, spreadsheets


class SheetFormatConverter:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SheetFormatConverter, "sheetformat")


urlpatterns = [
    path("departments/<str:code>/matrix/", matrix.department_matrix, name="department-matrix"),
    path("departments/<str:code>/duties/new/", duties.duty_create, name="duty-create"),
    path("matrix/cells/<int:duty_id>/<int:role_id>/", matrix.matrix_cell, name="matrix-cell"),
    path("matrix/roles/", role_picker.role_picker, name="matrix-role-picker"),
    path("projects/<str:code>/matrix/", matrix.project_matrix, name="project-matrix"),
    path("projects/<str:code>/duties/new/", duties.project_duty_create, name="project-duty-create"),
    path("duties/<int:pk>/", duties.duty_detail, name="duty-detail"),
    path("duties/<int:pk>/edit/", duties.duty_edit, name="duty-edit"),
    path("findings/", findings.findings_page, name="findings"),
    path(
        "roles/<int:pk>/description.pdf", documents.role_document, {"fmt": "pdf"}, name="role-pdf"
    ),
    path(
        "roles/<int:pk>/description.docx",
        documents.role_document,
        {"fmt": "docx"},
        name="role-docx",
    ),
    path("exports/role-descriptions/", documents.bulk_export, name="bulk-export"),
    path("exports/<uuid:pk>/", documents.export_job, name="export-job"),
    path("exports/<uuid:pk>/download/", documents.export_download, name="export-download"),
    path("search/", search.search_page, name="search"),
    path("me/responsibilities/", search.my_responsibilities, name="my-responsibilities"),
    path(
        "departments/<str:code>/matrix.<sheetformat:fmt>",
        spreadsheets.department_export,
        name="department-matrix-export",
    ),
    path(
        "projects/<str:code>/matrix.<sheetformat:fmt>",
        spreadsheets.project_export,
        name="project-matrix-export",
    ),
    path(
        "organisation/matrix.<sheetformat:fmt>",
        spreadsheets.organisation_export,
        name="organisation-matrix-export",
    ),
    path("import/raci/", spreadsheets.raci_import, name="import-raci"),
    path("import/people/", spreadsheets.people_import, name="import-people"),
    # Pictures of the organisation (responsibilities/pictures/).
    path("pictures/orgchart/", pictures.org_chart, name="picture-orgchart"),
    path(
        "pictures/orgchart/departments/<str:code>/",
        pictures.org_chart_department,
        name="picture-orgchart-department",
    ),
    path("pictures/orgchart.svg", pictures.org_chart_svg, name="picture-orgchart-svg"),
    path("pictures/orgchart.pdf", pictures.org_chart_pdf, name="picture-orgchart-pdf"),
    path("pictures/heatmaps/", pictures.load_heatmaps, name="picture-heatmaps"),
    path("pictures/findings-trend/", pictures.findings_trend, name="picture-trend"),
    path("import/jobs/<uuid:pk>/", spreadsheets.import_job, name="import-job"),
    path("import/jobs/<uuid:pk>/apply/", spreadsheets.import_job_apply, name="import-job-apply"),
]
