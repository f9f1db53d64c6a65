"""Fields and choices shared by the routines' forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from orgmap import permissions
from orgmap.models import Department, Project, Role
from responsibilities.models import Duty

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


def role_label(role: Role) -> str:
    return f"{role.department.code} · {role.title}"


def duty_label(duty: Duty) -> str:
    return f"{duty.department.code} · {duty.title}"


def managed_departments(user) -> forms.models.QuerySet:
    if permissions.is_org_admin(user):
        return Department.objects.order_by("name")
    return Department.objects.filter(pk__in=permissions.managed_department_ids(user)).order_by(
        "name"
    )


def coordinated_projects(user) -> forms.models.QuerySet:
    if permissions.is_org_admin(user):
        return Project.objects.order_by("name")
    return Project.objects.filter(pk__in=permissions.coordinated_project_ids(user)).order_by("name")
