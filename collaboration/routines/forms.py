"""Forms of the collaboration routines. Every form gives a clear message for bad input;
the services validate again before anything is saved."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from collaboration.meetings.models import Meeting
from orgmap import permissions
from orgmap.models import Department, Project, Role
from orgmap.params import parse_number
from responsibilities.models import Duty, InformationFlow

from .models import (
    Conflict,
    Feedback,
    Goal,
    ImprovementAction,
    Lesson,
    Target,
)
from .selectors import has_authority_over

# Meetings offered in a select: the most recent ones (a series is one meeting).
MEETING_CHOICES = 200

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def people_field(**kwargs) -> forms.ModelChoiceField:
    people = (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )
    field = forms.ModelChoiceField(queryset=people, **kwargs)
    field.label_from_instance = lambda user: user.profile.name
    return field


def _role_label(role: Role) -> str:
    return f"{role.department.code} · {role.title}"


def _duty_label(duty: Duty) -> str:
    return f"{duty.department.code} · {duty.title}"


def _managed_departments(user) -> forms.models.QuerySet:
    if permissions.is_org_admin(user):
        return Department.objects.order_by("name")
    return Department.objects.filter(pk__in=permissions.managed_department_ids(user)).order_by(
        "name"
    )


def _coordinated_projects(user) -> forms.models.QuerySet:
    if permissions.is_org_admin(user):
        return Project.objects.order_by("name")
    return Project.objects.filter(pk__in=permissions.coordinated_project_ids(user)).order_by("name")


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
            self.fields[name].label_from_instance = _role_label
        self.fields["duty"].queryset = (
            Duty.objects.filter(active=True)
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["duty"].label_from_instance = _duty_label
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
        self.fields["changed_duties"].label_from_instance = _duty_label

    def clean_settlement(self) -> str:
        settlement = self.cleaned_data["settlement"].strip()
        if not settlement:
            raise forms.ValidationError(_("A settled conflict needs a settlement text."))
        return settlement


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
        self.fields["department"].queryset = _managed_departments(user)
        self.fields["project"].queryset = _coordinated_projects(user)
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
        self.fields["duty"].label_from_instance = _duty_label
        self.fields["role"].queryset = (
            Role.objects.filter(active=True)
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["role"].label_from_instance = _role_label

    def clean(self) -> dict:
        cleaned = super().clean()
        if bool(cleaned.get("duty")) == bool(cleaned.get("role")):
            raise forms.ValidationError(_("Link the goal to one duty or one role."))
        return cleaned


# ---------------------------------------------------------------------- team charters


class CharterForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the team exists. **bold**, *emphasis*, lists and links work."),
    )
    values = forms.CharField(
        label=_("Shared values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, starting with “- ”, makes a list."),
    )
    working_agreements = forms.CharField(
        label=_("Working agreements"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].error_messages["required"] = _("State the team's purpose.")


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
        self.fields["department"].queryset = _managed_departments(user)
        self.fields["project"].queryset = _coordinated_projects(user)
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
                (f"role:{r.pk}", _role_label(r))
                for r in Role.objects.filter(active=True)
                .select_related("department")
                .order_by("department__name", "title")
            ],
        ),
        (
            _("Duties"),
            [
                (f"duty:{d.pk}", _duty_label(d))
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
