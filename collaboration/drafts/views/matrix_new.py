"""The duties and roles a draft adds: their pages (add, change, delete) and their cells
on the matrix in the draft. A cell's address is the draft's cell prefix with the
synthetic ids (minus a new thing's pk), so matrix.js edits them, keyboard included,
exactly as it edits the others; the answer is the same partials as live."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgmap.models import Department, Role
from responsibilities import raci
from responsibilities import selectors as live_selectors
from responsibilities.models import Duty

from .. import lookups, services, services_new
from ..forms_new import NewDutyForm, NewRoleForm
from ..impact_new import role_ref
from ..models import Draft, DraftCell, DraftNewDuty, DraftNewRole
from .matrix import _cell_prefix, _cell_response
from .pages import error_message

# ------------------------------------------------------------------ cells


def _duty_of(draft: Draft, ref: int):
    """(live duty or None, new duty or None, the row's duty as the matrix knows it)."""
    if ref < 0:
        new = get_object_or_404(
            DraftNewDuty.objects.select_related("department"), pk=-ref, draft=draft
        )
        return None, new, new
    duty = get_object_or_404(Duty.objects.select_related("department"), pk=ref)
    return duty, None, duty


def _role_of(draft: Draft, ref: int):
    """(live role or None, new role or None, the column's role: .id is the ref)."""
    if ref < 0:
        new = get_object_or_404(
            DraftNewRole.objects.select_related("department"), pk=-ref, draft=draft
        )
        return None, new, role_ref(new)
    role = get_object_or_404(Role.objects.select_related("department"), pk=ref)
    return role, None, role


def _scope(token: str, shown) -> live_selectors.Scope:
    kind, _sep, code = token.partition(":")
    if kind == "department" and code:
        department = Department.objects.filter(code__iexact=code).first()
        if department is not None:
            return live_selectors.Scope(department=department)
    return live_selectors.Scope(department=shown.department)


def _cell_value(draft: Draft, where: dict) -> dict | None:
    change = DraftCell.objects.filter(draft=draft, **where).first()
    if change is None:
        return None
    return {"letter": change.letter, "version": 0, "drafted": True}


def _context(draft: Draft, shown_duty, duty_ref: int, role, column_role, scope) -> dict:
    """`role`: the live role or the new one (its page); `column_role`: .id is the ref."""
    role_ref_ = column_role.id
    return {
        "duty": {"pk": duty_ref, "title": shown_duty.title},
        "duty_obj": shown_duty,
        "role": role,
        "column": {"role": column_role},
        "editable": {duty_ref},
        "scope_token": f"department:{scope.department.code}",
        "next_url": reverse("draft-matrix", args=[draft.pk, scope.department.code])
        + f"?focus={duty_ref}",
        "letters": [(letter, raci.LETTER_LABELS[letter]) for letter in raci.LETTERS],
        "cell_prefix": _cell_prefix(draft),
        "cell_url": f"{_cell_prefix(draft)}{duty_ref}/{role_ref_}/",
        "draft": draft,
    }


@require_http_methods(["GET", "POST"])
def draft_new_cell(request: HttpRequest, pk: int, duty_ref: str, role_ref: str) -> HttpResponse:
    """A cell whose duty or role (or both) the draft adds."""
    draft = lookups.get_draft_for_edit(request.user, pk)
    duty_id, role_id = int(duty_ref), int(role_ref)
    if duty_id > 0 and role_id > 0:
        raise Http404("A cell of live things is edited at draft-cell")
    duty, new_duty, shown = _duty_of(draft, duty_id)
    role, new_role, column_role = _role_of(draft, role_id)
    scope = _scope(request.POST.get("scope") or request.GET.get("scope", ""), shown)
    context = _context(draft, shown, duty_id, role or new_role, column_role, scope)
    where = {"duty": duty, "new_duty": new_duty, "role": role, "new_role": new_role}
    if request.method == "GET":
        context["cell"] = _cell_value(draft, where)
        if request.htmx:
            partial = "raci-cell" if request.GET.get("display") else "cell-editor"
            return render(request, f"responsibilities/matrix.html#{partial}", context)
        return render(request, "responsibilities/cell_edit.html", context)
    shown_row = SimpleNamespace(pk=duty_id)
    try:
        letter = raci.parse_letter(request.POST.get("letter", ""))
        services_new.draft_new_cell_set(draft=draft, letter=letter, **where)
    except raci.UnknownLetter:
        message = _(
            '"%(value)s" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.'
        ) % {"value": raci.quote(request.POST.get("letter", ""), 20)}
        if request.htmx:
            context["cell"] = _cell_value(draft, where)
            return _cell_response(
                request, draft, shown_row, context, scope, flash=message, status=422
            )
        return HttpResponseBadRequest(message)
    if request.htmx:
        context["cell"] = _cell_value(draft, where)
        return _cell_response(request, draft, shown_row, context, scope)
    return redirect(context["next_url"])


# ------------------------------------------------------------------ new duties and roles


def _thing_page(request, draft: Draft, form, thing, kind: str, status: int = 200):
    context = {"draft": draft, "form": form, "thing": thing, "kind": kind}
    return render(request, "drafts/new_thing_form.html", context, status=status)


def _saved(request, draft: Draft, department: Department, ref: int) -> HttpResponse:
    messages.success(request, _("The draft now has it as you wrote it."))
    return redirect(reverse("draft-matrix", args=[draft.pk, department.code]) + f"?focus={ref}")


def _initial(request) -> dict:
    return {"department": request.GET.get("department", "")}


@require_http_methods(["GET", "POST"])
def draft_new_duty(request: HttpRequest, pk: int, item: int | None = None) -> HttpResponse:
    """Add a duty to the draft (no `item`) or change one it adds."""
    draft = lookups.get_draft_for_edit(request.user, pk)
    thing = None
    initial = _initial(request)
    if item is not None:
        thing = get_object_or_404(draft.new_duties.select_related("department", "project"), pk=item)
        initial = {
            "title": thing.title,
            "department": thing.department.code,
            "project": thing.project.code if thing.project_id else None,
            "description": thing.description,
        }
    form = NewDutyForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            thing = services_new.draft_new_duty_save(
                draft=draft, new_duty=thing, **form.cleaned_data
            )
        except services.DutyInvalid as error:
            for message in error.messages:
                form.add_error("title", message)
        else:
            return _saved(request, draft, thing.department, thing.ref)
    return _thing_page(request, draft, form, thing, "duty", status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def draft_new_role(request: HttpRequest, pk: int, item: int | None = None) -> HttpResponse:
    """Add a role to the draft (no `item`) or change one it adds."""
    draft = lookups.get_draft_for_edit(request.user, pk)
    thing = None
    initial = _initial(request)
    if item is not None:
        thing = get_object_or_404(draft.new_roles.select_related("department"), pk=item)
        initial = {
            "title": thing.title,
            "department": thing.department.code,
            "purpose": thing.purpose,
            "reports_to": thing.reports_to_id,
        }
    form = NewRoleForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            thing = services_new.draft_new_role_save(
                draft=draft, new_role=thing, **form.cleaned_data
            )
        except services_new.RoleInvalid as error:
            for message in error.messages:
                form.add_error("title", message)
        else:
            return _saved(request, draft, thing.department, thing.ref)
    return _thing_page(request, draft, form, thing, "role", status=422 if form.errors else 200)


@require_POST
def draft_new_duty_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    thing = get_object_or_404(draft.new_duties, pk=item)
    try:
        services_new.draft_new_duty_delete(draft=draft, new_duty=thing)
    except services.DraftError as error:
        messages.error(request, error_message(error))
    return redirect(draft)


@require_POST
def draft_new_role_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    thing = get_object_or_404(draft.new_roles, pk=item)
    try:
        services_new.draft_new_role_delete(draft=draft, new_role=thing)
    except services.DraftError as error:
        messages.error(request, error_message(error))
    return redirect(draft)
