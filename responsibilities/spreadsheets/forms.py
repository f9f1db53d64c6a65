"""Upload forms of the import pages. The file itself is read and checked by
spreadsheets.read_upload() in the view, so that every problem with its content is
reported in the same table, by row and column."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from orgmap import permissions
from orgmap.models import Department, Project

from .sheets import file_too_large, max_bytes, max_rows


class _UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        # An empty file is reported with the file's other problems, in the report.
        allow_empty_file=True,
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8, comma, semicolon or tab separated) or an Excel workbook (.xlsx); at most %(size)s and %(rows)s rows."
        ) % {
            "size": filesizeformat(max_bytes()),
            "rows": number_format(max_rows(), force_grouping=True),
        }
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before a byte is parsed; the upload itself is already on disk.
        if upload.size > max_bytes():
            raise forms.ValidationError(file_too_large(upload.size).message)
        return upload


class PeopleImportForm(_UploadForm):
    pass


class RaciImportForm(_UploadForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("For a file with one column per role: the department whose duties it lists."),
        error_messages={"invalid_choice": _("You may only import into departments you manage.")},
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("Or the project whose duties it lists."),
        error_messages={"invalid_choice": _("You may only import into projects you coordinate.")},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("name")
        projects = Project.objects.order_by("name")
        if not (permissions.is_org_admin(user) or permissions.is_hr(user)):
            departments = departments.filter(pk__in=permissions.managed_department_ids(user))
            projects = projects.filter(pk__in=permissions.coordinated_project_ids(user))
        self.fields["department"].queryset = departments
        self.fields["project"].queryset = projects
        self.fields["department"].empty_label = _("— named in the file —")
        self.fields["project"].empty_label = _("— none —")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("department") and cleaned.get("project"):
            raise forms.ValidationError(_("Choose a department or a project, not both."))
        return cleaned
