"""Feedback and improvement actions.

Anonymous feedback: the view passes the request's user to the service only so that
named feedback can carry its author; for anonymous feedback the service drops it, and
nothing here logs who sent what."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.http import bound_data, form_response, saved_redirect
from orgmap.params import parse_number

from .. import lookups, selectors, services
from ..forms import FEEDBACK_MODELS, ActionForm, FeedbackForm, TriageForm
from ..models import Feedback, ImprovementAction

PAGE_SIZE = 30


@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    queryset = selectors.feedback_queryset()
    if status in Feedback.Status.values:
        queryset = queryset.filter(status=status)
    else:
        status = ""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "routines/feedback_list.html",
        {"page": page, "status": status, "statuses": Feedback.Status.choices},
    )


@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest) -> HttpResponse:
    # Every logged-in member may give feedback (LoginRequiredMiddleware sees to login).
    initial = {}
    for kind in FEEDBACK_MODELS:
        if (pk := parse_number(request.GET.get(kind, ""))) is not None:
            initial["about"] = f"{kind}:{pk}"
    form = FeedbackForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_give(
                summary=data["summary"],
                details=data["details"],
                target=data["about"],
                by=request.user,
                anonymous=data["anonymous"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if feedback.anonymous:
                # Not to the entry itself: the access log would pair its id with the
                # sender's address and browser.
                return saved_redirect(request, reverse("feedback-thanks"))
            messages.success(request, _("Thank you for your feedback."))
            return saved_redirect(request, feedback.get_absolute_url())
    return form_response(request, "routines/feedback_form.html", {"form": form})


@require_GET
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    """Where anonymous feedback lands: the same page for everyone, no id in it."""
    return render(request, "routines/feedback_thanks.html")


@require_GET
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_object_or_404(selectors.feedback_queryset(), pk=pk)
    can_triage = permissions.can_triage_feedback(request.user, feedback)
    return render(
        request,
        "routines/feedback_detail.html",
        {
            "feedback": feedback,
            "actions": feedback.actions.select_related("owner__profile"),
            "can_triage": can_triage,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def feedback_triage(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = lookups.get_feedback_for_triage(request.user, pk)
    initial = {"status": feedback.status} if feedback.status != Feedback.Status.NEW else {}
    initial |= {"reason": feedback.reason, "duplicate_of": feedback.duplicate_of}
    form = TriageForm(bound_data(request), feedback=feedback, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_triage(
                feedback=feedback,
                status=data["status"],
                reason=data["reason"],
                duplicate_of=data["duplicate_of"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Feedback marked as %(status)s.") % {"status": feedback.get_status_display()},
            )
            return saved_redirect(request, feedback.get_absolute_url())
    return form_response(
        request, "routines/feedback_triage.html", {"form": form, "feedback": feedback}
    )


@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = lookups.get_feedback_for_triage(request.user, pk)
    if feedback.status != Feedback.Status.ACCEPTED:
        raise PermissionDenied(_("Accept the feedback before planning improvement actions."))
    form = ActionForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.improvement_action_create(
                feedback=feedback,
                title=data["title"],
                owner=data["owner"],
                due_on=data["due_on"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Improvement action “%(title)s” planned.") % data)
            return saved_redirect(request, feedback.get_absolute_url())
    return form_response(
        request,
        "routines/action_form.html",
        {"form": form, "feedback": feedback, "action": None},
    )


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = lookups.get_action_for_edit(request.user, pk)
    initial = {
        "title": action.title,
        "owner": action.owner,
        "due_on": action.due_on,
        "status": action.status,
    }
    form = ActionForm(bound_data(request), initial=initial, with_status=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.improvement_action_update(action=action, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Improvement action “%(title)s” saved.") % data)
            return saved_redirect(request, action.feedback.get_absolute_url())
    return form_response(
        request,
        "routines/action_form.html",
        {"form": form, "feedback": action.feedback, "action": action},
    )


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    show_done = request.GET.get("done") == "1"
    actions = selectors.action_queryset()
    if mine:
        actions = actions.filter(owner=request.user)
    if not show_done:
        actions = actions.exclude(status=ImprovementAction.Status.DONE)
    return render(
        request,
        "routines/action_list.html",
        {
            "actions": actions,
            "mine": mine,
            "show_done": show_done,
            "today": timezone.localdate(),
        },
    )
