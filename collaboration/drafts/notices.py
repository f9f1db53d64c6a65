"""The draft's messages, delivered by the reminders app (in-app and by email, each once):
approval asked and reminded, an approver's answer, and the publication to the people
whose responsibilities changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collaboration.reminders.dispatcher import messages_send
from collaboration.reminders.due import PlannedReminder
from collaboration.reminders.models import ReminderDelivery
from orgmap import permissions
from orgmap.models import RoleHolder

from .models import Draft, DraftApproval


def _texts(words: Callable[[], tuple[str, str]]) -> dict[str, list[str]]:
    """{language: [summary, subject]}: the words written once per site language."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = list(words())
    return texts


def _message(recipient_id: int, topic: str, texts: dict, link: str) -> PlannedReminder:
    return PlannedReminder(
        kind=ReminderDelivery.Kind.MESSAGE,
        recipient_id=recipient_id,
        occurrence=timezone.now(),
        topic=topic,
        texts=texts,
        link=link,
    )


def approvers(approval: DraftApproval) -> set[int]:
    """Who may answer: the department's managers (including those of the departments
    above) or the project's coordinators; nobody there: the org admins."""
    if approval.department_id is not None:
        editors = permissions.department_editors(approval.department)
        users = editors.direct + [user for user, _department in editors.inherited]
    else:
        editors = permissions.project_editors(approval.project)
        users = editors.direct + editors.named
    users = users or editors.admins
    return {user.pk for user in users if user.pk != approval.draft.author_id}


def _asked_words(draft: Draft, approval: DraftApproval, reminder: bool):
    def words() -> tuple[str, str]:
        values = {
            "author": draft.author.profile.name,
            "name": draft.name,
            "scope": approval.scope_name,
        }
        if reminder:
            summary = _(
                "Reminder: %(author)s is still waiting for your answer on the draft “%(name)s”, which changes %(scope)s."
            )
        else:
            summary = _(
                "%(author)s asks you to approve the draft “%(name)s”, which changes %(scope)s."
            )
        return summary % values, _("Draft to approve: %(name)s") % values

    return words


def approvals_requested(
    draft: Draft, approvals: Iterable[DraftApproval], *, reminder: int = 0
) -> list[int]:
    """Ask (`reminder` n: remind for the n-th time) the approvers of each approval."""
    link = reverse("draft-detail", args=[draft.pk])
    planned = []
    for approval in approvals:
        texts = _texts(_asked_words(draft, approval, bool(reminder)))
        topic = f"draft:{draft.pk}:approval:{approval.pk}:{approval.requested_at:%Y%m%d%H%M%S}"
        if reminder:
            topic += f":reminder:{reminder}"
        planned += [_message(pk, topic, texts, link) for pk in approvers(approval)]
    return messages_send(planned, now=timezone.now())


def approval_answered(draft: Draft, approval: DraftApproval) -> list[int]:
    status = DraftApproval.Status

    def words() -> tuple[str, str]:
        values = {
            "who": approval.decided_by.profile.name,
            "name": draft.name,
            "scope": approval.scope_name,
        }
        if approval.status == status.APPROVED:
            summary = _("%(who)s approved the draft “%(name)s” for %(scope)s.")
        elif approval.status == status.REJECTED:
            summary = _("%(who)s rejected the draft “%(name)s” for %(scope)s.")
        else:
            summary = _("%(who)s asks for changes to the draft “%(name)s” for %(scope)s.")
        return summary % values, _("Your draft: %(name)s") % values

    topic = f"draft:{draft.pk}:answer:{approval.pk}:{approval.decided_at:%Y%m%d%H%M%S}"
    link = reverse("draft-detail", args=[draft.pk])
    return messages_send(
        [_message(draft.author_id, topic, _texts(words), link)], now=timezone.now()
    )


def published(draft: Draft, role_ids: set[int], person_ids: set[int] = frozenset()) -> list[int]:
    """Tell the people holding the roles whose responsibilities changed, and
    `person_ids` (who joined or left a role), one message each."""
    holders = set(
        RoleHolder.objects.current()
        .filter(role_id__in=role_ids, person__is_active=True)
        .values_list("person_id", flat=True)
    ) | set(person_ids)
    holders.discard(draft.published_by_id)

    def words() -> tuple[str, str]:
        values = {"name": draft.name}
        return (
            _("The draft “%(name)s” was published: your responsibilities changed.") % values,
            _("Your responsibilities changed: %(name)s") % values,
        )

    texts = _texts(words)
    link = reverse("draft-detail", args=[draft.pk])
    topic = f"draft:{draft.pk}:published"
    return messages_send(
        [_message(pk, topic, texts, link) for pk in sorted(holders)], now=timezone.now()
    )
