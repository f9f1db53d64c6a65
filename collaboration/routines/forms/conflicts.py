"""Forms of conflicts: raising, editing and settling one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department
from responsibilities.models import Duty

from ..models import (
    Conflict,
)
from ..selectors import has_authority_over
from .fields import duty_label, people_field

# ------------------------------------------------------------------------ conflicts


class ConflictForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What is the disagreement?"), widget=forms.Textarea(attrs={"rows": 4})
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments involved"),
        queryset=Department.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"] = people_field(
            label=_("Coordinator"),
            required=False,
            help_text=_("Leave empty to name the head of the lowest department above all of them."),
        )
        self.fields["title"].error_messages["required"] = _("Give the conflict a title.")
        self.fields["description"].error_messages["required"] = _("Describe the disagreement.")
        self.fields["departments"].error_messages["required"] = _(
            "Choose the departments involved."
        )

    def clean_departments(self):
        departments = self.cleaned_data["departments"]
        if len(departments) < 2:
            raise forms.ValidationError(
                _("A conflict between departments involves at least two of them.")
            )
        return departments

    def clean(self) -> dict:
        cleaned = super().clean()
        coordinator = cleaned.get("coordinator")
        departments = cleaned.get("departments")
        if coordinator and departments and not has_authority_over(coordinator, departments):
            self.add_error(
                "coordinator",
                _(
                    "Choose someone with authority over every department involved: the head of a department above them all, a manager of all of them, or an administrator."
                ),
            )
        return cleaned


class ConflictEditForm(ConflictForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label)
            for value, label in Conflict.Status.choices
            if value != Conflict.Status.SETTLED
        ],
        help_text=_("To settle the conflict, use “Settle” on its page."),
    )


class SettleForm(forms.Form):
    settlement = forms.CharField(
        label=_("Settlement"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was agreed, and why."),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changes because of it: duties, hand-offs, resources."),
    )
    changed_duties = forms.ModelMultipleChoiceField(
        label=_("Duties changed"),
        queryset=Duty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, conflict: Conflict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["settlement"].error_messages["required"] = _(
            "A settled conflict needs a settlement text."
        )
        self.fields["changed_duties"].queryset = (
            Duty.objects.filter(department__in=conflict.departments.all())
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["changed_duties"].label_from_instance = duty_label

    def clean_settlement(self) -> str:
        settlement = self.cleaned_data["settlement"].strip()
        if not settlement:
            raise forms.ValidationError(_("A settled conflict needs a settlement text."))
        return settlement
