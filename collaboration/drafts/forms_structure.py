"""The forms of a draft's roles and information flows (people are picked by lookup)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department
from responsibilities.models import Duty, InformationFlow


class DraftRoleForm(forms.Form):
    """An existing role as the draft would have it: renamed, moved, retired."""

    title = forms.CharField(label=_("Title"), max_length=200)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        to_field_name="code",
        error_messages={"required": _("Choose the department this role belongs to.")},
    )
    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give the role a title.")


class DraftFlowForm(forms.Form):
    """A new information flow, with what a live flow needs."""

    from_department = forms.ModelChoiceField(
        label=_("From department"),
        queryset=Department.objects.order_by("name"),
        to_field_name="code",
        error_messages={"required": _("Choose the department the information comes from.")},
    )
    to_department = forms.ModelChoiceField(
        label=_("To department"),
        queryset=Department.objects.order_by("name"),
        to_field_name="code",
        error_messages={"required": _("Choose the department the information goes to.")},
    )
    information = forms.CharField(
        label=_("Information"),
        max_length=300,
        error_messages={"required": _("Say what information is handed over.")},
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=InformationFlow.Channel.choices,
        error_messages={"required": _("Choose how the information is passed on.")},
    )
    system_name = forms.CharField(label=_("System name"), max_length=100, required=False)
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=Duty.Frequency.choices,
        error_messages={"required": _("Choose how often the information is passed on.")},
    )
