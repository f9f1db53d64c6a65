"""Cross-department collaboration: projects (and, later, meetings, goals, flows…)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from orgmap.models import Department, code_validator


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


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)
