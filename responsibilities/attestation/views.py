"""Pages of the role confirmations: a role's versions and their differences, a
holder's confirmation, the holder's open requests, and the coverage for HR and
managers (exports in exports.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgmap import permissions
from orgmap.models import Department, Role
from orgmap.params import parse_number

from . import content, selectors, services
from .exports import coverage_response
from .models import RoleDescriptionVersion


def _role(pk: int) -> Role:
    return get_object_or_404(Role.objects.select_related("department"), pk=pk)


def _version(role: Role, number: int) -> RoleDescriptionVersion:
    return get_object_or_404(RoleDescriptionVersion, role=role, number=number)


def _number(value: str | None) -> int | None:
    return parse_number(value)


@require_GET
def role_versions(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(pk)
    context = {"role": role, "versions": selectors.versions(role)}
    if permissions.can_view_acceptance_record(request.user, role):
        context["acceptances"] = selectors.acceptance_record(role)
    return render(request, "attestation/versions.html", context)


@require_GET
def role_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Version `number` beside an earlier one (`?against=`, default the one before)."""
    role = _role(pk)
    version = _version(role, number)
    against_number = _number(request.GET.get("against"))
    if against_number is None:
        against_number = number - 1
    against = None
    if against_number >= 1 and against_number != number:
        against = _version(role, against_number)
    rows = content.diff(against.lines if against else [], version.lines)
    return render(
        request,
        "attestation/version.html",
        {
            "role": role,
            "version": version,
            "against": against,
            "rows": rows,
            "summary": content.summary(rows),
        },
    )


@require_http_methods(["GET", "POST"])
def role_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The holder reads what changed since the version they accepted last and answers."""
    role = _role(pk)
    open_request = selectors.open_request(request.user, role)
    if open_request is None:
        raise PermissionDenied(_("You have no confirmation to give for this role."))
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        if answer not in ("accept", "decline"):
            return HttpResponseBadRequest(_("Choose to accept or to decline."))
        try:
            services.confirmation_answer(
                request_id=open_request.pk,
                person=request.user,
                accept=answer == "accept",
                question=request.POST.get("question", ""),
            )
        except services.ConfirmationError as refused:
            error = refused.message
        else:
            if answer == "accept":
                messages.success(request, _("Thank you: you confirmed your role."))
            else:
                messages.info(request, _("Your question went to your manager."))
            return redirect("my-confirmations")
    accepted = selectors.last_accepted_version(request.user, role)
    rows = content.diff(accepted.lines if accepted else [], open_request.version.lines)
    changed_only = accepted is not None
    if changed_only:
        rows = [row for row in rows if row.kind != content.SAME]
    return render(
        request,
        "attestation/confirm.html",
        {
            "role": role,
            "confirmation": open_request,
            "accepted": accepted,
            "rows": rows,
            "changed_only": changed_only,
            "summary": content.summary(rows),
            "error": error,
            "question": request.POST.get("question", "") if error else "",
        },
        status=422 if error else 200,
    )


@require_GET
def my_confirmations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "attestation/my_confirmations.html",
        {"confirmations": list(selectors.open_requests(request.user))},
    )


def _coverage_scope(request: HttpRequest) -> tuple[set[int] | None, Department | None]:
    if not permissions.can_view_confirmation_coverage(request.user):
        raise PermissionDenied(_("You may not see the confirmation coverage."))
    allowed = permissions.confirmation_coverage_department_ids(request.user)
    department = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
        if allowed is not None and department.pk not in allowed:
            raise PermissionDenied(_("You may not see this department's coverage."))
        return {department.pk}, department
    return (set(allowed) if allowed is not None else None), None


@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    department_ids, department = _coverage_scope(request)
    departments = selectors.coverage(department_ids)
    return render(
        request,
        "attestation/coverage.html",
        {
            "departments": departments,
            "totals": selectors.totals(departments),
            "department": department,
            "questions": selectors.declined_questions(department_ids),
        },
    )


@require_GET
def coverage_export(request: HttpRequest, fmt: str) -> HttpResponse:
    department_ids, _department = _coverage_scope(request)
    return coverage_response(selectors.coverage(department_ids), fmt)


@require_POST
def role_cadence(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(pk)
    if not permissions.can_set_confirmation_cadence(request.user, role):
        raise PermissionDenied(_("You may not change this role's confirmation cadence."))
    months = _number(request.POST.get("months"))
    if months not in Role.ReviewCadence.values:
        messages.error(request, _("Choose one of the cadences offered."))
    else:
        services.cadence_set(role=role, months=months)
        messages.success(request, _("The confirmation cadence was saved."))
    return redirect(role.get_absolute_url())
