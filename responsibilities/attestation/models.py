"""Versioned role descriptions and their holders' confirmations (issue 16).

A RoleDescriptionVersion is the content of a role description (purpose, duties by
letter with their departments and projects, measures) at one moment, with its sha256
fingerprint and what changed since the version before. A ConfirmationRequest asks one
holder to confirm one version; the holder's answer is an Acceptance, written once and
never changed (the database refuses nothing, the model refuses updates and deletes).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgmap.models import Role


class RoleDescriptionVersion(models.Model):
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="description_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    # [{"key": "duty:12", "section": "A", "text": "…"}, …] in reading order (content.py).
    lines = models.JSONField(_("lines"))
    # {"added": n, "removed": n, "changed": n} against the version before.
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["role", "-number"]
        verbose_name = _("role description version")
        verbose_name_plural = _("role description versions")
        constraints = [
            models.UniqueConstraint("role", "number", name="attestation_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role_id} v{self.number}"

    @property
    def short_fingerprint(self) -> str:
        return self.fingerprint[:12]


class ConfirmationRequest(models.Model):
    """One holder asked to confirm one version. Pending and declined requests are
    open; a newer version or the end of the holding supersedes them."""

    class Reason(models.TextChoices):
        NEW_VERSION = "new_version", _("the role description changed")
        NEW_HOLDER = "new_holder", _("new holder")
        CADENCE = "cadence", _("periodic re-confirmation")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("role confirmation", "pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        SUPERSEDED = "superseded", _("superseded")

    OPEN = (Status.PENDING, Status.DECLINED)

    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="confirmation_requests",
    )
    version = models.ForeignKey(
        RoleDescriptionVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("confirmation request")
        verbose_name_plural = _("confirmation requests")
        indexes = [
            # The header's prompt: one indexed count per page.
            models.Index(fields=["person", "status"], name="attestation_req_person"),
            models.Index(fields=["role", "status"], name="attestation_req_role"),
            models.Index(fields=["status", "due_on"], name="attestation_req_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                "role",
                "person",
                condition=Q(status__in=["pending", "declined"]),
                name="attestation_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.version}: {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()


class Acceptance(models.Model):
    """A holder's answer to one version: who, when, which fingerprint, what. Written
    once by services.confirmation_answer(); never edited or deleted afterwards."""

    class Answer(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    request = models.ForeignKey(
        ConfirmationRequest, on_delete=models.PROTECT, related_name="answers"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="role_acceptances",
    )
    version = models.ForeignKey(
        RoleDescriptionVersion,
        verbose_name=_("version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version_number = models.PositiveIntegerField(_("version"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    question = models.TextField(_("question"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-pk"]
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        indexes = [models.Index(fields=["role", "person"], name="attestation_acc_holder")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.answer} {self.fingerprint[:12]}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("An acceptance cannot be changed once recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An acceptance cannot be deleted.")


class RoleConfirmationPolicy(models.Model):
    """A role's re-confirmation cadence, when it differs from the default
    (settings.ATTESTATION_CADENCE_MONTHS): a row here instead of a field on
    orgmap.Role keeps this feature's migrations in its own app."""

    role = models.OneToOneField(
        Role, on_delete=models.CASCADE, primary_key=True, related_name="confirmation_policy"
    )
    cadence_months = models.PositiveSmallIntegerField(
        _("re-confirmation cadence (months)"), choices=Role.ReviewCadence.choices
    )

    class Meta:
        verbose_name = _("role confirmation policy")
        verbose_name_plural = _("role confirmation policies")

    def __str__(self) -> str:
        return f"{self.role_id}: {self.cadence_months}"
