"""The form of an information flow between departments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap import permissions
from orgmap.models import Department, Role
from responsibilities.models import Duty, InformationFlow

from .fields import duty_label, role_label

# ------------------------------------------------------------------ information flows


class FlowForm(forms.ModelForm):
    class Meta:
        model = InformationFlow
        fields = [
            "from_department",
            "from_role",
            "to_department",
            "to_role",
            "information",
            "channel",
            "system_name",
            "frequency",
            "duty",
            "active",
        ]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        departments = Department.objects.order_by("name")
        self.fields["from_department"].queryset = departments
        self.fields["to_department"].queryset = departments
        roles = Role.objects.filter(active=True).select_related("department")
        roles = roles.order_by("department__name", "title")
        for name in ("from_role", "to_role"):
            self.fields[name].queryset = roles
            self.fields[name].label_from_instance = role_label
        self.fields["duty"].queryset = (
            Duty.objects.filter(active=True)
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["duty"].label_from_instance = duty_label
        messages = {
            "from_department": _("Choose the department the information comes from."),
            "to_department": _("Choose the department the information goes to."),
            "information": _("Say what information is handed over."),
            "channel": _("Choose how the information is passed on."),
            "frequency": _("Choose how often the information is passed on."),
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message

    def clean(self) -> dict:
        cleaned = super().clean()
        ends = [cleaned.get("from_department"), cleaned.get("to_department")]
        if all(ends) and not permissions.is_org_admin(self.user):
            managed = permissions.managed_department_ids(self.user)
            if not {d.pk for d in ends} & managed:
                raise forms.ValidationError(
                    _("You may only record flows to or from a department you manage.")
                )
        return cleaned
