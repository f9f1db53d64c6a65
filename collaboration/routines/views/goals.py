"""Shared goals: the list, the progress page, targets, measurements and links."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgmap import permissions
from orgmap.http import bound_data, form_response, saved_redirect
from orgmap.models import Department, Project

from .. import lookups, selectors, services
from ..forms import GoalForm, GoalLinkForm, ProgressForm, TargetForm
from ..models import Goal, GoalLink, Target


@require_GET
def goal_list(request: HttpRequest) -> HttpResponse:
    department = project = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
    if code := request.GET.get("project"):
        project = get_object_or_404(Project, code__iexact=code)
    rows = selectors.goal_rows(
        selectors.goals_for(department=department, project=project), timezone.localdate()
    )
    if request.GET.get("risk") == "1":
        rows = [row for row in rows if row.at_risk]
    return render(
        request,
        "routines/goal_list.html",
        {
            "rows": rows,
            "department": department,
            "project": project,
            "only_at_risk": request.GET.get("risk") == "1",
            "can_create": permissions.can_create_owned(request.user),
            "at_risk_days": selectors.AT_RISK_DAYS,
            "tolerance": selectors.SCHEDULE_TOLERANCE,
        },
    )


def _goal_context(request: HttpRequest, goal: Goal, **extra) -> dict:
    today = timezone.localdate()
    targets = list(
        selectors.targets_with_current(goal.targets.all()).prefetch_related(
            "progress__recorded_by__profile"
        )
    )
    rows = [
        selectors.TargetRow(target=target, progress=selectors.progress_of(target, today))
        for target in targets
    ]
    can_edit = permissions.can_edit_goal(request.user, goal)
    return {
        "goal": goal,
        "row": selectors.GoalRow(goal=goal, targets=rows),
        "links": goal.links.select_related("duty__department", "role__department"),
        "can_edit": can_edit,
        "progress_form": ProgressForm() if can_edit else None,
        "at_risk_days": selectors.AT_RISK_DAYS,
        "tolerance": selectors.SCHEDULE_TOLERANCE,
        **extra,
    }


@require_GET
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(selectors.goal_queryset(), pk=pk)
    return render(request, "routines/goal_detail.html", _goal_context(request, goal))


@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_owned(request.user):
        raise PermissionDenied(
            _("Only department managers, project coordinators and administrators set goals.")
        )
    initial = {}
    if code := request.GET.get("department"):
        initial["department"] = Department.objects.filter(code__iexact=code).first()
    if code := request.GET.get("project"):
        initial["project"] = Project.objects.filter(code__iexact=code).first()
    form = GoalForm(bound_data(request), user=request.user, initial=initial)
    return _goal_form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = lookups.get_goal_for_edit(request.user, pk)
    form = GoalForm(bound_data(request), instance=goal, user=request.user)
    return _goal_form_page(request, form, goal)


def _goal_form_page(request: HttpRequest, form: GoalForm, goal: Goal | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.goal_save(
                goal=form.instance,
                contributing_departments=form.cleaned_data["contributing_departments"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Goal “%(title)s” saved.") % {"title": saved.title})
            return saved_redirect(request, saved.get_absolute_url())
    return form_response(request, "routines/goal_form.html", {"form": form, "goal": goal})


def _target_form_page(
    request: HttpRequest, form: TargetForm, goal: Goal, target: Target | None
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        form.instance.goal = goal
        try:
            services.target_save(target=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Target “%(measure)s” saved.") % {"measure": form.instance.measure}
            )
            return saved_redirect(request, goal.get_absolute_url())
    return form_response(
        request, "routines/target_form.html", {"form": form, "goal": goal, "target": target}
    )


@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest, pk: int) -> HttpResponse:
    goal = lookups.get_goal_for_edit(request.user, pk)
    form = TargetForm(bound_data(request), instance=Target(goal=goal))
    return _target_form_page(request, form, goal, None)


@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, pk=pk)
    goal = lookups.get_goal_for_edit(request.user, target.goal_id)
    form = TargetForm(bound_data(request), instance=target)
    return _target_form_page(request, form, goal, target)


@require_http_methods(["GET", "POST"])
def target_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a measurement. With htmx the goal's targets section is swapped in place."""
    target = get_object_or_404(Target, pk=pk)
    goal = lookups.get_goal_for_edit(request.user, target.goal_id)
    goal = get_object_or_404(selectors.goal_queryset(), pk=goal.pk)
    form = ProgressForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        services.target_progress_record(
            target=target,
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            by=request.user,
        )
        messages.success(
            request,
            _("Recorded %(value)s for “%(measure)s”.")
            % {"value": form.cleaned_data["value"], "measure": target.measure},
        )
        if request.htmx:
            return render(
                request, "routines/goal_detail.html#targets", _goal_context(request, goal)
            )
        return saved_redirect(request, goal.get_absolute_url())
    if request.htmx and request.method == "POST":
        context = _goal_context(request, goal, failed_target=target.pk, failed_form=form)
        return render(request, "routines/goal_detail.html#targets", context)
    return render(
        request, "routines/progress_form.html", {"form": form, "goal": goal, "target": target}
    )


@require_http_methods(["GET", "POST"])
def goal_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    goal = lookups.get_goal_for_edit(request.user, pk)
    form = GoalLinkForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_link_add(
                goal=goal,
                duty=form.cleaned_data["duty"],
                role=form.cleaned_data["role"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Link added to the goal."))
            return saved_redirect(request, goal.get_absolute_url())
    return form_response(request, "routines/goal_link_form.html", {"form": form, "goal": goal})


@require_POST
def goal_link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(GoalLink, pk=pk)
    goal = lookups.get_goal_for_edit(request.user, link.goal_id)
    services.goal_link_remove(link=link)
    messages.success(request, _("Link removed from the goal."))
    return saved_redirect(request, goal.get_absolute_url())
