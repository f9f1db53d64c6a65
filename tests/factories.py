"""factory_boy factories: each test builds the few rows it needs.

Departments, roles and users are keyed on their natural keys (code, department + title,
username) with ``django_get_or_create``, so a factory asked for the same thing twice
returns the same row, and factories compose with the demo data in the demo's own tests.
"""

from __future__ import annotations

import datetime
import decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm

from collaboration.meetings.models import Meeting, Review
from collaboration.reminders.models import ReminderDelivery
from collaboration.routines.models import (
    Charter,
    Conflict,
    Feedback,
    Goal,
    GoalLink,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
)
from orgmap.models import Department, Project, Role, RoleHolder
from orgmap.permissions import COORDINATE_PROJECT, HR_GROUP, MANAGE_DEPARTMENT, ORG_ADMINS_GROUP
from responsibilities.models import Assignment, AssignmentChange, Duty, InformationFlow

PASSWORD = "secret-for-tests"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a profile (made by the post_save signal); ``display_name`` sets it."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)
    is_active = True

    @factory.post_generation
    def display_name(self, create, value, **kwargs):
        if create and value is not None:
            self.profile.display_name = value
            self.profile.save(update_fields=["display_name"])

    @factory.post_generation
    def groups(self, create, value, **kwargs):
        if create and value:
            for name in value:
                self.groups.add(GroupFactory(name=name))


class AdminUserFactory(UserFactory):
    username = "admin"
    is_superuser = True
    is_staff = True
    groups = (ORG_ADMINS_GROUP,)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n}")
    name = factory.LazyAttribute(lambda d: f"Department {d.code}")
    description = ""
    parent = None


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        django_get_or_create = ("department", "title")

    department = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"Role {n}")
    purpose = ""
    active = True


class RoleHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleHolder

    role = factory.SubFactory(RoleFactory)
    person = factory.SubFactory(UserFactory)
    since = datetime.date(2024, 1, 1)
    until = None


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda p: f"Project {p.code}")
    goal = ""
    coordinator = None
    status = Project.Status.ACTIVE

    @factory.post_generation
    def departments(self, create, value, **kwargs):
        if create and value:
            self.departments.set(value)


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    title = factory.Sequence(lambda n: f"Duty {n}")
    department = factory.SubFactory(DepartmentFactory)
    project = None
    frequency = Duty.Frequency.WEEKLY


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A cell of the matrix written directly; use ``responsibilities.services`` to test
    the write path itself."""

    class Meta:
        model = Assignment

    duty = factory.SubFactory(DutyFactory)
    role = factory.SubFactory(RoleFactory)
    letter = "R"
    version = 1
    updated_at = factory.LazyFunction(timezone.now)


class AssignmentChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentChange

    duty = factory.SubFactory(DutyFactory)
    role = factory.SubFactory(RoleFactory)
    before = ""
    after = "R"
    version = 1
    changed_at = factory.LazyFunction(timezone.now)


class InformationFlowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationFlow

    from_department = factory.SubFactory(DepartmentFactory)
    to_department = factory.SubFactory(DepartmentFactory)
    information = "Order details"
    channel = InformationFlow.Channel.EMAIL
    frequency = Duty.Frequency.DAILY


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    title = "Sync"
    time_zone = "UTC"
    duration_minutes = 30
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(days=1)
    )

    @factory.post_generation
    def departments(self, create, value, **kwargs):
        if create and value:
            self.departments.set(value)

    @factory.post_generation
    def attendee_roles(self, create, value, **kwargs):
        if create and value:
            self.attendee_roles.set(value)

    @factory.post_generation
    def attendee_people(self, create, value, **kwargs):
        if create and value:
            self.attendee_people.set(value)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review of a role (pass ``duty=...`` and ``role=None`` for a duty review)."""

    class Meta:
        model = Review

    role = factory.SubFactory(RoleFactory)
    duty = None
    reviewed_by = factory.SubFactory(UserFactory)
    reviewed_on = factory.LazyFunction(timezone.localdate)


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Conflict {n}")
    description = "Two teams both think the other one does it."
    raised_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def departments(self, create, value, **kwargs):
        if create and value:
            self.departments.set(value)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    title = factory.Sequence(lambda n: f"Goal {n}")
    department = factory.SubFactory(DepartmentFactory)
    project = None
    created_by = factory.SubFactory(UserFactory)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    goal = factory.SubFactory(GoalFactory)
    measure = "Orders handed over on time"
    baseline = decimal.Decimal("50")
    target_value = decimal.Decimal("90")
    unit = "%"
    starts_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda t: t.starts_on + datetime.timedelta(days=90))


class TargetProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetProgress

    target = factory.SubFactory(TargetFactory)
    value = decimal.Decimal("60")
    recorded_by = factory.SubFactory(UserFactory)


class GoalLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalLink

    goal = factory.SubFactory(GoalFactory)
    duty = factory.SubFactory(DutyFactory)
    role = None


class CharterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Charter

    department = factory.SubFactory(DepartmentFactory)
    project = None
    purpose = "Why we work together."


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    title = factory.Sequence(lambda n: f"Lesson {n}")
    what_worked = "Weekly hand-over calls."
    department = factory.SubFactory(DepartmentFactory)
    project = None
    author = factory.SubFactory(UserFactory)


class FeedbackFactory(factory.django.DjangoModelFactory):
    """Feedback on a duty (pass another target and ``duty=None`` for something else)."""

    class Meta:
        model = Feedback

    summary = factory.Sequence(lambda n: f"Feedback {n}")
    duty = factory.SubFactory(DutyFactory)
    author = factory.SubFactory(UserFactory)


class ImprovementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementAction

    feedback = factory.SubFactory(FeedbackFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    created_by = factory.SelfAttribute("owner")


class ReminderDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderDelivery

    key = factory.Sequence(lambda n: f"test-delivery-{n}")
    kind = ReminderDelivery.Kind.MEETING
    recipient = factory.SubFactory(UserFactory)
    meeting = factory.SubFactory(MeetingFactory)


# ----------------------------------------------------------------- grants and holdings


def grant_manage(user, department: Department) -> None:
    """The department manager's object permission (guardian)."""
    assign_perm(f"orgmap.{MANAGE_DEPARTMENT}", user, department)


def grant_coordinate(user, project: Project) -> None:
    """A coordinator's object permission granted on /access/ (guardian)."""
    assign_perm(f"orgmap.{COORDINATE_PROJECT}", user, project)


def hold(user, role: Role) -> RoleHolder:
    return RoleHolderFactory(person=user, role=role)


__all__ = [
    "HR_GROUP",
    "ORG_ADMINS_GROUP",
    "PASSWORD",
    "AdminUserFactory",
    "AssignmentChangeFactory",
    "AssignmentFactory",
    "CharterFactory",
    "ConflictFactory",
    "DepartmentFactory",
    "DutyFactory",
    "FeedbackFactory",
    "GoalFactory",
    "GoalLinkFactory",
    "GroupFactory",
    "ImprovementActionFactory",
    "InformationFlowFactory",
    "LessonFactory",
    "MeetingFactory",
    "ProjectFactory",
    "ReminderDeliveryFactory",
    "ReviewFactory",
    "RoleFactory",
    "RoleHolderFactory",
    "TargetFactory",
    "TargetProgressFactory",
    "UserFactory",
    "grant_coordinate",
    "grant_manage",
    "hold",
]
