"""The collaboration routines: conflicts, shared goals with
measurable targets, team charters, lessons learned, feedback and improvement actions.

Every rule that a single row can carry is a database constraint as well as a `clean()`
check, so a bad row is refused whichever way it is written (form, service, admin,
shell). Rules that reach across tables (a role belongs to the flow's department, a
conflict involves two departments) live in `clean()` and the services.
docs/collaboration.md describes the routines and their permissions.
"""

from __future__ import annotations

import datetime
import functools
import operator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgmap.models import Department, Role
from responsibilities.models import Duty, InformationFlow


def _exactly_one(*fields: str) -> Q:
    """Q that holds when exactly one of the nullable foreign keys is set."""
    options = [
        Q(**{f"{chosen}__isnull": False}, **{f"{o}__isnull": True for o in fields if o != chosen})
        for chosen in fields
    ]
    return functools.reduce(operator.or_, options)


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
                condition=_exactly_one("department", "project"),
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
                condition=_exactly_one("duty", "role"),
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
                condition=_exactly_one("department", "project"),
                name="charter_of_department_or_project",
                violation_error_message=_("A charter belongs to one department or one project."),
            ),
        ]

    def __str__(self) -> str:
        return f"charter of {self.department or self.project}"


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
                condition=_exactly_one("department", "project"),
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


# ------------------------------------------------------------ feedback and improvement

FEEDBACK_TARGETS = ("duty", "role", "department", "project", "flow", "meeting")


class Feedback(models.Model):
    """A suggestion or complaint about one thing in the map.

    Anonymous feedback stores no author at all: `author` stays NULL (enforced by a
    check constraint), the day is kept but not the time, and nothing else about the
    request (session, address, agent) is written anywhere. docs/collaboration.md
    states the guarantee."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        DUPLICATE = "duplicate", _("duplicate")

    summary = models.CharField(_("summary"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    duty = models.ForeignKey(
        Duty, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    project = models.ForeignKey(
        "orgmap.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    flow = models.ForeignKey(
        InformationFlow, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The day only: an exact time could be matched against access logs to find out who
    # sent an anonymous entry.
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the feedback was rejected.")
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one(*FEEDBACK_TARGETS),
                name="feedback_on_exactly_one_thing",
                violation_error_message=_("Feedback is about exactly one thing."),
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(author__isnull=True),
                name="anonymous_feedback_has_no_author",
                violation_error_message=_("Anonymous feedback cannot name its author."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="rejected_feedback_has_a_reason",
                violation_error_message=_("Give a reason for rejecting the feedback."),
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                name="duplicate_feedback_names_the_original",
                violation_error_message=_("Say which feedback this one duplicates."),
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("pk")),
                name="feedback_not_duplicate_of_itself",
                violation_error_message=_("Feedback cannot duplicate itself."),
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse("feedback-detail", args=[self.pk])

    @property
    def target(self):
        for name in FEEDBACK_TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def target_kind(self) -> str:
        for name in FEEDBACK_TARGETS:
            if getattr(self, f"{name}_id"):
                return name
        return ""

    def clean(self) -> None:
        if sum(bool(getattr(self, f"{name}_id")) for name in FEEDBACK_TARGETS) != 1:
            raise ValidationError(_("Feedback is about exactly one thing."))
        if self.anonymous:
            self.author = None
        self.reason = (self.reason or "").strip()
        if self.status == self.Status.REJECTED and not self.reason:
            raise ValidationError({"reason": _("Give a reason for rejecting the feedback.")})
        if self.status == self.Status.DUPLICATE:
            if not self.duplicate_of_id:
                raise ValidationError(
                    {"duplicate_of": _("Say which feedback this one duplicates.")}
                )
            if self.duplicate_of_id == self.pk:
                raise ValidationError({"duplicate_of": _("Feedback cannot duplicate itself.")})


class ImprovementAction(models.Model):
    """What accepted feedback turns into: an owner, a due date, a status."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=200)
    # PROTECT: people leave by being deactivated, and an action must always have
    # somebody the reminder dispatcher can write to.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(done_at__isnull=False))
                | (~Q(status="done") & Q(done_at__isnull=True)),
                name="improvement_action_done_when_done",
                violation_error_message=_("Only a finished action has a completion time."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status != self.Status.DONE and self.due_on < today
