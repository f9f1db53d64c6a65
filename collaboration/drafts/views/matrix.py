"""The matrix in a draft (the live matrix page, as a matrix_page.Variant), a draft cell
(its editor and the edit, keyboard included, as live) and a duty in a draft (moved,
renamed, retired)."""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgmap import permissions
from orgmap.models import Department, Role
from responsibilities import matrix_page, raci
from responsibilities import selectors as live_selectors
from responsibilities.models import Assignment, Duty
from responsibilities.views.matrix import render_matrix

from .. import lookups, scopes, services
from ..exports import draft_matrix_csv
from ..forms import DraftDutyForm
from ..models import Draft, DraftCell
from ..overlay import DraftState, adjusted_summary, extra_role_ids, overlay, row_findings


def _cell_prefix(draft: Draft) -> str:
    return reverse("draft-cell", args=[draft.pk, 0, 0]).removesuffix("0/0/")


@require_GET
def draft_matrix(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    departments = list(Department.objects.order_by("name"))
    department = next((d for d in departments if d.code.upper() == code.upper()), None)
    scope = scopes.scope_for_code(code) if department is None else None
    if department is None and scope is None:
        raise Http404("No such department or project")
    switch_to = request.GET.get("department", "")
    if department is not None and switch_to and switch_to.upper() != department.code.upper():
        other = get_object_or_404(Department, code__iexact=switch_to)
        return redirect("draft-matrix", pk=draft.pk, code=other.code)
    if department is not None:
        scope = live_selectors.Scope(department=department)
    state = DraftState.read(draft)
    can_edit = permissions.can_edit_draft(request.user, draft)
    variant = matrix_page.Variant(
        cell_prefix=_cell_prefix(draft),
        overlay=overlay(state, scope, can_edit=can_edit),
        editable=lambda rows: {row.duty["pk"] for row in rows} if can_edit else set(),
        banner="drafts/banner.html",
        findings_url=scopes.findings_url(draft.pk, scope),
        extra_role_ids=extra_role_ids(state, scope),
        context={
            "draft": draft,
            "impact": state.impact,
            "draft_scope_code": scopes.scope_code(scope),
            "draft_scope": scope,
            "live_matrix_url": scopes.live_matrix_url(scope),
            "department_page_url": reverse("draft-department", args=[draft.pk, department.code])
            if department is not None
            else "",
            # The banner's "add a duty / role here" (a department's matrix).
            "can_edit_draft": can_edit and department is not None,
            "edit_duty_label": _("move, rename or retire"),
        },
    )
    return render_matrix(
        request,
        scope,
        title=scope.project.name if scope.project else department.name,
        base_url=scopes.matrix_url(draft.pk, scope),
        departments=departments if department is not None else None,
        variant=variant,
    )


def _cell(draft: Draft, duty: Duty, role: Role) -> dict | None:
    change = DraftCell.objects.filter(draft=draft, duty=duty, role=role).first()
    if change is not None:
        return {"letter": change.letter, "version": 0, "drafted": True}
    live = Assignment.objects.filter(duty=duty, role=role).values("letter", "version").first()
    return dict(live) if live else None


def _context(request, draft: Draft, duty: Duty, role: Role, scope) -> dict:
    return {
        "duty": {"pk": duty.pk, "title": duty.title},
        "duty_obj": duty,
        "role": role,
        "column": {"role": role},
        "editable": {duty.pk},
        "scope_token": scopes.scope_token(scope),
        "next_url": scopes.matrix_url(draft.pk, scope) + f"?focus={duty.pk}",
        "letters": [(letter, raci.LETTER_LABELS[letter]) for letter in raci.LETTERS],
        "cell_prefix": _cell_prefix(draft),
        "cell_url": reverse("draft-cell", args=[draft.pk, duty.pk, role.pk]),
        "draft": draft,
    }


def _cell_response(request, draft, duty, context: dict, scope, *, flash=None, status=200):
    """The cell, its row's flags and the page's summary as the draft has them, and the
    draft's impact (out of band): recomputed for what the draft touches only."""
    state = DraftState.read(draft)
    live_row = live_selectors.stored_findings(duty_ids=[duty.pk])
    summary = adjusted_summary(live_selectors.stored_summary(scope), state.impact, scope)
    context |= {
        "row": {"findings": row_findings(live_row, duty.pk, state.impact)},
        "matrix": {"summary": summary, "findings_total": sum(summary.values())},
        "findings_url": scopes.findings_url(draft.pk, scope),
        "flash": flash,
        "impact": state.impact,
        "oob": True,
    }
    html = render_to_string("responsibilities/matrix.html#cell-response", context, request)
    html += render_to_string("drafts/banner.html#impact", context, request)
    return HttpResponse(html, status=status)


@require_http_methods(["GET", "POST"])
def draft_cell(request: HttpRequest, pk: int, duty_id: int, role_id: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    duty = get_object_or_404(Duty.objects.select_related("department", "project"), pk=duty_id)
    role = get_object_or_404(Role.objects.select_related("department"), pk=role_id)
    token = request.POST.get("scope") or request.GET.get("scope", "")
    scope = scopes.scope_from_token(token, duty)
    context = _context(request, draft, duty, role, scope)
    if request.method == "GET":
        context["cell"] = _cell(draft, duty, role)
        if request.htmx:
            partial = "raci-cell" if request.GET.get("display") else "cell-editor"
            return render(request, f"responsibilities/matrix.html#{partial}", context)
        return render(request, "responsibilities/cell_edit.html", context)
    try:
        letter = raci.parse_letter(request.POST.get("letter", ""))
        services.draft_cell_set(draft=draft, duty=duty, role=role, letter=letter)
    except raci.UnknownLetter:
        message = _(
            '"%(value)s" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'
        ) % {"value": raci.quote(request.POST.get("letter", ""), 20)}
        if request.htmx:
            context["cell"] = _cell(draft, duty, role)
            return _cell_response(request, draft, duty, context, scope, flash=message, status=422)
        return HttpResponseBadRequest(message)
    if request.htmx:
        context["cell"] = _cell(draft, duty, role)
        return _cell_response(request, draft, duty, context, scope)
    return redirect(context["next_url"])


@require_http_methods(["GET", "POST"])
def draft_duty(request: HttpRequest, pk: int, duty_id: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    duty = get_object_or_404(Duty.objects.select_related("department", "project"), pk=duty_id)
    change = draft.duties.select_related("department", "project").filter(duty=duty).first()
    now = change or duty
    initial = {
        "title": now.title,
        "department": now.department.code,
        "project": now.project.code if now.project_id else None,
        "active": now.active,
    }
    form = DraftDutyForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.draft_duty_change(draft=draft, duty=duty, **form.cleaned_data)
        except services.DutyInvalid as error:
            for message in error.messages:
                form.add_error("title", message)
        else:
            messages.success(request, _("The draft now has this duty as you wrote it."))
            department = form.cleaned_data["department"]
            return redirect(
                reverse("draft-matrix", args=[draft.pk, department.code]) + f"?focus={duty.pk}"
            )
    status = 422 if form.errors else 200
    context = {"draft": draft, "duty": duty, "form": form}
    return render(request, "drafts/duty_form.html", context, status=status)


@require_GET
def draft_matrix_export(request: HttpRequest, pk: int, code: str) -> StreamingHttpResponse:
    """The department's matrix as the draft has it, as CSV marked as a draft."""
    draft = lookups.get_draft_for_view(request.user, pk)
    department = get_object_or_404(Department, code__iexact=code)
    response = StreamingHttpResponse(
        draft_matrix_csv(draft, department), content_type="text/csv; charset=utf-8"
    )
    name = slugify(draft.name) or f"draft-{draft.pk}"
    response["Content-Disposition"] = (
        f'attachment; filename="{department.code}-matrix-DRAFT-{name}.csv"'
    )
    return response
