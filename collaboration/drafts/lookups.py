"""Load a draft (or one of its approvals) if orgmap.permissions allows it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from orgmap import permissions

from . import selectors
from .models import Draft, DraftApproval


def get_draft_for_view(user, pk: int) -> Draft:
    draft = get_object_or_404(Draft.objects.select_related("author__profile"), pk=pk)
    scope = selectors.draft_scope(draft)
    if not permissions.can_see_draft(
        user, draft, department_ids=scope.department_ids, project_ids=scope.project_ids
    ):
        raise PermissionDenied(_("You may not see this draft."))
    return draft


def get_draft_for_edit(user, pk: int) -> Draft:
    draft = get_object_or_404(Draft.objects.select_related("author__profile"), pk=pk)
    if not permissions.can_edit_draft(user, draft):
        if draft.author_id == user.pk:
            raise PermissionDenied(
                _("This draft cannot be changed now: it is %(status)s.")
                % {"status": draft.get_status_display()}
            )
        raise PermissionDenied(_("Only the author of a draft may change it."))
    return draft


def get_approval_for_answer(user, draft: Draft, pk: int) -> DraftApproval:
    approval = get_object_or_404(
        DraftApproval.objects.select_related("draft", "department", "project"),
        pk=pk,
        draft=draft,
    )
    if not permissions.can_answer_draft_approval(user, approval):
        raise PermissionDenied(
            _("You may not answer for %(scope)s.") % {"scope": approval.scope_name}
        )
    return approval
