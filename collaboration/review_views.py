"""Reviews of roles and duties: the due list of a department and the review form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import selectors as org_selectors
from orgmap.http import bound_data
from orgmap.models import Department

from . import reviews
from .meeting_forms import ReviewForm


@require_GET
def department_reviews(request: HttpRequest, code: str) -> HttpResponse:
    department = get_object_or_404(Department, code__iexact=code)
    today = timezone.localdate()
    rows = reviews.department_review_rows(department=department, today=today, user=request.user)
    return render(
        request,
        "collaboration/review_list.html",
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
        "collaboration/review_form.html",
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
