from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Project

from . import raci
from .models import Duty


class DutyForm(forms.ModelForm):
    class Meta:
        model = Duty
        fields = ["title", "project", "description", "frequency", "kpis", "active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "kpis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args, department: Department, projects: list[Project] | None = None, **kwargs
    ) -> None:
        """`projects`: the department's projects when the caller has read them already
        (the matrix page reads them with its project filter's): the select offers
        those instead of querying again; what is posted is checked against the query."""
        super().__init__(*args, **kwargs)
        self.instance.department = department
        self.fields["title"].error_messages["required"] = _("Give the duty a title.")
        field = self.fields["project"]
        field.queryset = Project.objects.filter(departments=department)
        field.empty_label = _("none: a duty of the department")
        if projects is not None:
            field.choices = [("", field.empty_label)] + [
                (project.pk, field.label_from_instance(project)) for project in projects
            ]
        if not self.instance.pk:
            del self.fields["active"]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the duty a title."))
        return title

    def clean(self):
        cleaned = super().clean()
        title = cleaned.get("title")
        project = cleaned.get(
            "project", self.instance.project if self.instance.project_id else None
        )
        if title:
            # The unique constraints are on title_key, which is not a form field, so
            # the ModelForm does not check them itself.
            same = Duty.objects.filter(title_key=raci.duty_identity(title)).exclude(
                pk=self.instance.pk
            )
            if project is not None:
                same = same.filter(project=project)
                message = _("This project already has a duty with this title.")
            else:
                same = same.filter(department=self.instance.department, project__isnull=True)
                message = _("This department already has a duty with this title.")
            if same.exists():
                self.add_error("title", message)
        return cleaned


class ProjectDutyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    department = forms.ModelChoiceField(
        label=_("Owning department"), queryset=Department.objects.none()
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["department"].queryset = project.departments.order_by("name")
        self.fields["title"].error_messages["required"] = _("Give the duty a title.")
        self.fields["department"].error_messages["required"] = _(
            "Choose the department that owns the duty."
        )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the duty a title."))
        return title
