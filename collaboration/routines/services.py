"""Writes of the collaboration routines. Keyword-only, typed, `<entity>_<action>`;
each validates the whole object (model rules and constraints) before it saves, so a
bad write raises ValidationError and leaves nothing behind."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Project
from responsibilities.models import Duty, InformationFlow

from .models import (
    FEEDBACK_TARGETS,
    Charter,
    Conflict,
    Feedback,
    Goal,
    GoalLink,
    ImprovementAction,
    Lesson,
    Target,
    TargetProgress,
)
from .selectors import suggest_coordinator

# ------------------------------------------------------------------ information flows


@transaction.atomic
def flow_save(*, flow: InformationFlow, by: AbstractBaseUser | None) -> InformationFlow:
    """Create or update a flow (fields already set on the instance)."""
    if flow.pk is None:
        flow.created_by = by
    flow.full_clean()
    flow.save()
    return flow


# ------------------------------------------------------------------------ conflicts


def _check_departments(departments: Iterable[Department]) -> list[Department]:
    departments = list(departments)
    if len({d.pk for d in departments}) < 2:
        raise ValidationError(
            {"departments": _("A conflict between departments involves at least two of them.")}
        )
    return departments


@transaction.atomic
def conflict_raise(
    *,
    title: str,
    description: str,
    departments: Iterable[Department],
    raised_by: AbstractBaseUser,
    coordinator: AbstractBaseUser | None = None,
) -> Conflict:
    """Record a conflict. Without a coordinator, the head of the departments' lowest
    common parent is named; with no such person it stays empty and the organisation
    administrators see it in their list of conflicts to coordinate."""
    departments = _check_departments(departments)
    if coordinator is None:
        suggestion = suggest_coordinator(departments)
        if suggestion.department is not None:
            coordinator = suggestion.first
    conflict = Conflict(
        title=title.strip(),
        description=description.strip(),
        raised_by=raised_by,
        coordinator=coordinator,
    )
    conflict.full_clean()
    conflict.save()
    conflict.departments.set(departments)
    return conflict


@transaction.atomic
def conflict_update(
    *,
    conflict: Conflict,
    title: str,
    description: str,
    departments: Iterable[Department],
    coordinator: AbstractBaseUser | None,
    status: str,
) -> Conflict:
    if status == Conflict.Status.SETTLED and conflict.status != Conflict.Status.SETTLED:
        raise ValidationError({"status": _("Settle a conflict with its settlement text.")})
    departments = _check_departments(departments)
    conflict.title = title.strip()
    conflict.description = description.strip()
    conflict.coordinator = coordinator
    conflict.status = status
    conflict.full_clean()
    conflict.save()
    conflict.departments.set(departments)
    return conflict


@transaction.atomic
def conflict_settle(
    *,
    conflict: Conflict,
    settlement: str,
    decisions: str,
    changed_duties: Iterable[Duty] = (),
    by: AbstractBaseUser,
    now: datetime.datetime | None = None,
) -> Conflict:
    # Lock the row: two people settling at once must not both write a settlement.
    conflict = Conflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status == Conflict.Status.SETTLED:
        raise ValidationError(_("This conflict has already been settled."))
    conflict.settlement = settlement.strip()
    conflict.decisions = decisions.strip()
    conflict.status = Conflict.Status.SETTLED
    conflict.settled_at = now or timezone.now()
    conflict.settled_by = by
    conflict.full_clean()
    conflict.save()
    conflict.changed_duties.set(list(changed_duties))
    return conflict


# ------------------------------------------------------------------------ shared goals


@transaction.atomic
def goal_save(
    *,
    goal: Goal,
    contributing_departments: Iterable[Department],
    by: AbstractBaseUser | None,
) -> Goal:
    if goal.pk is None:
        goal.created_by = by
    goal.full_clean()
    goal.save()
    goal.contributing_departments.set(list(contributing_departments))
    return goal


@transaction.atomic
def target_save(*, target: Target) -> Target:
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_progress_record(
    *,
    target: Target,
    value: Decimal,
    by: AbstractBaseUser | None,
    note: str = "",
    recorded_at: datetime.datetime | None = None,
) -> TargetProgress:
    """Add a measurement; the target's current value is always the latest one."""
    entry = TargetProgress(
        target=target,
        value=value,
        recorded_by=by,
        note=note.strip(),
        recorded_at=recorded_at or timezone.now(),
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def goal_link_add(*, goal: Goal, duty: Duty | None = None, role=None, note: str = "") -> GoalLink:
    link = GoalLink(goal=goal, duty=duty, role=role, note=note.strip())
    link.full_clean()
    link.save()
    return link


def goal_link_remove(*, link: GoalLink) -> None:
    link.delete()


# ---------------------------------------------------------------------- team charters


@transaction.atomic
def charter_save(
    *,
    department: Department | None = None,
    project: Project | None = None,
    purpose: str,
    values: str,
    working_agreements: str,
    by: AbstractBaseUser,
) -> Charter:
    """Create or replace the charter of one department or one project. The texts are
    stored as typed and sanitised when shown (richtext.render)."""
    if department is not None:
        charter = Charter.objects.select_for_update().filter(department=department).first()
    else:
        charter = Charter.objects.select_for_update().filter(project=project).first()
    charter = charter or Charter(department=department, project=project)
    charter.purpose = purpose.strip()
    charter.values = values.strip()
    charter.working_agreements = working_agreements.strip()
    charter.updated_by = by
    charter.full_clean()
    charter.save()
    return charter


# --------------------------------------------------------------------- lessons learned


@transaction.atomic
def lesson_save(*, lesson: Lesson, by: AbstractBaseUser | None) -> Lesson:
    if lesson.pk is None:
        lesson.author = by
    lesson.full_clean()
    lesson.save()
    return lesson


# ------------------------------------------------------------ feedback and improvement


@transaction.atomic
def feedback_give(
    *,
    summary: str,
    details: str,
    target: object,
    by: AbstractBaseUser,
    anonymous: bool,
) -> Feedback:
    """Record feedback on one thing. Anonymous feedback keeps no trace of `by`: the
    author field stays empty and nothing else about the sender is written (no log
    line, no history row). `by` is only used for named feedback."""
    feedback = Feedback(
        summary=summary.strip(),
        details=details.strip(),
        anonymous=anonymous,
        author=None if anonymous else by,
    )
    for name in FEEDBACK_TARGETS:
        model = Feedback._meta.get_field(name).related_model
        if isinstance(target, model):
            setattr(feedback, name, target)
            break
    else:
        raise ValidationError(_("Feedback is about exactly one thing."))
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_triage(
    *,
    feedback: Feedback,
    status: str,
    reason: str = "",
    duplicate_of: Feedback | None = None,
    by: AbstractBaseUser,
) -> Feedback:
    """new → accepted, rejected (with a reason) or duplicate (of another feedback)."""
    if status == Feedback.Status.NEW:
        raise ValidationError({"status": _("Choose accepted, rejected or duplicate.")})
    if status == Feedback.Status.DUPLICATE and duplicate_of is not None:
        # A chain of duplicates must not loop back to this feedback.
        seen = {feedback.pk}
        current: Feedback | None = duplicate_of
        while current is not None:
            if current.pk in seen:
                raise ValidationError({"duplicate_of": _("Feedback cannot duplicate itself.")})
            seen.add(current.pk)
            current = current.duplicate_of
    feedback.status = status
    feedback.reason = reason.strip() if status == Feedback.Status.REJECTED else ""
    feedback.duplicate_of = duplicate_of if status == Feedback.Status.DUPLICATE else None
    feedback.triaged_by = by
    feedback.triaged_at = timezone.now()
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def improvement_action_create(
    *,
    feedback: Feedback,
    title: str,
    owner: AbstractBaseUser,
    due_on: datetime.date,
    by: AbstractBaseUser,
) -> ImprovementAction:
    if feedback.status != Feedback.Status.ACCEPTED:
        raise ValidationError(_("Only accepted feedback turns into improvement actions."))
    action = ImprovementAction(
        feedback=feedback, title=title.strip(), owner=owner, due_on=due_on, created_by=by
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def improvement_action_update(
    *,
    action: ImprovementAction,
    title: str,
    owner: AbstractBaseUser,
    due_on: datetime.date,
    status: str,
    now: datetime.datetime | None = None,
) -> ImprovementAction:
    action.title = title.strip()
    action.owner = owner
    action.due_on = due_on
    if status == ImprovementAction.Status.DONE and action.status != status:
        action.done_at = now or timezone.now()
    elif status != ImprovementAction.Status.DONE:
        action.done_at = None
    action.status = status
    action.full_clean()
    action.save()
    return action
