"""Team charters of a department or a project."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department

from .constraints import exactly_one

# ---------------------------------------------------------------------- team charters


class Charter(models.Model):
    """A team's purpose, shared values and working agreements. The texts accept a
    small Markdown-like subset or limited HTML; they are sanitised when rendered
    (richtext.py), never stored as trusted HTML."""

    department = models.OneToOneField(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="charter",
    )
    project = models.OneToOneField(
        "orgmap.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="charter",
    )
    purpose = models.TextField(_("purpose"))
    values = models.TextField(_("shared values"), blank=True)
    working_agreements = models.TextField(_("working agreements"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("team charter")
        verbose_name_plural = _("team charters")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("department", "project"),
                name="charter_of_department_or_project",
                violation_error_message=_("A charter belongs to one department or one project."),
            ),
        ]

    def __str__(self) -> str:
        return f"charter of {self.department or self.project}"
