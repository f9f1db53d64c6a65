"""The form of a lesson learned."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collaboration.meetings.models import Meeting

from ..models import (
    Lesson,
)
from .fields import MEETING_CHOICES, coordinated_projects, managed_departments

# --------------------------------------------------------------------- lessons learned


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = [
            "title",
            "department",
            "project",
            "meeting",
            "what_worked",
            "what_did_not",
            "recommendation",
            "tags",
        ]
        widgets = {
            "what_worked": forms.Textarea(attrs={"rows": 3}),
            "what_did_not": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Give the lesson a title.")
        self.fields["department"].queryset = managed_departments(user)
        self.fields["project"].queryset = coordinated_projects(user)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            kind=Meeting.Kind.RETROSPECTIVE
        ).order_by("-starts_at")[:MEETING_CHOICES]
        self.fields["department"].help_text = _("The lesson is about a department…")
        self.fields["project"].help_text = _("…or a project: choose one.")

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("department")) == bool(cleaned.get("project")):
            self.add_error(
                "department", _("Choose the department or the project the lesson is about.")
            )
        if (
            not (cleaned.get("what_worked") or "").strip()
            and not (cleaned.get("what_did_not") or "").strip()
        ):
            self.add_error("what_worked", _("Say what worked or what did not."))
        return cleaned
