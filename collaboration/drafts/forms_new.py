"""Forms of the duties and roles a draft adds."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Project, Role


class NewDutyForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=500,
        error_messages={"required": _("Give the duty a title.")},
    )
    department = forms.ModelChoiceField(
        label=_("Owning department"),
        queryset=Department.objects.order_by("name"),
        to_field_name="code",
        error_messages={"required": _("Choose the department that owns the duty.")},
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.order_by("name"),
        required=False,
        to_field_name="code",
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NewRoleForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the role a title.")},
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        to_field_name="code",
        error_messages={"required": _("Choose the department this role belongs to.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reports_to = forms.ModelChoiceField(
        label=_("Reports to"),
        queryset=Role.objects.filter(active=True).select_related("department").order_by("title"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reports_to"].label_from_instance = lambda role: (
            f"{role.title} ({role.department.code})"
        )
