"""A draft: a named set of proposed changes on top of the live map.

Each change records the live state it was based on (a cell's version, a duty's fields)
so that a live edit made after it is seen as a conflict, never overwritten."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Draft(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        SUBMITTED = "submitted", _("waiting for approval")
        CHANGES_REQUESTED = "changes", _("changes requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        PUBLISHED = "published", _("published")
        DISCARDED = "discarded", _("discarded")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="draft_name_unique",
                violation_error_message=_("There is already a draft with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("draft-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.CHANGES_REQUESTED)


class DraftDuty(models.Model):
    """A duty as the draft would have it: renamed, moved to another department or
    project, retired (active False) or brought back. `base` holds the live fields it
    was based on."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="duties")
    duty = models.ForeignKey("responsibilities.Duty", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=500)
    department = models.ForeignKey(
        "orgmap.Department",
        verbose_name=_("owning department"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        "orgmap.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    base = models.JSONField(default=dict)  # the live {title, department_id, project_id, active}

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("draft", "duty", name="draft_duty_once_per_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}: duty {self.duty_id}"

    def fields(self) -> dict:
        return {
            "title": self.title,
            "department_id": self.department_id,
            "project_id": self.project_id,
            "active": self.active,
        }


class DraftCell(models.Model):
    """A matrix letter as the draft would have it ("" clears the cell), with the live
    cell's version and letter it was based on (0 and "": the cell was empty). Its duty
    is a live one (`duty`) or one the draft adds (`new_duty`), and so is its role."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="cells")
    duty = models.ForeignKey(
        "responsibilities.Duty", null=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.ForeignKey("orgmap.Role", null=True, on_delete=models.CASCADE, related_name="+")
    new_duty = models.ForeignKey(
        "DraftNewDuty", null=True, on_delete=models.CASCADE, related_name="cells"
    )
    new_role = models.ForeignKey(
        "DraftNewRole", null=True, on_delete=models.CASCADE, related_name="cells"
    )
    letter = models.CharField(max_length=2, blank=True)
    base_version = models.PositiveIntegerField(default=0)
    base_letter = models.CharField(max_length=2, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A cell of live things (the first one: as before new things came).
            models.UniqueConstraint(
                "draft",
                "duty",
                "role",
                condition=Q(duty__isnull=False, role__isnull=False),
                name="draft_cell_once_per_draft",
            ),
            models.UniqueConstraint(
                "draft",
                "new_duty",
                "role",
                condition=Q(new_duty__isnull=False, role__isnull=False),
                name="draft_cell_new_duty_once_per_draft",
            ),
            models.UniqueConstraint(
                "draft",
                "duty",
                "new_role",
                condition=Q(duty__isnull=False, new_role__isnull=False),
                name="draft_cell_new_role_once_per_draft",
            ),
            models.UniqueConstraint(
                "draft",
                "new_duty",
                "new_role",
                condition=Q(new_duty__isnull=False, new_role__isnull=False),
                name="draft_cell_new_both_once_per_draft",
            ),
            models.CheckConstraint(
                condition=Q(duty__isnull=False) ^ Q(new_duty__isnull=False),
                name="draft_cell_duty_xor_new_duty",
            ),
            models.CheckConstraint(
                condition=Q(role__isnull=False) ^ Q(new_role__isnull=False),
                name="draft_cell_role_xor_new_role",
            ),
        ]

    def __str__(self) -> str:
        duty = self.duty_id or f"new {self.new_duty_id}"
        role = self.role_id or f"new {self.new_role_id}"
        return f"{self.draft_id}: {duty}/{role} {self.base_letter}->{self.letter}"

    @property
    def duty_ref(self) -> int:
        """The duty's id as the impact and the matrix in a draft know it: a live duty's
        pk, or minus the pk of a duty the draft adds."""
        return self.duty_id if self.duty_id else -self.new_duty_id

    @property
    def role_ref(self) -> int:
        return self.role_id if self.role_id else -self.new_role_id


class DraftNewDuty(models.Model):
    """A duty the draft adds. Known to the impact and the matrix in a draft by minus its
    pk, so that it never collides with a live duty's id."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="new_duties")
    title = models.CharField(_("title"), max_length=500)
    department = models.ForeignKey(
        "orgmap.Department",
        verbose_name=_("owning department"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        "orgmap.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("duty added in a draft")
        verbose_name_plural = _("duties added in a draft")

    def __str__(self) -> str:
        return f"{self.draft_id}: new duty {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("draft-new-duty", args=[self.draft_id, self.pk])

    @property
    def ref(self) -> int:
        return -self.pk


class DraftNewRole(models.Model):
    """A role the draft adds (known by minus its pk, as a new duty)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="new_roles")
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        "orgmap.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.TextField(_("purpose"), blank=True)
    reports_to = models.ForeignKey(
        "orgmap.Role",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("role added in a draft")
        verbose_name_plural = _("roles added in a draft")

    def __str__(self) -> str:
        return f"{self.draft_id}: new role {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("draft-new-role", args=[self.draft_id, self.pk])

    @property
    def ref(self) -> int:
        return -self.pk


class DraftApproval(models.Model):
    """The answer of one department's managers (or one project's coordinators) to a
    draft that touches their department or project."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CHANGES_REQUESTED = "changes", _("changes requested")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="approvals")
    department = models.ForeignKey(
        "orgmap.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "orgmap.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) ^ Q(project__isnull=False),
                name="draft_approval_department_xor_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}: {self.department_id or self.project_id} {self.status}"

    @property
    def scope_name(self) -> str:
        return self.department.name if self.department_id else self.project.name


# ------------------------------------------------------------------ roles, people, flows
# (collaboration/drafts/services_structure.py proposes them; impact_structure.py judges
# them; publish_structure.py applies them.)


class DraftRole(models.Model):
    """An existing role as the draft would have it: renamed, moved to another
    department, retired (active False) or brought back. `base` holds the live fields it
    was based on."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="role_changes")
    role = models.ForeignKey("orgmap.Role", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    department = models.ForeignKey(
        "orgmap.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    base = models.JSONField(default=dict)  # the live {title, department_id, active}

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("draft", "role", name="draft_role_once_per_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}: role {self.role_id}"

    def fields(self) -> dict:
        return {"title": self.title, "department_id": self.department_id, "active": self.active}


class DraftHolding(models.Model):
    """A person joining or leaving a role in the draft. A move is a leave and a join
    made together; a role left vacant is a leave for each of its holders. `base`: whether
    the person held the role live when the change was proposed."""

    class Action(models.TextChoices):
        JOIN = "join", _("joins")
        LEAVE = "leave", _("leaves")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="holdings")
    role = models.ForeignKey("orgmap.Role", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=5, choices=Action.choices)
    base = models.BooleanField(default=False)  # held live when proposed

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("draft", "role", "person", name="draft_holding_once_per_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}: {self.person_id} {self.action} {self.role_id}"


class DraftFlow(models.Model):
    """An information flow added (its fields, as a live flow needs them) or removed
    (the live flow; `base` its live {from_department_id, to_department_id, active})."""

    class Action(models.TextChoices):
        ADD = "add", _("added")
        REMOVE = "remove", _("removed")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="flow_changes")
    action = models.CharField(max_length=6, choices=Action.choices)
    flow = models.ForeignKey(
        "responsibilities.InformationFlow",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    from_department = models.ForeignKey(
        "orgmap.Department",
        verbose_name=_("from department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    to_department = models.ForeignKey(
        "orgmap.Department",
        verbose_name=_("to department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    information = models.CharField(_("information"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    system_name = models.CharField(_("system name"), max_length=100, blank=True)
    frequency = models.CharField(_("frequency"), max_length=20, blank=True)
    base = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(action="add", flow__isnull=True)
                    & Q(from_department__isnull=False, to_department__isnull=False)
                )
                | Q(action="remove", flow__isnull=False),
                name="draft_flow_add_or_remove",
            ),
            models.UniqueConstraint(
                "draft",
                "flow",
                condition=Q(flow__isnull=False),
                name="draft_flow_removed_once_per_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft_id}: flow {self.action} {self.flow_id or ''}"

    def ends(self) -> tuple[int, int]:
        """The two departments the flow connects (a removal's: as live had them)."""
        if self.action == self.Action.ADD:
            return self.from_department_id, self.to_department_id
        return self.base["from_department_id"], self.base["to_department_id"]
