"""Forms for meetings, minutes and reviews. Every rule gives a message a person can act on."""

from __future__ import annotations

import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgmap import permissions
from orgmap.models import Department, Project, Role
from orgmap.permissions import User

from . import recurrence
from .models import Meeting

MAX_SERIES_LENGTH = 500


def _time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as written, without a time zone: the form applies the
    meeting's own zone, not the server's."""

    def to_python(self, value):
        with timezone.override(datetime.UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else result


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        return user.profile.name


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, role) -> str:
        return f"{role.title} ({role.department.name})"


class MeetingForm(forms.ModelForm):
    starts_at = WallClockDateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Say when the meeting starts."),
            "invalid": _("Enter the start as a date and a time."),
        },
    )
    ends_at = forms.TimeField(
        label=_("Ends"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("On the same day."),
        error_messages={
            "required": _("Say when the meeting ends."),
            "invalid": _("Enter the end as a time, e.g. 10:30."),
        },
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    attendee_roles = RoleChoiceField(
        label=_("Invited roles"),
        queryset=Role.objects.none(),
        required=False,
        help_text=_("Whoever holds these roles at the time of the meeting is invited."),
        error_messages={
            "invalid_choice": _("%(value)s is not an active role that can be invited."),
            "invalid_pk_value": _("“%(pk)s” is not a role."),
        },
    )
    attendee_people = PersonChoiceField(
        label=_("Invited people"),
        queryset=get_user_model().objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("%(value)s is not a person who can be invited."),
            "invalid_pk_value": _("“%(pk)s” is not a person."),
        },
    )
    recurrence_count = forms.IntegerField(
        label=_("Number of meetings"),
        required=False,
        min_value=2,
        max_value=MAX_SERIES_LENGTH,
        help_text=_(
            "Or give an end date above. Leave both empty for a series that runs until it is cancelled."
        ),
        error_messages={
            "min_value": _("A series has at least two meetings."),
            "max_value": _("A series has at most %(limit_value)s meetings."),
        },
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "departments",
            "project",
            "organiser",
            "attendee_roles",
            "attendee_people",
            "agenda",
            "location",
            "starts_at",
            "time_zone",
            "recurrence",
            "recurrence_until",
            "recurrence_count",
            "cancelled",
        ]
        widgets = {
            "departments": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "recurrence_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    field_order = [
        "title",
        "kind",
        "departments",
        "project",
        "organiser",
        "starts_at",
        "ends_at",
        "time_zone",
        "recurrence",
        "recurrence_until",
        "recurrence_count",
        "attendee_roles",
        "attendee_people",
        "location",
        "agenda",
        "cancelled",
    ]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        people = get_user_model().objects.filter(is_active=True).select_related("profile")
        people = people.order_by("profile__display_name", "username")
        self.fields["attendee_people"].queryset = people
        self.fields["organiser"].queryset = people
        self.fields["organiser"].label_from_instance = lambda person: person.profile.name
        self.fields["organiser"].required = True
        self.fields["organiser"].error_messages["required"] = _("Choose who organises the meeting.")
        self.fields["attendee_roles"].queryset = (
            Role.objects.filter(active=True).select_related("department").order_by("title")
        )
        self.fields["attendee_roles"].widget.attrs["size"] = 8
        self.fields["attendee_people"].widget.attrs["size"] = 8
        self.fields["departments"].queryset = Department.objects.order_by("name")
        self.fields["departments"].required = False
        self.fields["project"].queryset = Project.objects.order_by("name")
        self.fields["project"].empty_label = _("no project")
        several = _("Hold Ctrl (⌘ on a Mac) to choose several.")
        self.fields[
            "attendee_roles"
        ].help_text = f"{self.fields['attendee_roles'].help_text} {several}"
        self.fields["attendee_people"].help_text = several
        self.fields["title"].error_messages["required"] = _("Give the meeting a title.")
        self.fields["recurrence_until"].error_messages["invalid"] = _(
            "Enter the end date as a date."
        )
        if self.instance.pk:
            tz = recurrence.zone(self.instance.time_zone)
            local_start = self.instance.starts_at.astimezone(tz).replace(tzinfo=None)
            self.initial.setdefault("starts_at", local_start)
            self.initial.setdefault(
                "ends_at",
                (local_start + datetime.timedelta(minutes=self.instance.duration_minutes)).time(),
            )
        else:
            del self.fields["cancelled"]
            self.initial.setdefault("organiser", user.pk)
            self.initial.setdefault("time_zone", settings.TIME_ZONE)

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the meeting a title."))
        return title

    def clean(self):
        cleaned = super().clean()
        departments = cleaned.get("departments")
        project = cleaned.get("project")
        if "departments" in cleaned and "project" in cleaned:
            if not departments and project is None:
                self.add_error(
                    "departments",
                    _("Choose the departments or the project this meeting belongs to."),
                )
            elif not self._may_schedule(departments, project):
                self.add_error(
                    "departments",
                    _(
                        "You may only schedule meetings for departments you manage or projects you coordinate."
                    ),
                )
        if (
            "attendee_roles" in cleaned
            and "attendee_people" in cleaned
            and not cleaned["attendee_roles"]
            and not cleaned["attendee_people"]
        ):
            self.add_error("attendee_roles", _("Invite at least one role or person."))
        self._clean_times(cleaned)
        self._clean_series(cleaned)
        return cleaned

    def _may_schedule(self, departments, project) -> bool:
        department_ids = {department.pk for department in departments}
        if permissions.can_schedule_for(
            self.user, department_ids=department_ids, project_id=project.pk if project else None
        ):
            return True
        # The organiser may edit their own meeting without managing its departments,
        # as long as they leave where it belongs alone.
        instance = self.instance
        return bool(
            instance.pk
            and department_ids == {department.pk for department in instance.departments.all()}
            and (project.pk if project else None) == instance.project_id
        )

    def _clean_times(self, cleaned: dict) -> None:
        local_start = cleaned.get("starts_at")
        ends = cleaned.get("ends_at")
        zone_name = cleaned.get("time_zone")
        if local_start is None or zone_name is None:
            return
        starts_at = local_start.replace(tzinfo=recurrence.zone(zone_name))
        cleaned["starts_at"] = starts_at
        if ends is None:
            return
        end = datetime.datetime.combine(local_start.date(), ends)
        minutes = int((end - local_start).total_seconds() // 60)
        if minutes <= 0:
            self.add_error("ends_at", _("The meeting must end after it starts."))
            return
        self.instance.duration_minutes = minutes

    def _clean_series(self, cleaned: dict) -> None:
        repeats = cleaned.get("recurrence")
        until = cleaned.get("recurrence_until")
        count = cleaned.get("recurrence_count")
        if repeats is None:
            return
        if repeats == Meeting.Recurrence.NONE:
            if until or count:
                self.add_error(
                    "recurrence",
                    _(
                        "A one-off meeting does not repeat: choose how often it repeats, or leave “repeats until” and “number of meetings” empty."
                    ),
                )
            return
        if until and count:
            self.add_error(
                "recurrence_count",
                _("Give either an end date or a number of meetings, not both."),
            )
        starts_at = cleaned.get("starts_at")
        if until and isinstance(starts_at, datetime.datetime):
            first_day = starts_at.date()
            if until <= first_day:
                self.add_error(
                    "recurrence_until", _("The series must end after its first meeting.")
                )


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 14})}

    def clean_minutes(self) -> str:
        return self.cleaned_data["minutes"].strip()


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("Reviewed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Say when the review took place."),
            "invalid": _("Enter the review date as a date."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was checked, what changed, what is still open."),
    )
    cadence_months = forms.TypedChoiceField(
        label=_("Next review"),
        choices=[("", _("no periodic review")), *Role.ReviewCadence.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, subject, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.subject = subject
        self.initial.setdefault("reviewed_on", timezone.localdate())
        self.initial.setdefault("cadence_months", subject.review_cadence_months)

    def clean_reviewed_on(self) -> datetime.date:
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError(_("A review cannot be recorded in the future."))
        last = self.subject.last_reviewed_on
        if last and reviewed_on < last:
            raise forms.ValidationError(
                _("The last review was on %(date)s; this one cannot be earlier.")
                % {"date": last.isoformat()}
            )
        return reviewed_on
