from __future__ import annotations

import functools
import html
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Department, Profile, Project, Role, RoleHolder
from .selectors import department_descendant_ids


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code", "parent", "head", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["name"].error_messages["required"] = _("Give the department a name.")
        self.fields["code"].error_messages["required"] = _("Give the department a short code.")
        if self.instance.pk:
            self.fields["head"].queryset = Role.objects.filter(
                department=self.instance, active=True
            )
        else:
            # A new department has no roles yet; its head is chosen once it has some.
            del self.fields["head"]
        if not permissions.is_org_admin(user):
            managed = permissions.managed_department_ids(user)
            self.fields["parent"].queryset = Department.objects.filter(pk__in=managed)
            self.fields["parent"].required = True
            self.fields["parent"].error_messages["required"] = _(
                "Choose the department this one belongs to."
            )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean_parent(self) -> Department | None:
        parent = self.cleaned_data.get("parent")
        # A department under itself or under one of its own sub-departments would cut
        # that branch off from the tree.
        if (
            parent
            and self.instance.pk
            and parent.pk in department_descendant_ids([self.instance.pk])
        ):
            raise forms.ValidationError(
                _("A department cannot be placed under itself or one of its sub-departments.")
            )
        moved = not self.instance.pk or parent != self.instance.parent
        if moved and not permissions.can_create_department(self.user, parent):
            raise forms.ValidationError(
                _("You may only place departments under departments you manage.")
            )
        return parent


class RoleForm(forms.ModelForm):
    class Meta:
        model = Role
        fields = [
            "title",
            "department",
            "purpose",
            "reports_to",
            "active",
            "review_cadence_months",
            "last_reviewed_on",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "last_reviewed_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["title"].error_messages["required"] = _("Give the role a title.")
        self.fields["department"].error_messages["required"] = _(
            "Choose the department this role belongs to."
        )
        self.fields["reports_to"].queryset = Role.objects.filter(active=True).select_related(
            "department"
        )
        self.fields["reports_to"].label_from_instance = lambda role: (
            f"{role.title} ({role.department.name})"
        )
        if not (permissions.is_org_admin(user) or permissions.is_hr(user)):
            self.fields["department"].queryset = Department.objects.filter(
                pk__in=permissions.managed_department_ids(user)
            )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Give the role a title."))
        return title

    def clean_last_reviewed_on(self):
        value = self.cleaned_data.get("last_reviewed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The last review cannot be in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        reports_to = cleaned.get("reports_to")
        if reports_to and self.instance.pk:
            # Walk up the reporting line: a role may not end up reporting to itself.
            seen = set()
            current = reports_to
            while current is not None and current.pk not in seen:
                if current.pk == self.instance.pk:
                    self.add_error(
                        "reports_to", _("A role cannot report to itself, even indirectly.")
                    )
                    break
                seen.add(current.pk)
                current = current.reports_to
        return cleaned


class RoleHolderForm(forms.ModelForm):
    class Meta:
        model = RoleHolder
        fields = ["person", "since"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, role: Role, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.role = role
        people = get_user_model().objects.filter(is_active=True).select_related("profile")
        self.fields["person"].queryset = people.order_by("profile__display_name", "username")
        self.fields["person"].label_from_instance = lambda user: user.profile.name
        self.fields["person"].error_messages["required"] = _("Choose who holds the role.")

    def clean_person(self):
        person = self.cleaned_data["person"]
        if RoleHolder.objects.current().filter(role=self.instance.role, person=person).exists():
            raise forms.ValidationError(
                _("%(name)s already holds this role.") % {"name": person.profile.name}
            )
        return person


class RoleHolderEndForm(forms.Form):
    until = forms.DateField(
        label=_("Last day + 1 (end date)"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, holding: RoleHolder, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.holding = holding

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= self.holding.since:
            raise forms.ValidationError(_("The end date must be after the start date."))
        return until


# Django 6.1's label for an empty choice; Django's own zh_Hans catalogue has no
# translation for it yet, so ours carries one (this mention keeps it in the catalogue).
BLANK_CHOICE_LABEL = _("- Select an option -")


@functools.cache
def _zones() -> list[tuple[str, str]]:
    # available_timezones() walks the time zone database's folders: once per process.
    return [(zone, zone) for zone in sorted(available_timezones())]


def _time_zone_choices() -> list[tuple[str, str]]:
    organisation = gettext("The organisation's (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", organisation), *_zones()]


@functools.lru_cache(maxsize=16)
def _long_options(choices: tuple[tuple[str, str], ...]) -> tuple[str, dict[str, tuple[int, str]]]:
    """The options of a long select, escaped once per list of choices (per language):
    the markup with nothing selected, and where each value's option starts, with its
    selected markup."""
    parts, positions, offset = [], {}, 0
    for key, label in choices:
        value, text = html.escape(key), html.escape(label)
        option = f'<option value="{value}">{text}</option>'
        positions.setdefault(key, (offset, f'<option value="{value}" selected>{text}</option>'))
        parts.append(option)
        offset += len(option)
    return "".join(parts), positions


class LongSelect(forms.Select):
    """A select of hundreds of plain options written in one pass: Django renders every
    option through a template of its own, which made 600 time zones most of the cost
    of the profile page (35 of 46 ms). The options are escaped with the standard
    library's `html.escape` once per list of choices (and language) and kept; a page
    only marks its chosen one."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = "" if value is None else str(value)
        markup, positions = _long_options(
            tuple((str(key), str(label)) for key, label in self.choices)
        )
        if chosen in positions:
            start, selected = positions[chosen]
            end = markup.index("</option>", start) + len("</option>")
            markup = markup[:start] + selected + markup[end:]
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe(markup))


class ProfileForm(forms.ModelForm):
    # The model keeps a plain string (no 600 choices in a migration); the form offers the
    # zones this system knows, so a stored zone is always one the middleware can load.
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        choices=_time_zone_choices,
        widget=LongSelect,
        help_text=_("Dates and times are shown in this time zone."),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "language", "time_zone", "phone", "email_reminders"]


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


# Who may edit what (the /access/ page)


def _active_people():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )


class GrantManagerForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _active_people()
        self.fields["person"].label_from_instance = lambda user: user.profile.name
        self.fields["department"].queryset = Department.objects.order_by("name")


class GrantCoordinatorForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none())
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _active_people()
        self.fields["person"].label_from_instance = lambda user: user.profile.name
        self.fields["project"].queryset = Project.objects.order_by("name")
