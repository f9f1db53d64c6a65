"""Forms of feedback, its triage, and improvement actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collaboration.meetings.models import Meeting
from orgmap.models import Department, Project, Role
from orgmap.params import parse_number
from responsibilities.models import Duty, InformationFlow

from ..models import (
    Feedback,
    ImprovementAction,
)
from .fields import DATE, MEETING_CHOICES, duty_label, people_field, role_label

# ------------------------------------------------------------ feedback and improvement


def feedback_target_choices() -> list:
    """Grouped choices "kind:id" for everything feedback can be about: five queries."""
    flows = InformationFlow.objects.filter(active=True).select_related(
        "from_department", "to_department"
    )
    return [
        ("", _("Choose what the feedback is about")),
        (
            _("Departments"),
            [(f"department:{d.pk}", d.name) for d in Department.objects.order_by("name")],
        ),
        (_("Projects"), [(f"project:{p.pk}", p.name) for p in Project.objects.order_by("name")]),
        (
            _("Roles"),
            [
                (f"role:{r.pk}", role_label(r))
                for r in Role.objects.filter(active=True)
                .select_related("department")
                .order_by("department__name", "title")
            ],
        ),
        (
            _("Duties"),
            [
                (f"duty:{d.pk}", duty_label(d))
                for d in Duty.objects.filter(active=True)
                .select_related("department")
                .order_by("department__name", "title")
            ],
        ),
        (
            _("Meetings"),
            [
                (f"meeting:{m.pk}", f"{m.title} · {m.starts_at:%Y-%m-%d}")
                for m in Meeting.objects.filter(cancelled=False).order_by("-starts_at")[
                    :MEETING_CHOICES
                ]
            ],
        ),
        (
            _("Information flows"),
            [
                (
                    f"flow:{f.pk}",
                    f"{f.from_department.code} → {f.to_department.code} · {f.information}",
                )
                for f in flows
            ],
        ),
    ]


FEEDBACK_MODELS = {
    "department": Department,
    "project": Project,
    "role": Role,
    "duty": Duty,
    "flow": InformationFlow,
    "meeting": Meeting,
}


class FeedbackForm(forms.Form):
    about = forms.ChoiceField(label=_("About"))
    summary = forms.CharField(label=_("Summary"), max_length=200)
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously"),
        required=False,
        help_text=_(
            "Your name is then not stored anywhere: not with the feedback, not in any history or log."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].choices = feedback_target_choices()
        self.fields["about"].error_messages["required"] = _("Choose what the feedback is about.")
        self.fields["summary"].error_messages["required"] = _("Sum up your feedback in a line.")

    def clean_about(self):
        kind, _sep, pk = self.cleaned_data["about"].partition(":")
        model = FEEDBACK_MODELS.get(kind)
        number = parse_number(pk)
        target = model.objects.filter(pk=number).first() if model and number is not None else None
        if target is None:
            raise forms.ValidationError(_("Choose what the feedback is about."))
        return target


class TriageForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Feedback.Status.ACCEPTED, _("accept")),
            (Feedback.Status.REJECTED, _("reject")),
            (Feedback.Status.DUPLICATE, _("mark as duplicate")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when rejecting: the sender deserves to know why."),
    )
    duplicate_of = forms.ModelChoiceField(
        label=_("Duplicate of"), queryset=Feedback.objects.none(), required=False
    )

    def __init__(self, *args, feedback: Feedback, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].error_messages["required"] = _(
            "Choose whether to accept, reject or mark the feedback as a duplicate."
        )
        self.fields["duplicate_of"].queryset = Feedback.objects.exclude(pk=feedback.pk).order_by(
            "-pk"
        )
        self.fields["duplicate_of"].label_from_instance = lambda f: f"#{f.pk} {f.summary}"

    def clean(self) -> dict:
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == Feedback.Status.REJECTED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for rejecting the feedback."))
        if status == Feedback.Status.DUPLICATE and not cleaned.get("duplicate_of"):
            self.add_error("duplicate_of", _("Say which feedback this one duplicates."))
        return cleaned


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    due_on = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args, with_status: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = people_field(label=_("Owner"))
        self.fields["title"].error_messages["required"] = _("Say what will be done.")
        self.fields["owner"].error_messages["required"] = _("Choose who owns the action.")
        self.fields["due_on"].error_messages["required"] = _("Give a due date.")
        self.fields["due_on"].error_messages["invalid"] = _("Give the due date as YYYY-MM-DD.")
        if with_status:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"), choices=ImprovementAction.Status.choices
            )
