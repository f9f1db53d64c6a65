"""Forms of shared goals, their targets, progress and links."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Role
from responsibilities.models import Duty

from ..models import (
    Goal,
    Target,
)
from .fields import DATE, coordinated_projects, duty_label, managed_departments, role_label

# ------------------------------------------------------------------------ shared goals


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description", "department", "project", "contributing_departments"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "contributing_departments": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "department": _("Owned by a department…"),
            "project": _("…or by a project: exactly one of the two."),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give the goal a title.")
        self.fields["department"].queryset = managed_departments(user)
        self.fields["project"].queryset = coordinated_projects(user)
        self.fields["contributing_departments"].queryset = Department.objects.order_by("name")
        if self.instance.pk:
            # Ownership does not move: the goal's history belongs to its owner.
            self.fields["department"].disabled = True
            self.fields["project"].disabled = True

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("department")) == bool(cleaned.get("project")):
            raise forms.ValidationError(
                _("A goal is owned by exactly one department or one project: choose one.")
            )
        return cleaned


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["measure", "baseline", "target_value", "unit", "starts_on", "due_on"]
        widgets = {"starts_on": DATE, "due_on": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].error_messages["required"] = _("Say what is measured.")
        self.fields["baseline"].error_messages["required"] = _("Give the value you start from.")
        self.fields["target_value"].error_messages["required"] = _("Give the value to reach.")
        self.fields["due_on"].error_messages["required"] = _("Give the date the target is due.")


class ProgressForm(forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].error_messages["required"] = _("Give the measured value.")
        self.fields["value"].error_messages["invalid"] = _("Give the value as a number.")


class GoalLinkForm(forms.Form):
    duty = forms.ModelChoiceField(label=_("Duty"), queryset=Duty.objects.none(), required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), required=False)
    note = forms.CharField(
        label=_("Measure"),
        max_length=300,
        required=False,
        help_text=_("Which of its measures counts, e.g. “on-time hand-off rate”."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duty"].queryset = (
            Duty.objects.filter(active=True)
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["duty"].label_from_instance = duty_label
        self.fields["role"].queryset = (
            Role.objects.filter(active=True)
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["role"].label_from_instance = role_label

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("duty")) == bool(cleaned.get("role")):
            raise forms.ValidationError(_("Link the goal to one duty or one role."))
        return cleaned
