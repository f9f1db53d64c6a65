"""Lessons learned, tagged and searchable."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department

from .constraints import exactly_one

# --------------------------------------------------------------------- lessons learned


def normalise_tags(text: str) -> str:
    """'ERP, Finance，finance、 month end' -> 'erp, finance, month end'."""
    for separator in ("，", "、", ";", "；"):
        text = text.replace(separator, ",")
    seen: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)


class Lesson(models.Model):
    """What worked and what did not, for a department or a project; read by everyone."""

    title = models.CharField(_("title"), max_length=200)
    what_worked = models.TextField(_("what worked"), blank=True)
    what_did_not = models.TextField(_("what did not work"), blank=True)
    recommendation = models.TextField(_("what we recommend"), blank=True)
    tags = models.CharField(
        _("tags"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. “reporting, month end”."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lessons",
    )
    project = models.ForeignKey(
        "orgmap.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="lessons",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("recorded at meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        help_text=_("The retrospective where the lesson was drawn, if any."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("department", "project"),
                name="lesson_of_department_or_project",
                violation_error_message=_("A lesson belongs to one department or one project."),
            ),
            models.CheckConstraint(
                condition=~Q(what_worked="", what_did_not=""),
                name="lesson_says_something",
                violation_error_message=_("Say what worked or what did not."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.tags = normalise_tags(self.tags or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("lesson-detail", args=[self.pk])

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(", ") if tag]

    def clean(self) -> None:
        self.tags = normalise_tags(self.tags or "")
        errors: dict[str, str] = {}
        if bool(self.department_id) == bool(self.project_id):
            errors["department"] = _("Choose the department or the project the lesson is about.")
        if not (self.what_worked or "").strip() and not (self.what_did_not or "").strip():
            errors["what_worked"] = _("Say what worked or what did not.")
        if errors:
            raise ValidationError(errors)
