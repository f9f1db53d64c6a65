"""The drafts list, a draft's page (changes, conflicts, impact, approvals) and its
actions: submit, answer, publish, discard, reopen, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgmap import permissions
from orgmap.models import Department, Project

from .. import lookups, publish, selectors, services
from ..forms import AnswerForm, DraftForm
from ..impact_cache import cached_impact
from ..models import Draft, DraftCell, DraftDuty
from . import structure
from .pages_new import new_things_context

ERRORS = {
    "not_editable": lambda: _("This draft cannot be changed now."),
    "conflict": lambda: _(
        "Live has changed something this draft also changes since you made the change. "
        "Nothing was published: choose what to keep below, then publish again."
    ),
    "not_approved": lambda: _("This draft needs every approval asked for before it is published."),
    "duty_invalid": lambda: _(
        "A duty of this draft is no longer valid live; nothing was published."
    ),
    "role_invalid": lambda: _(
        "A role this draft adds is no longer valid live; nothing was published."
    ),
    "structure_invalid": lambda: _(
        "A role, holding or flow of this draft is no longer valid live; nothing was published."
    ),
}


def error_message(error: services.DraftError) -> str:
    message = ERRORS.get(error.code, lambda: _("The request could not be done."))()
    if getattr(error, "messages", None):  # DutyInvalid, RoleInvalid, StructureInvalid
        message += " " + " ".join(error.messages)
    return message


@require_http_methods(["GET", "POST"])
def draft_list(request: HttpRequest) -> HttpResponse:
    can_create = permissions.can_create_draft(request.user)
    form = DraftForm()
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied(_("Only managers, coordinators and org admins make drafts."))
        form = DraftForm(request.POST)
        if form.is_valid():
            draft = services.draft_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                author=request.user,
            )
            return redirect(draft)
    context = {
        "drafts": list(selectors.visible_drafts(request.user)[:200]),
        "to_answer": list(selectors.pending_approvals_for(request.user)),
        "form": form,
        "can_create": can_create,
    }
    return render(request, "drafts/draft_list.html", context, status=422 if form.errors else 200)


def _actions(user, draft: Draft, approvals) -> dict:
    approved = draft.status == Draft.Status.APPROVED
    own = draft.author_id == user.pk
    return {
        "can_edit": permissions.can_edit_draft(user, draft),
        "can_publish": permissions.can_publish_draft(user, draft, approved=approved),
        "can_discard": own and draft.status not in ("published", "discarded"),
        "can_reopen": own and draft.status in ("rejected", "discarded"),
        "can_delete": own and draft.status in ("open", "rejected", "discarded"),
        "answerable": {
            approval.pk
            for approval in approvals
            if permissions.can_answer_draft_approval(user, approval)
        },
    }


@require_http_methods(["GET"])
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    approvals = list(draft.approvals.select_related("department", "project", "decided_by__profile"))
    for approval in approvals:
        approval.draft = draft
    cell_conflicts, duty_conflicts = selectors.conflicts(draft)
    scope = selectors.draft_scope(draft)
    live = draft.status != Draft.Status.PUBLISHED
    context = {
        "draft": draft,
        "cells": selectors.draft_cells(draft),
        "duties": selectors.draft_duties(draft),
        "cell_conflicts": cell_conflicts,
        "duty_conflicts": duty_conflicts,
        "impact": cached_impact(draft) if live else None,
        "approvals": approvals,
        "answer_form": AnswerForm(),
        "departments": list(Department.objects.order_by("name")),
        "touched_departments": list(
            Department.objects.filter(pk__in=scope.department_ids).order_by("name")
        ),
        "touched_projects": list(Project.objects.filter(pk__in=scope.project_ids)),
        **structure.structure_context(draft),
        **_actions(request.user, draft, approvals),
        **new_things_context(draft),  # duties and roles the draft adds: pages_new.py
    }
    return render(request, "drafts/draft_detail.html", context)


def _done(request: HttpRequest, draft: Draft, action) -> HttpResponse:
    try:
        action()
    except services.DraftError as error:
        messages.error(request, error_message(error))
    return redirect("draft-detail", pk=draft.pk)


@require_POST
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    return _done(request, draft, lambda: services.draft_submit(draft=draft, by=request.user))


@require_POST
def draft_publish(request: HttpRequest, pk: int) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    approved = draft.status == Draft.Status.APPROVED
    if not permissions.can_publish_draft(request.user, draft, approved=approved):
        raise PermissionDenied(_("You may not publish this draft."))

    def run():
        publish.draft_publish(draft=draft, by=request.user)
        messages.success(request, _("The draft was published."))

    return _done(request, draft, run)


def _own(request: HttpRequest, pk: int) -> Draft:
    draft = lookups.get_draft_for_view(request.user, pk)
    if draft.author_id != request.user.pk:
        raise PermissionDenied(_("Only the author of a draft may do this."))
    return draft


@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own(request, pk)
    return _done(request, draft, lambda: services.draft_discard(draft=draft))


@require_POST
def draft_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own(request, pk)
    return _done(request, draft, lambda: services.draft_reopen(draft=draft))


@require_POST
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _own(request, pk)
    try:
        services.draft_delete(draft=draft)
    except services.DraftError as error:
        messages.error(request, error_message(error))
        return redirect(draft)
    messages.success(request, _("The draft was deleted."))
    return redirect("draft-list")


@require_POST
def conflict_settle(request: HttpRequest, pk: int, kind: str, change_id: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    if kind in structure.KINDS:  # a role, holding or flow
        return structure.conflict_settle(request, draft, kind, change_id)
    model = DraftCell if kind == "cell" else DraftDuty
    change = get_object_or_404(model, pk=change_id, draft=draft)
    keep = "live" if request.POST.get("keep") == "live" else "draft"
    return _done(
        request,
        draft,
        lambda: services.draft_conflict_settle(draft=draft, change=change, keep=keep),
    )


@require_POST
def approval_answer(request: HttpRequest, pk: int, approval_id: int) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    approval = lookups.get_approval_for_answer(request.user, draft, approval_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(draft)
    return _done(
        request,
        draft,
        lambda: services.draft_answer(
            approval=approval,
            by=request.user,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        ),
    )
