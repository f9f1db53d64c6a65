"""Duties and who is Responsible, Accountable, Consulted or Informed for them."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Role

from . import raci
from .job_models import ExportJob, ImportJob  # noqa: F401 (registered with the app)


class Duty(models.Model):
    class Frequency(models.TextChoices):
        AS_NEEDED = "as_needed", _("as needed")
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")

    title = models.CharField(_("title"), max_length=500)
    # raci.duty_identity(title): a title is unique in its department or project.
    title_key = models.CharField(max_length=500, db_index=True, editable=False)
    # raci.normalise_title(title): the same work written twice, across departments too.
    match_key = models.CharField(max_length=500, db_index=True, editable=False, default="")
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("owning department"),
        on_delete=models.PROTECT,
        related_name="duties",
    )
    project = models.ForeignKey(
        "orgmap.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duties",
    )
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, blank=True
    )
    kpis = models.TextField(_("measures (KPIs)"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Periodic review, as for roles (Role.review_cadence_months / last_reviewed_on).
    review_cadence_months = models.PositiveSmallIntegerField(
        _("review cadence"),
        choices=Role.ReviewCadence.choices,
        null=True,
        blank=True,
        default=Role.ReviewCadence.YEARLY,
        help_text=_("How often the duty should be reviewed."),
    )
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        # A matrix page's rows in their order (matrix_page.py): the page's 50, not all.
        indexes = [models.Index(fields=["department", "title", "id"], name="duty_department_title")]
        constraints = [
            models.UniqueConstraint(
                "department",
                "title_key",
                condition=Q(project__isnull=True),
                name="duty_title_unique_in_department",
                violation_error_message=_("This department already has a duty with this title."),
            ),
            models.UniqueConstraint(
                "project",
                "title_key",
                condition=Q(project__isnull=False),
                name="duty_title_unique_in_project",
                violation_error_message=_("This project already has a duty with this title."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.title_key = raci.duty_identity(self.title)
        self.match_key = raci.normalise_title(self.title)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "title_key", "match_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("duty-detail", args=[self.pk])

    @property
    def next_review_due(self) -> datetime.date | None:
        if not self.review_cadence_months or not self.last_reviewed_on:
            return None
        return self.last_reviewed_on + relativedelta(months=self.review_cadence_months)

    def clean(self) -> None:
        # Model validation of the unique constraints reads title_key.
        self.title_key = raci.duty_identity(self.title or "")


class Assignment(models.Model):
    """One cell of the matrix. Written only through services.assignment_set, which
    checks the version (optimistic locking) and records the change in history."""

    class Letter(models.TextChoices):
        R = raci.R, _("Responsible")
        A = raci.A, _("Accountable")
        C = raci.C, _("Consulted")
        I = raci.I, _("Informed")  # noqa: E741
        AR = raci.AR, _("Accountable and responsible (A/R)")

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignments")
    letter = models.CharField(max_length=2, choices=Letter.choices)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint("duty", "role", name="one_assignment_per_duty_and_role"),
            models.CheckConstraint(
                condition=Q(letter__in=raci.LETTERS), name="assignment_letter_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duty} / {self.role}: {self.label}"

    @property
    def label(self) -> str:
        return raci.LETTER_LABELS[self.letter]


class AssignmentChange(models.Model):
    """History: one row per change of a cell, written in the same transaction."""

    duty = models.ForeignKey(Duty, on_delete=models.CASCADE, related_name="changes")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="assignment_changes")
    before = models.CharField(max_length=2, blank=True)
    after = models.CharField(max_length=2, blank=True)
    version = models.PositiveIntegerField(
        help_text=_(
            "Version of the cell after the change. A clear is a version too, and a cell set "
            "again continues above it, so no version is ever used twice."
        )
    )
    changed_at = models.DateTimeField(db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, default="matrix")
    # What the source was, for people: the name of the draft a change was published from.
    source_name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("assignment change")
        verbose_name_plural = _("assignment changes")
        indexes = [models.Index(fields=["duty", "role", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.duty_id}/{self.role_id}: {self.before or '–'} → {self.after or '–'}"


# Information flows: MISSING_HANDOFF reads them, so they live beside the duties.


class InformationFlow(models.Model):
    """Who hands what information to whom, through which channel, how often."""

    class Channel(models.TextChoices):
        MEETING = "meeting", _("meeting")
        EMAIL = "email", _("email")
        CHAT = "chat", _("chat")
        SYSTEM = "system", _("a named system")
        DOCUMENT = "document", _("shared document")
        PHONE = "phone", _("phone")

    from_department = models.ForeignKey(
        Department,
        verbose_name=_("from department"),
        on_delete=models.CASCADE,
        related_name="flows_out",
    )
    from_role = models.ForeignKey(
        Role,
        verbose_name=_("from role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flows_out",
    )
    to_department = models.ForeignKey(
        Department,
        verbose_name=_("to department"),
        on_delete=models.CASCADE,
        related_name="flows_in",
    )
    to_role = models.ForeignKey(
        Role,
        verbose_name=_("to role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flows_in",
    )
    information = models.CharField(
        _("information"),
        max_length=300,
        help_text=_("What is handed over, e.g. “order details”."),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    system_name = models.CharField(
        _("system name"),
        max_length=100,
        blank=True,
        help_text=_("Which system, when the channel is a named system (e.g. ERP, CRM)."),
    )
    frequency = models.CharField(_("frequency"), max_length=20, choices=Duty.Frequency.choices)
    duty = models.ForeignKey(
        Duty,
        verbose_name=_("duty it serves"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="information_flows",
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had in the routines app (moved without copying
        # data: see migrations/0006_informationflow_moved_here.py).
        db_table = "routines_informationflow"
        ordering = ["from_department__name", "to_department__name", "information"]
        verbose_name = _("information flow")
        verbose_name_plural = _("information flows")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_department=F("to_department")),
                name="flow_between_two_departments",
                violation_error_message=_(
                    "An information flow goes from one department to another, not to itself."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(channel="system") | ~Q(system_name=""),
                name="flow_system_is_named",
                violation_error_message=_("Name the system the information goes through."),
            ),
        ]
        indexes = [models.Index(fields=["from_department", "to_department"])]

    def __str__(self) -> str:
        return f"{self.from_department} → {self.to_department}: {self.information}"

    def get_absolute_url(self) -> str:
        return reverse("flow-edit", args=[self.pk])

    @property
    def channel_label(self) -> str:
        if self.channel == self.Channel.SYSTEM and self.system_name:
            return self.system_name
        return str(self.get_channel_display())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.from_department_id and self.from_department_id == self.to_department_id:
            errors["to_department"] = _(
                "An information flow goes from one department to another, not to itself."
            )
        if self.from_role_id and self.from_role.department_id != self.from_department_id:
            errors["from_role"] = _("The role must belong to the department the flow comes from.")
        if self.to_role_id and self.to_role.department_id != self.to_department_id:
            errors["to_role"] = _("The role must belong to the department the flow goes to.")
        self.system_name = (self.system_name or "").strip()
        if self.channel == self.Channel.SYSTEM and not self.system_name:
            errors["system_name"] = _("Name the system the information goes through.")
        if self.channel != self.Channel.SYSTEM:
            self.system_name = ""
        if errors:
            raise ValidationError(errors)


class Finding(models.Model):
    """A finding of raci.py, stored and kept current by findings_store.

    raci.py stays the one definition of what a finding is: this row is its output,
    refreshed in the same transaction as every write that can change it, so pages read
    findings with indexed queries instead of recomputing a department to show 50 rows.
    Messages are stored in every language of the site (`texts`), because they are
    rendered from titles and codes when the finding is computed.
    """

    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    # Where the finding is reported: the duty's department, or the role's.
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        "orgmap.Project", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # The duty a duty finding is about; empty for role findings.
    duty = models.ForeignKey(Duty, null=True, on_delete=models.CASCADE, related_name="+")
    # The role a role finding is about; empty for duty findings.
    role = models.ForeignKey(Role, null=True, on_delete=models.CASCADE, related_name="+")
    department_code = models.CharField(max_length=30)
    project_code = models.CharField(max_length=30, blank=True)  # "" outside projects
    duty_title = models.CharField(max_length=500, blank=True)  # "" for role findings
    # [[id, title, department id, department code, active, vacant], ...] in raci's order.
    roles = models.JSONField(default=list)
    # [duty id, role id, letter or null], or null when no single cell fixes it.
    fix = models.JSONField(null=True)
    # {language code: [message, suggestion]}
    texts = models.JSONField(default=dict)
    # raci.reading_key(): the findings page and `findings --format json` read stored
    # findings in raci's order, a page at a time, by sorting on this (binary collation).
    sort_key = models.TextField(default="", editable=False)

    class Meta:
        verbose_name = _("stored finding")
        verbose_name_plural = _("stored findings")
        indexes = [
            # The summary of a department (GROUP BY rule) reads the index only.
            models.Index(fields=["department", "rule"], name="finding_department_rule"),
            models.Index(fields=["rule"], name="finding_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.department_code} {self.duty_title or ''}".strip()


class FindingSnapshot(models.Model):
    """How many findings of one rule a scope had on one day: the daily snapshot that the
    findings trend is drawn from (responsibilities/pictures/snapshots.py).

    One row per day, scope (a department, or the whole organisation when `department`
    is empty) and rule; taking the day's snapshot again replaces that day's rows. `keys`
    names the findings counted, so "what changed since last week" can say which opened
    and which closed (stored findings carry no timestamps of their own).
    """

    date = models.DateField(_("date"))
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)
    # ["<duty id>/<role id>-<role id>…", …]: raci's identity of each finding counted.
    keys = models.JSONField(default=list)
    taken_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("findings snapshot")
        verbose_name_plural = _("findings snapshots")
        constraints = [
            models.UniqueConstraint(
                "date",
                "department",
                "rule",
                condition=Q(department__isnull=False),
                name="snapshot_one_per_day_department_rule",
            ),
            models.UniqueConstraint(
                "date",
                "rule",
                condition=Q(department__isnull=True),
                name="snapshot_one_per_day_organisation_rule",
            ),
        ]
        indexes = [models.Index(fields=["department", "date"], name="snapshot_department_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.department_id or '*'} {self.rule}: {self.count}"


class SearchWord(models.Model):
    """A word of the titles search corrects spelling against (PostgreSQL): every word
    of three characters or more in a duty's or role's title or a department's or
    project's name, added by database triggers (migration 0016) and looked up by
    trigram distance through its GiST index. A typo is corrected against these few
    thousand short words, then searched like a word spelt right, instead of comparing it
    with every duty's title (responsibilities/search.py).

    Words are only ever added: one whose last title was renamed stays, and a correction
    to it simply finds nothing. Empty on SQLite, whose search corrects against a cached
    vocabulary."""

    word = models.CharField(max_length=100, primary_key=True)

    class Meta:
        db_table = "responsibilities_search_word"
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word
