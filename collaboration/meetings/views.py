"""Meeting pages, the .ics download, the personal calendar feed, and reviews of roles and
duties (the due list of a department and the review form)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgmap import permissions
from orgmap import selectors as org_selectors
from orgmap.http import bound_data
from orgmap.models import Department, Project, Role
from orgmap.params import parse_number

from . import calendar, recurrence, reviews
from . import selectors as meetings
from .forms import MeetingForm, MinutesForm, ReviewForm

PAGE_SIZE = 30


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    when = meetings.PAST if request.GET.get("when") == meetings.PAST else meetings.UPCOMING
    department = project = role = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
    if code := request.GET.get("project"):
        project = get_object_or_404(Project, code__iexact=code)
    if role_text := request.GET.get("role"):
        if (role_id := parse_number(role_text)) is None:
            raise Http404
        role = get_object_or_404(Role.objects.select_related("department"), pk=role_id)
    rows = meetings.meeting_rows(
        now=timezone.now(), when=when, department=department, project=project, role=role
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "page": page,
            "when": when,
            "department": department,
            "project": project,
            "role": role,
            "filter_query": query.urlencode(),
            "departments": Department.objects.order_by("name"),
            "projects": Project.objects.order_by("name"),
            "can_create": permissions.can_schedule_meetings(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_schedule_meetings(request.user):
        raise PermissionDenied(
            _(
                "Only department managers, project coordinators and organisation administrators schedule meetings."
            )
        )
    initial = {}
    if code := request.GET.get("department"):
        initial["departments"] = Department.objects.filter(code__iexact=code)
    if code := request.GET.get("project"):
        initial["project"] = Project.objects.filter(code__iexact=code).first()
    form = MeetingForm(bound_data(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        meeting = meetings.meeting_save(
            meeting=form.save(commit=False),
            departments=form.cleaned_data["departments"],
            attendee_roles=form.cleaned_data["attendee_roles"],
            attendee_people=form.cleaned_data["attendee_people"],
            by=request.user,
        )
        messages.success(request, _("Meeting “%(title)s” scheduled.") % {"title": meeting.title})
        return redirect(meeting.get_absolute_url())
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        meetings.meeting_queryset().prefetch_related("attendee_roles__department"), pk=pk
    )
    now = timezone.now()
    upcoming = recurrence.next_occurrences(meeting, after=now, limit=6)
    tz = recurrence.zone(meeting.time_zone)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "upcoming": [occurrence.astimezone(tz) for occurrence in upcoming],
            "last_start": None if upcoming else recurrence.last_occurrence(meeting),
            "attendees": meetings.attendees(meeting),
            "can_manage": permissions.can_manage_meeting(request.user, meeting),
        },
    )


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.get_meeting_for_manage(request.user, pk)
    form = MeetingForm(bound_data(request), instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = meetings.meeting_save(
            meeting=form.save(commit=False),
            departments=form.cleaned_data["departments"],
            attendee_roles=form.cleaned_data["attendee_roles"],
            attendee_people=form.cleaned_data["attendee_people"],
            by=request.user,
        )
        messages.success(request, _("Meeting “%(title)s” saved.") % {"title": meeting.title})
        return redirect(meeting.get_absolute_url())
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings.get_meeting_for_manage(request.user, pk)
    form = MinutesForm(bound_data(request), instance=meeting)
    if request.method == "POST" and form.is_valid():
        meetings.meeting_minutes_set(meeting=meeting, minutes=form.cleaned_data["minutes"])
        messages.success(request, _("Minutes saved."))
        return redirect(meeting.get_absolute_url())
    return render(
        request,
        "meetings/meeting_minutes.html",
        {"form": form, "meeting": meeting, "started": meeting.starts_at <= timezone.now()},
    )


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meetings.meeting_queryset(), pk=pk)
    filename = f"{slugify(meeting.title) or 'meeting'}.ics"
    return _ics_response(calendar.meeting_ics(meeting), filename)


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    feed = calendar.calendar_feed_get(user=request.user)
    rows = meetings.meeting_rows(now=timezone.now(), when=meetings.UPCOMING, attendee=request.user)
    return render(
        request,
        "meetings/meeting_calendar.html",
        {"feed_url": calendar.calendar_feed_url(feed), "rows": rows},
    )


@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    calendar.calendar_feed_reset(user=request.user)
    messages.success(
        request,
        _(
            "Your calendar address was changed. Subscribe again with the new one; the old one no longer works."
        ),
    )
    return redirect("calendar")


@login_not_required
@never_cache
@require_GET
def calendar_feed(request: HttpRequest, feed_id: int, token: str) -> HttpResponse:
    """Public, for calendar apps, which cannot log in: the secret token is the key."""
    feed = calendar.calendar_feed_check(feed_id=feed_id, token=token)
    if feed is None:
        raise Http404
    name = _("orgmap meetings of %(name)s") % {"name": feed.user.profile.name}
    response = HttpResponse(
        calendar.feed_ics(feed.user, name=name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="orgmap.ics"'
    return response


# ---------------------------------------------------------------------------- reviews


@require_GET
def department_reviews(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code__iexact=code)
    today = timezone.localdate()
    rows = reviews.department_review_rows(department=department, today=today, user=request.user)
    return render(
        request,
        "meetings/review_list.html",
        {
            "department": department,
            "breadcrumbs": org_selectors.department_breadcrumbs(department),
            "overdue": [row for row in rows if row.status == "overdue"],
            "soon": [row for row in rows if row.status == "soon"],
            "later": [row for row in rows if row.status in {"ok", "none", "never"}],
            "recent": reviews.recent_reviews(department=department),
            "today": today,
        },
    )


def _review_page(request: HttpRequest, subject, kind: str) -> HttpResponse:
    form = ReviewForm(bound_data(request), subject=subject)
    if request.method == "POST" and form.is_valid():
        reviews.review_record(
            subject=subject,
            by=request.user,
            reviewed_on=form.cleaned_data["reviewed_on"],
            note=form.cleaned_data["note"],
            cadence_months=form.cleaned_data["cadence_months"],
        )
        subject.refresh_from_db()
        due = subject.next_review_due
        if due:
            messages.success(
                request,
                _("Review recorded. The next one is due on %(date)s.") % {"date": due.isoformat()},
            )
        else:
            messages.success(request, _("Review recorded."))
        return redirect("department-reviews", subject.department.code)
    return render(
        request,
        "meetings/review_form.html",
        {
            "form": form,
            "subject": subject,
            "kind": kind,
            "department": subject.department,
            "history": reviews.subject_reviews(subject),
        },
    )


@require_http_methods(["GET", "POST"])
def role_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, reviews.get_role_for_review(request.user, pk), "role")


@require_http_methods(["GET", "POST"])
def duty_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, reviews.get_duty_for_review(request.user, pk), "duty")
