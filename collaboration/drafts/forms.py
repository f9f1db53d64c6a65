from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Project

from .models import Draft, DraftApproval


class DraftForm(forms.ModelForm):
    class Meta:
        model = Draft
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class DraftDutyForm(forms.Form):
    """A duty as the draft would have it: renamed, moved, retired."""

    title = forms.CharField(label=_("Title"), max_length=500)
    department = forms.ModelChoiceField(
        label=_("Owning department"),
        queryset=Department.objects.order_by("name"),
        to_field_name="code",
    )
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.order_by("name"),
        required=False,
        to_field_name="code",
    )
    active = forms.BooleanField(label=_("Active"), required=False)


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (DraftApproval.Status.APPROVED, _("approve")),
            (DraftApproval.Status.CHANGES_REQUESTED, _("ask for changes")),
            (DraftApproval.Status.REJECTED, _("reject")),
        ],
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") != DraftApproval.Status.APPROVED and not data.get("comment"):
            self.add_error("comment", _("Say why, so that the author knows what to change."))
        return data
