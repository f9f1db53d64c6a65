from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department

from .models import Project


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "goal",
            "departments",
            "coordinator",
            "starts_on",
            "ends_on",
            "status",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "departments": forms.CheckboxSelectMultiple,
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = _("Give the project a name.")
        self.fields["departments"].queryset = Department.objects.order_by("name")
        people = get_user_model().objects.filter(is_active=True).select_related("profile")
        self.fields["coordinator"].queryset = people.order_by("profile__display_name", "username")
        self.fields["coordinator"].label_from_instance = lambda user: user.profile.name

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean_departments(self):
        departments = self.cleaned_data["departments"]
        if len(departments) < 2:
            raise forms.ValidationError(
                _("A cross-department project involves at least two departments.")
            )
        return departments


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
