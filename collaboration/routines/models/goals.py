"""Shared goals with measurable targets, their progress and the duties or roles they link to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Role
from responsibilities.models import Duty

from .constraints import exactly_one

# ------------------------------------------------------------------------ shared goals


class Goal(models.Model):
    """A shared objective owned by a department or a project, with measurable targets."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
    )
    project = models.ForeignKey(
        "orgmap.Project",
        verbose_name=_("owning project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
    )
    contributing_departments = models.ManyToManyField(
        Department,
        verbose_name=_("contributing departments"),
        related_name="contributed_goals",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("shared goal")
        verbose_name_plural = _("shared goals")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("department", "project"),
                name="goal_owned_by_department_or_project",
                violation_error_message=_(
                    "A goal is owned by exactly one department or one project."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("goal-detail", args=[self.pk])

    @property
    def owner(self):
        return self.department or self.project

    def clean(self) -> None:
        if bool(self.department_id) == bool(self.project_id):
            raise ValidationError(
                _("A goal is owned by exactly one department or one project: choose one.")
            )


class Target(models.Model):
    """A measurable target of a goal. Its current value is the latest TargetProgress;
    nothing about progress is stored here (see selectors.target_progress)."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="targets"
    )
    measure = models.CharField(
        _("measure"), max_length=200, help_text=_("What is measured, e.g. “units sold”.")
    )
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    starts_on = models.DateField(
        _("measured from"),
        default=timezone.localdate,
        help_text=_("The date of the baseline; the linear schedule runs from here."),
    )
    due_on = models.DateField(_("due date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "measure", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gt=F("starts_on")),
                name="target_due_after_it_starts",
                violation_error_message=_("The due date must be after the baseline date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.baseline} → {self.target_value} {self.unit}".strip()

    def clean(self) -> None:
        if self.starts_on and self.due_on and self.due_on <= self.starts_on:
            raise ValidationError({"due_on": _("The due date must be after the baseline date.")})


class TargetProgress(models.Model):
    """One measurement of a target: the history its progress is computed from."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="progress"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("target progress")
        verbose_name_plural = _("target progress")
        indexes = [models.Index(fields=["target", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.value} at {self.recorded_at:%Y-%m-%d}"


class GoalLink(models.Model):
    """A duty's or a role's measures that count towards a goal."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="links"
    )
    duty = models.ForeignKey(
        Duty,
        verbose_name=_("duty"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goal_links",
    )
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goal_links",
    )
    note = models.CharField(
        _("measure"),
        max_length=300,
        blank=True,
        help_text=_("Which of its measures counts, e.g. “on-time hand-off rate”."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("goal link")
        verbose_name_plural = _("goal links")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("duty", "role"),
                name="goal_link_to_a_duty_or_a_role",
                violation_error_message=_("Link the goal to one duty or one role."),
            ),
            models.UniqueConstraint(
                "goal",
                "duty",
                condition=Q(duty__isnull=False),
                name="goal_link_duty_once",
                violation_error_message=_("This duty is already linked to the goal."),
            ),
            models.UniqueConstraint(
                "goal",
                "role",
                condition=Q(role__isnull=False),
                name="goal_link_role_once",
                violation_error_message=_("This role is already linked to the goal."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} ← {self.duty or self.role}"

    def clean(self) -> None:
        if bool(self.duty_id) == bool(self.role_id):
            raise ValidationError(_("Link the goal to one duty or one role."))
