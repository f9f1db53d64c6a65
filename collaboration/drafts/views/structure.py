"""A draft's roles, people and information flows: a role as the draft has it (renamed,
moved, retired; who joins and leaves it), the flows added and removed, the lookups
that pick a role, a person or a flow (comboboxes; a page without JavaScript), undoing
one change and settling a conflict."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgmap.models import Role, RoleHolder
from responsibilities.models import InformationFlow

from .. import lookups, services, services_structure
from ..forms_structure import DraftFlowForm, DraftRoleForm
from ..models import Draft, DraftFlow, DraftHolding, DraftRole
from ..selectors_structure import StructureChanges, StructureConflicts, structure_conflicts

KINDS = {"role": DraftRole, "holding": DraftHolding, "flow": DraftFlow}
LOOKUP_LIMIT = 20


def structure_context(draft: Draft) -> dict:
    """What the draft's page shows of its roles, people and flows."""
    changes = StructureChanges.read(draft)
    conflicts = structure_conflicts(changes) if changes else StructureConflicts()
    return {
        "role_changes": changes.roles,
        "holding_changes": changes.holdings,
        "flow_changes": changes.flows,
        "structure_conflicts": conflicts,
    }


def _structure_url(draft: Draft, anchor: str = "structure") -> str:
    return draft.get_absolute_url() + f"#{anchor}"


def _digits(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


# ------------------------------------------------------------------ a role


def _role_page(request, draft: Draft, role: Role, form, *, errors=(), status=200):
    change = draft.role_changes.select_related("department").filter(role=role).first()
    holders = list(
        RoleHolder.objects.current()
        .filter(role=role)
        .select_related("person__profile")
        .order_by("person__profile__display_name", "person__username")
    )
    holdings = list(draft.holdings.filter(role=role).select_related("person__profile"))
    leaving = {h.person_id for h in holdings if h.action == DraftHolding.Action.LEAVE}
    users = get_user_model().objects.select_related("profile")
    person = users.filter(pk=_digits(request.GET.get("person")), is_active=True).first()
    move_from = Role.objects.filter(pk=_digits(request.GET.get("from"))).first()
    context = {
        "draft": draft,
        "role": role,
        "change": change,
        "form": form,
        "holders": [(holding, holding.person_id in leaving) for holding in holders],
        "holders_only": holders,
        "joining": [h for h in holdings if h.action == DraftHolding.Action.JOIN],
        "person": person,
        "move_from": move_from if person else None,
        "errors": errors,
    }
    return render(request, "drafts/role_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def draft_role(request: HttpRequest, pk: int, role_id: int) -> HttpResponse:
    draft = lookups.get_draft_for_edit(request.user, pk)
    role = get_object_or_404(Role.objects.select_related("department"), pk=role_id)
    change = draft.role_changes.select_related("department").filter(role=role).first()
    now = change or role
    initial = {"title": now.title, "department": now.department.code, "active": now.active}
    form = DraftRoleForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services_structure.draft_role_change(draft=draft, role=role, **form.cleaned_data)
        except services_structure.StructureInvalid as error:
            for message in error.messages:
                form.add_error("title", message)
        else:
            messages.success(request, _("The draft now has this role as you wrote it."))
            return redirect(_structure_url(draft))
    return _role_page(request, draft, role, form, status=422 if form.errors else 200)


def _people_change(request, draft: Draft, role: Role) -> None:
    action = request.POST.get("action", "")
    if action == "vacate":
        services_structure.draft_role_vacate(draft=draft, role=role)
        return
    person = (
        get_user_model()
        .objects.select_related("profile")
        .filter(pk=_digits(request.POST.get("person")))
        .first()
    )
    if person is None:
        raise services_structure.StructureInvalid([_("Choose a person.")])
    if action == "move":
        from_role = Role.objects.filter(pk=_digits(request.POST.get("from_role"))).first()
        if from_role is None:
            raise services_structure.StructureInvalid([_("Choose the role the person leaves.")])
        services_structure.draft_person_move(
            draft=draft, person=person, from_role=from_role, to_role=role
        )
        return
    services_structure.draft_holding_set(draft=draft, role=role, person=person, action=action)


@require_POST
def draft_role_people(request: HttpRequest, pk: int, role_id: int) -> HttpResponse:
    """Who joins or leaves a role in the draft (join, leave, move here, leave vacant)."""
    draft = lookups.get_draft_for_edit(request.user, pk)
    role = get_object_or_404(Role.objects.select_related("department"), pk=role_id)
    try:
        _people_change(request, draft, role)
    except services_structure.StructureInvalid as error:
        form = DraftRoleForm(initial={"title": role.title, "department": role.department.code})
        return _role_page(request, draft, role, form, errors=error.messages, status=422)
    except services.DraftError:
        form = DraftRoleForm(initial={"title": role.title, "department": role.department.code})
        errors = [_("Choose join, leave, move or leave vacant.")]
        return _role_page(request, draft, role, form, errors=errors, status=422)
    messages.success(request, _("The draft now has these people in this role."))
    return redirect(reverse("draft-role-change", args=[draft.pk, role.pk]))


# ------------------------------------------------------------------ flows


def _flows_page(request, draft: Draft, form, *, remove=None, errors=(), status=200):
    context = {"draft": draft, "form": form, "remove": remove, "errors": errors}
    return render(request, "drafts/flow_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def draft_flows(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a flow to the draft, or remove a live one (`?remove=<id>` asks to confirm)."""
    draft = lookups.get_draft_for_edit(request.user, pk)
    flows = InformationFlow.objects.select_related("from_department", "to_department")
    if request.method == "GET":
        remove = flows.filter(pk=_digits(request.GET.get("remove")), active=True).first()
        return _flows_page(request, draft, DraftFlowForm(), remove=remove)
    if request.POST.get("action") == "remove":
        flow = flows.filter(pk=_digits(request.POST.get("flow"))).first()
        try:
            if flow is None:
                raise services_structure.StructureInvalid([_("Choose a flow to remove.")])
            services_structure.draft_flow_remove(draft=draft, flow=flow)
        except services_structure.StructureInvalid as error:
            return _flows_page(request, draft, DraftFlowForm(), errors=error.messages, status=422)
        return redirect(_structure_url(draft, "flows"))
    form = DraftFlowForm(request.POST)
    if form.is_valid():
        try:
            services_structure.draft_flow_add(draft=draft, **form.cleaned_data)
        except services_structure.StructureInvalid as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The draft now has this information flow."))
            return redirect(_structure_url(draft, "flows"))
    return _flows_page(request, draft, form, status=422)


# ------------------------------------------------------------------ undo, conflicts


def _change(draft: Draft, kind: str, change_id: int):
    if kind not in KINDS:
        raise Http404("No such kind of change")
    return get_object_or_404(KINDS[kind], pk=change_id, draft=draft)


@require_POST
def draft_structure_undo(request: HttpRequest, pk: int, kind: str, change_id: int):
    draft = lookups.get_draft_for_edit(request.user, pk)
    change = _change(draft, kind, change_id)
    services_structure.draft_structure_undo(draft=draft, change=change)
    return redirect(_structure_url(draft, "flows" if kind == "flow" else "structure"))


def conflict_settle(request: HttpRequest, draft: Draft, kind: str, change_id: int):
    """pages.conflict_settle for a role, holding or flow (the draft already checked)."""
    change = _change(draft, kind, change_id)
    keep = "live" if request.POST.get("keep") == "live" else "draft"
    services_structure.draft_structure_settle(draft=draft, change=change, keep=keep)
    return redirect(draft)


# ------------------------------------------------------------------ lookups


def _role_options(draft: Draft, query: str, request: HttpRequest):
    matches = (
        Role.objects.filter(
            Q(title__icontains=query)
            | Q(department__name__icontains=query)
            | Q(department__code__iexact=query)
        )
        .select_related("department")
        .order_by("department__name", "title", "pk")
    )
    kept = {
        key: value
        for key in ("person", "from")
        if (value := _digits(request.GET.get(key))) is not None
    }
    suffix = f"?{urlencode(kept)}" if kept else ""

    def option(role: Role) -> dict:
        url = reverse("draft-role-change", args=[draft.pk, role.pk]) + suffix
        detail = role.department.name if role.active else f"{role.department.name} · {_('retired')}"
        return {"label": role.title, "detail": detail, "url": url}

    return matches, option


def _person_options(draft: Draft, query: str, request: HttpRequest):
    role = get_object_or_404(Role, pk=_digits(request.GET.get("role")))
    matches = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(profile__display_name__icontains=query)
            | Q(username__icontains=query)
            | Q(email__icontains=query)
        )
        .select_related("profile")
        .order_by("profile__display_name", "username")
    )

    def option(person) -> dict:
        url = reverse("draft-role-change", args=[draft.pk, role.pk]) + f"?person={person.pk}"
        return {"label": person.profile.name, "detail": person.username, "url": url}

    return matches, option


def _flow_options(draft: Draft, query: str, request: HttpRequest):
    matches = (
        InformationFlow.objects.filter(active=True)
        .filter(
            Q(information__icontains=query)
            | Q(from_department__name__icontains=query)
            | Q(to_department__name__icontains=query)
            | Q(from_department__code__iexact=query)
            | Q(to_department__code__iexact=query)
        )
        .select_related("from_department", "to_department")
        .order_by("from_department__name", "to_department__name", "information", "pk")
    )

    def option(flow: InformationFlow) -> dict:
        url = reverse("draft-flows", args=[draft.pk]) + f"?remove={flow.pk}"
        detail = f"{flow.from_department.code} → {flow.to_department.code} · {flow.channel_label}"
        return {"label": flow.information, "detail": detail, "url": url}

    return matches, option


LOOKUPS = {"roles": _role_options, "people": _person_options, "flows": _flow_options}


@require_GET
def draft_lookup(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Roles, people or flows matching what was typed, a page at a time: options for the
    combobox (htmx), or a small page of links without JavaScript."""
    draft = lookups.get_draft_for_edit(request.user, pk)
    if kind not in LOOKUPS:
        raise Http404("No such lookup")
    query = request.GET.get("q", "").strip()[:100]
    options, total = [], 0
    if query:
        matches, option = LOOKUPS[kind](draft, query, request)
        found = list(matches[:LOOKUP_LIMIT])  # a page, and a count only when it is full
        total = len(found) if len(found) < LOOKUP_LIMIT else matches.count()
        options = [option(match) for match in found]
    context = {
        "draft": draft,
        "kind": kind,
        "query": query,
        "options": options,
        "total": total,
        "more": total - len(options),
        "kept": {k: v for k, v in request.GET.items() if k in ("role", "person", "from")},
    }
    if request.htmx:
        return render(request, "drafts/lookup.html#options", context)
    return render(request, "drafts/lookup.html", context)
