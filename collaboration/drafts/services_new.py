"""Writes to the duties and roles a draft adds, and to the letters of cells whose duty
or role is new. Each is validated as live would validate it (and against the other new
things of the same draft) when it is written, and again when the draft is published."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgmap.models import Department, Project, Role
from responsibilities import raci
from responsibilities.models import Duty

from .models import Draft, DraftCell, DraftNewDuty, DraftNewRole
from .services import DraftError, DutyInvalid, _editable


class RoleInvalid(DraftError):
    code = "role_invalid"

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [m for field_messages in error.message_dict.values() for m in field_messages]
    return list(error.messages)


def _touch(draft: Draft) -> None:
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())


# ------------------------------------------------------------------ validation


def live_duty(new_duty: DraftNewDuty) -> Duty:
    """The live duty a new duty would become (unsaved)."""
    return Duty(
        title=new_duty.title,
        department_id=new_duty.department_id,
        project_id=new_duty.project_id,
        description=new_duty.description,
    )


def live_role(new_role: DraftNewRole) -> Role:
    """The live role a new role would become (unsaved)."""
    return Role(
        title=new_role.title,
        department_id=new_role.department_id,
        purpose=new_role.purpose,
        reports_to_id=new_role.reports_to_id,
    )


def validate_duty(new_duty: DraftNewDuty) -> None:
    """Valid live (a title unique in its department or project, checked against the
    live duties by the model's constraints) and unique among the draft's new duties."""
    messages = []
    if not new_duty.title:
        messages.append(_("Give the duty a title."))
    else:
        try:
            live_duty(new_duty).full_clean(exclude=["frequency", "kpis"])
        except ValidationError as error:
            messages += _messages(error)
        key = raci.duty_identity(new_duty.title)
        others = DraftNewDuty.objects.filter(draft_id=new_duty.draft_id).exclude(pk=new_duty.pk)
        if new_duty.project_id:
            others = others.filter(project_id=new_duty.project_id)
        else:
            others = others.filter(department_id=new_duty.department_id, project__isnull=True)
        if any(
            raci.duty_identity(title) == key for title in others.values_list("title", flat=True)
        ):
            messages.append(_("This draft already adds a duty with this title there."))
    if messages:
        raise DutyInvalid(messages)


def validate_role(new_role: DraftNewRole) -> None:
    """Valid live (a title unique in its department, whatever its case; reporting to
    an active role) and unique among the draft's new roles of that department."""
    messages = []
    if not new_role.title:
        messages.append(_("Give the role a title."))
    else:
        try:
            live_role(new_role).full_clean(exclude=["review_cadence_months", "last_reviewed_on"])
        except ValidationError as error:
            messages += _messages(error)
        taken = (
            DraftNewRole.objects.filter(
                draft_id=new_role.draft_id,
                department_id=new_role.department_id,
                title__iexact=new_role.title,
            )
            .exclude(pk=new_role.pk)
            .exists()
        )
        if taken:
            messages.append(_("This draft already adds a role with this title there."))
    if new_role.reports_to is not None and not new_role.reports_to.active:
        messages.append(_("A role can only report to an active role."))
    if messages:
        raise RoleInvalid(messages)


def _clean_title(title: str) -> str:
    return " ".join((title or "").split())


# ------------------------------------------------------------------ duties


@transaction.atomic
def draft_new_duty_save(
    *,
    draft: Draft,
    title: str,
    department: Department,
    project: Project | None = None,
    description: str = "",
    new_duty: DraftNewDuty | None = None,
) -> DraftNewDuty:
    """Add a duty to the draft, or change one it adds (`new_duty`)."""
    _editable(draft)
    if new_duty is None:
        new_duty = DraftNewDuty(draft=draft)
    elif new_duty.draft_id != draft.pk:
        raise DraftError(f"new duty {new_duty.pk} is not in draft {draft.pk}")
    new_duty.title, new_duty.department, new_duty.project = _clean_title(title), department, project
    new_duty.description = (description or "").strip()
    validate_duty(new_duty)
    new_duty.save()
    _touch(draft)
    return new_duty


@transaction.atomic
def draft_new_duty_delete(*, draft: Draft, new_duty: DraftNewDuty) -> None:
    """Remove a duty the draft adds, with its letters."""
    _editable(draft)
    if new_duty.draft_id != draft.pk:
        raise DraftError(f"new duty {new_duty.pk} is not in draft {draft.pk}")
    new_duty.delete()
    _touch(draft)


# ------------------------------------------------------------------ roles


@transaction.atomic
def draft_new_role_save(
    *,
    draft: Draft,
    title: str,
    department: Department,
    purpose: str = "",
    reports_to: Role | None = None,
    new_role: DraftNewRole | None = None,
) -> DraftNewRole:
    """Add a role to the draft, or change one it adds (`new_role`)."""
    _editable(draft)
    if new_role is None:
        new_role = DraftNewRole(draft=draft)
    elif new_role.draft_id != draft.pk:
        raise DraftError(f"new role {new_role.pk} is not in draft {draft.pk}")
    new_role.title, new_role.department = _clean_title(title), department
    new_role.purpose, new_role.reports_to = (purpose or "").strip(), reports_to
    validate_role(new_role)
    new_role.save()
    _touch(draft)
    return new_role


@transaction.atomic
def draft_new_role_delete(*, draft: Draft, new_role: DraftNewRole) -> None:
    """Remove a role the draft adds, with its letters."""
    _editable(draft)
    if new_role.draft_id != draft.pk:
        raise DraftError(f"new role {new_role.pk} is not in draft {draft.pk}")
    new_role.delete()
    _touch(draft)


# ------------------------------------------------------------------ cells


@transaction.atomic
def draft_new_cell_set(
    *,
    draft: Draft,
    letter: str | None,
    duty: Duty | None = None,
    new_duty: DraftNewDuty | None = None,
    role: Role | None = None,
    new_role: DraftNewRole | None = None,
) -> DraftCell | None:
    """Propose `letter` (None: empty) for a cell whose duty or role (or both) the draft
    adds. There is no live cell under it: an empty letter removes the proposal."""
    _editable(draft)
    if (duty is None) == (new_duty is None) or (role is None) == (new_role is None):
        raise DraftError("a cell needs one duty and one role")
    if new_duty is None and new_role is None:
        raise DraftError("a cell of live things is set by services.draft_cell_set")
    for thing in (new_duty, new_role):
        if thing is not None and thing.draft_id != draft.pk:
            raise DraftError(f"{thing} is not in draft {draft.pk}")
    if letter is not None and letter not in raci.LETTERS:
        raise raci.UnknownLetter(letter)
    where = {"duty": duty, "new_duty": new_duty, "role": role, "new_role": new_role}
    change = DraftCell.objects.select_for_update().filter(draft=draft, **where).first()
    if not letter:
        if change is not None:
            change.delete()
            _touch(draft)
        return None
    if change is None:
        change = DraftCell(draft=draft, **where)
    change.letter = letter
    change.save()
    _touch(draft)
    return change
