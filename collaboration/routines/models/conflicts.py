"""Conflicts between departments, and how they were settled."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department
from responsibilities.models import Duty

# ------------------------------------------------------------------------ conflicts


class Conflict(models.Model):
    """A cross-department disagreement, its coordinator and how it was settled."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MEDIATION = "mediation", _("in mediation")
        SETTLED = "settled", _("settled")
        ESCALATED = "escalated", _("escalated")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    departments = models.ManyToManyField(
        Department, verbose_name=_("departments involved"), related_name="conflicts"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_conflicts",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_conflicts",
        help_text=_("Someone with authority over every department involved."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    settlement = models.TextField(
        _("settlement"), blank=True, help_text=_("What was agreed, and why.")
    )
    decisions = models.TextField(
        _("decisions"), blank=True, help_text=_("What changes because of the settlement.")
    )
    changed_duties = models.ManyToManyField(
        Duty,
        verbose_name=_("duties changed"),
        related_name="settled_conflicts",
        blank=True,
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="settled") | (~Q(settlement="") & Q(settled_at__isnull=False)),
                name="settled_conflict_has_settlement",
                violation_error_message=_("A settled conflict needs a settlement text."),
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("conflict-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.SETTLED

    def clean(self) -> None:
        self.settlement = (self.settlement or "").strip()
        if self.status == self.Status.SETTLED and not self.settlement:
            raise ValidationError({"settlement": _("A settled conflict needs a settlement text.")})
