"""The organisation: departments (a tree), roles in them, and the people holding roles."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
    _("Use letters, digits, hyphens and underscores only, starting with a letter or digit."),
)


class Department(models.Model):
    name = models.CharField(_("name"), max_length=150)
    code = models.CharField(
        _("code"),
        max_length=30,
        validators=[code_validator],
        help_text=_("A short unique code used in URLs and imports, e.g. SALES."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "Role",
        verbose_name=_("head role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The role that leads this department."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="department_code_unique_ci",
                violation_error_message=_("A department with this code already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="department_not_own_parent",
                violation_error_message=_("A department cannot be its own parent."),
            ),
        ]
        permissions = [
            ("manage_department", _("Can manage the department and its sub-departments"))
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("department-detail", args=[self.code])


class RoleQuerySet(models.QuerySet):
    def with_current_holders(self) -> RoleQuerySet:
        return self.prefetch_related(
            models.Prefetch(
                "holders",
                queryset=RoleHolder.objects.current().select_related("person__profile"),
                to_attr="current_holders",
            )
        )


class Role(models.Model):
    class ReviewCadence(models.IntegerChoices):
        QUARTERLY = 3, _("every 3 months")
        HALF_YEARLY = 6, _("every 6 months")
        YEARLY = 12, _("every 12 months")
        TWO_YEARLY = 24, _("every 24 months")

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="roles",
        error_messages={"null": _("A role must belong to a department.")},
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    active = models.BooleanField(_("active"), default=True)
    review_cadence_months = models.PositiveSmallIntegerField(
        _("review cadence"),
        choices=ReviewCadence.choices,
        null=True,
        blank=True,
        default=ReviewCadence.YEARLY,
        help_text=_("How often the role description should be reviewed."),
    )
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                "department",
                Lower("title"),
                name="role_title_unique_in_department",
                violation_error_message=_("This department already has a role with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("role-detail", args=[self.pk])

    @property
    def next_review_due(self) -> datetime.date | None:
        if not self.review_cadence_months or not self.last_reviewed_on:
            return None
        return self.last_reviewed_on + relativedelta(months=self.review_cadence_months)


class RoleHolderQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> RoleHolderQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gt=on), since__lte=on)


class RoleHolder(models.Model):
    """A person holding a role from `since` until (excluding) `until`, if ended."""

    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="holders"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="role_holdings",
    )
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    objects = RoleHolderQuerySet.as_manager()

    class Meta:
        ordering = ["since"]
        verbose_name = _("role holder")
        verbose_name_plural = _("role holders")
        constraints = [
            models.UniqueConstraint(
                "role",
                "person",
                condition=Q(until__isnull=True),
                name="one_open_holding_per_person_and_role",
                violation_error_message=_("This person already holds this role."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=models.F("since")),
                name="holding_ends_after_it_starts",
                violation_error_message=_("The end date must be after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.role}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.since <= today and (self.until is None or self.until > today)


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    # Empty: follow the browser's language; emails then use the site's default.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Leave empty to use your browser's language."),
    )
    # Empty: the organisation's time zone (settings.TIME_ZONE), so that a change of the
    # organisation's zone reaches everyone who never chose one.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("Dates and times are shown in this time zone."),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email_reminders = models.BooleanField(
        _("email reminders"),
        default=True,
        help_text=_("Send meeting and review reminders by email (they always appear in orgmap)."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.name

    @property
    def preferred_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_full_name() or self.user.get_username()

    @staticmethod
    def name_of(display_name: str | None, first_name: str, last_name: str, username: str) -> str:
        """`name` from the columns alone, for rows read without model instances."""
        return display_name or f"{first_name} {last_name}".strip() or username


class Heartbeat(models.Model):
    """The last time a periodic job ran; /healthz reads the beat heartbeat."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class AccessChange(models.Model):
    """One grant or revoke of a department manager or project coordinator: the audit log
    shown on /access/. Written by the services in the same transaction as the grant."""

    class Action(models.TextChoices):
        GRANT = "grant", _("granted")
        REVOKE = "revoke", _("revoked")

    class Right(models.TextChoices):
        MANAGER = "manager", _("department manager")
        COORDINATOR = "coordinator", _("project coordinator")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    right = models.CharField(_("right"), max_length=20, choices=Right.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="access_changes",
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "orgmap.Project", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access change")
        verbose_name_plural = _("access changes")

    def __str__(self) -> str:
        return f"{self.action} {self.right} {self.person_id} by {self.by_id} at {self.at}"


# django-guardian with direct foreign keys: faster than its generic tables, and
# prefetchable for a whole page.
class DepartmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


class DepartmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


# Projects span departments: organisation structure that duties hang on.
class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        ON_HOLD = "on_hold", _("on hold")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, validators=[code_validator])
    goal = models.TextField(_("goal"), blank=True)
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments involved"), related_name="projects", blank=True
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_projects",
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(
                Lower("code"),
                name="project_code_unique_ci",
                violation_error_message=_("A project with this code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_it_starts",
                violation_error_message=_("The project cannot end before it starts."),
            ),
        ]
        # The table keeps the name it had when projects lived in the collaboration app
        # (moved without copying data: see orgmap/migrations/0004_project_moved_here.py).
        db_table = "collaboration_project"
        permissions = [
            ("coordinate_project", _("Can coordinate the project: its duties, matrix and meetings"))
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("project-detail", args=[self.code])


# Coordinators beyond the named one are granted with django-guardian, through direct
# foreign keys like the department managers.
class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "collaboration_projectuserobjectpermission"


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "collaboration_projectgroupobjectpermission"
