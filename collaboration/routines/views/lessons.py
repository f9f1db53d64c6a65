"""Lessons learned: a searchable list everybody reads, and the form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from collaboration.meetings.models import Meeting
from orgmap import permissions
from orgmap.http import bound_data, form_response, saved_redirect
from orgmap.models import Department, Project
from orgmap.params import parse_number

from .. import lookups, selectors, services
from ..forms import LessonForm
from ..models import Lesson

PAGE_SIZE = 25


@require_GET
def lesson_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip()
    page = Paginator(selectors.lessons(query=query, tag=tag), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "query": query,
        "tag": tag,
        "tags": selectors.popular_tags(),
        "can_create": permissions.can_create_owned(request.user),
    }
    if request.htmx:
        # The search box filters as you type; only the results are swapped.
        return render(request, "routines/lesson_list.html#results", context)
    return render(request, "routines/lesson_list.html", context)


@require_GET
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(
        Lesson.objects.select_related("department", "project", "author__profile"), pk=pk
    )
    return render(
        request,
        "routines/lesson_detail.html",
        {"lesson": lesson, "can_edit": permissions.can_edit_lesson(request.user, lesson)},
    )


def _lesson_form_page(request: HttpRequest, form: LessonForm, lesson: Lesson | None):
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.lesson_save(lesson=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Lesson “%(title)s” saved.") % {"title": saved.title})
            return saved_redirect(request, saved.get_absolute_url())
    return form_response(request, "routines/lesson_form.html", {"form": form, "lesson": lesson})


@require_http_methods(["GET", "POST"])
def lesson_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_owned(request.user):
        raise PermissionDenied(
            _(
                "Only department managers, project coordinators and administrators record lessons; everyone reads them."
            )
        )
    initial = {}
    if code := request.GET.get("department"):
        initial["department"] = Department.objects.filter(code__iexact=code).first()
    if code := request.GET.get("project"):
        initial["project"] = Project.objects.filter(code__iexact=code).first()
    if (pk := parse_number(request.GET.get("meeting", ""))) is not None:
        # A retrospective records its lessons straight from the meeting page.
        meeting = Meeting.objects.select_related("project").filter(pk=pk).first()
        if meeting is not None:
            initial["meeting"] = meeting
            if meeting.project is not None:
                initial["project"] = meeting.project
    form = LessonForm(bound_data(request), user=request.user, initial=initial)
    return _lesson_form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = lookups.get_lesson_for_edit(request.user, pk)
    form = LessonForm(bound_data(request), instance=lesson, user=request.user)
    return _lesson_form_page(request, form, lesson)
