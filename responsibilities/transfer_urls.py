from django.urls import path, register_converter

from . import transfer_views


class SheetFormatConverter:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SheetFormatConverter, "sheetformat")

urlpatterns = [
    path(
        "departments/<str:code>/matrix.<sheetformat:fmt>",
        transfer_views.department_export,
        name="department-matrix-export",
    ),
    path(
        "projects/<str:code>/matrix.<sheetformat:fmt>",
        transfer_views.project_export,
        name="project-matrix-export",
    ),
    path(
        "organisation/matrix.<sheetformat:fmt>",
        transfer_views.organisation_export,
        name="organisation-matrix-export",
    ),
    path("import/raci/", transfer_views.raci_import, name="import-raci"),
    path("import/people/", transfer_views.people_import, name="import-people"),
]
