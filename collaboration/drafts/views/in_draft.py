"""The department, role and findings pages in a draft (the live pages, through their
variants: orgmap.panels.PageVariant, responsibilities' FindingsVariant), a role's
description as the draft has it (PDF, DOCX) and a department's matrix as XLSX, both
marked as the draft's. Who may see the draft may see these."""

from __future__ import annotations

import functools
import tempfile

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from orgmap import panels, permissions
from orgmap.models import Department, Role
from orgmap.views.organisation import render_department, render_role
from responsibilities import role_documents
from responsibilities.views.findings import FindingsVariant, render_findings

from .. import lookups, pages_in_draft
from ..exports_xlsx import write_draft_xlsx
from ..findings_list import draft_findings_page
from ..models import Draft
from ..overlay import DraftState

TEMPLATE = "drafts/in_draft.html"


def _prefix(name: str, draft: Draft) -> str:
    """ "/drafts/N/…/" of a URL whose last argument is a code or id."""
    return reverse(name, args=[draft.pk, "0"]).removesuffix("0/")


def _url(draft: Draft, subject) -> str:
    if isinstance(subject, Department):
        return reverse("draft-department", args=[draft.pk, subject.code])
    if isinstance(subject, Role):
        return reverse("draft-role", args=[draft.pk, subject.pk])
    return subject.get_absolute_url()


def _context(state: DraftState, live_url: str) -> dict:
    return {"draft": state.draft, "impact": state.impact, "live_url": live_url}


def _department_actions(state: DraftState):
    def panel(request: HttpRequest, department: Department) -> str:
        context = {
            "draft": state.draft,
            "department": department,
            "finding_count": pages_in_draft.department_finding_count(state, department),
        }
        return render_to_string(f"{TEMPLATE}#department-actions", context, request)

    return panel


def _department_body(state: DraftState):
    def panel(request: HttpRequest, department: Department) -> str:
        context = {
            "draft": state.draft,
            "department": department,
            "lines": pages_in_draft.department_duties(state, department),
        }
        html = render_to_string(f"{TEMPLATE}#department-duties", context, request)
        # The routines' panels (meetings, goals…) are the same in a draft.
        return html + panels.render_slot("department", request, department)

    return panel


@require_GET
def draft_department(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    department = get_object_or_404(
        Department.objects.select_related("head", "parent"), code__iexact=code
    )
    state = DraftState.read(draft)
    variant = panels.PageVariant(
        banner="drafts/banner.html",
        url=functools.partial(_url, draft),
        panels={
            "department-actions": _department_actions(state),
            "department": _department_body(state),
        },
        context=_context(state, department.get_absolute_url()),
    )
    return render_department(request, department, variant)


def _role_panels(state: DraftState) -> dict:
    def actions(request: HttpRequest, role: Role) -> str:
        context = {
            "draft": state.draft,
            "role": role,
            # The role's changes and holders in the draft: views/structure.py.
            "can_edit": permissions.can_edit_draft(request.user, state.draft),
        }
        return render_to_string(f"{TEMPLATE}#role-actions", context, request)

    def body(request: HttpRequest, role: Role) -> str:
        description = pages_in_draft.role_description(state, role)
        duty_ids = {a.duty_id for group in description.groups for a in group.assignments}
        duty_ids |= {c.duty_id for c in state.cells if c.role_id == role.pk}
        context = {
            "draft": state.draft,
            "role": role,
            "description": description,
            "load": pages_in_draft.role_load(state, role),
            "findings": pages_in_draft.role_findings(state, role, duty_ids),
            "matrix_prefix": _prefix("draft-matrix", state.draft),
        }
        return render_to_string(f"{TEMPLATE}#role-body", context, request)

    # The role's facts panels (its confirmations) are live actions, not the draft's.
    return {"role-actions": actions, "role-facts": lambda request, role: "", "role": body}


@require_GET
def draft_role(request: HttpRequest, pk: int, role_id: int) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    role = get_object_or_404(
        Role.objects.select_related("department", "reports_to__department"), pk=role_id
    )
    state = DraftState.read(draft)
    variant = panels.PageVariant(
        banner="drafts/banner.html",
        url=functools.partial(_url, draft),
        panels=_role_panels(state),
        context=_context(state, role.get_absolute_url()),
    )
    return render_role(request, role, variant)


@require_GET
def draft_findings(request: HttpRequest, pk: int) -> HttpResponse:
    draft = lookups.get_draft_for_view(request.user, pk)
    state = DraftState.read(draft)
    live = reverse("findings")
    if request.GET:
        live += "?" + request.GET.urlencode()
    variant = FindingsVariant(
        read=functools.partial(draft_findings_page, state.impact),
        department_url=lambda code: reverse("draft-department", args=[draft.pk, code]),
        matrix_prefix=_prefix("draft-matrix", draft),
        banner="drafts/banner.html",
        context={**_context(state, live), "role_prefix": _prefix("draft-role", draft)},
    )
    return render_findings(request, variant)


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _document_name(draft: Draft, role: Role, extension: str) -> str:
    name = role_documents.document_filename(role, extension).removesuffix(f".{extension}")
    return f"{name}-DRAFT-{slugify(draft.name) or draft.pk}.{extension}"


@require_GET
def draft_role_document(request: HttpRequest, pk: int, role_id: int, fmt: str) -> HttpResponse:
    """The role's description as the draft has it, marked "DRAFT: name" in the
    document and in its file name."""
    if fmt not in DOCUMENT_TYPES:
        raise Http404("No such format")
    draft = lookups.get_draft_for_view(request.user, pk)
    role = get_object_or_404(
        Role.objects.select_related("department", "reports_to__department"), pk=role_id
    )
    description = pages_in_draft.role_description(DraftState.read(draft), role)
    try:
        if fmt == "pdf":
            content = role_documents.role_description_pdf(description)
        else:
            content = role_documents.role_description_docx(description)
    except role_documents.PdfRenderError:
        message = _("The PDF could not be made in time. Please try again, or download the DOCX.")
        return render(
            request, "responsibilities/export_failed.html", {"message": message}, status=503
        )
    response = HttpResponse(content, content_type=DOCUMENT_TYPES[fmt])
    filename = _document_name(draft, role, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def draft_matrix_xlsx(request: HttpRequest, pk: int, code: str) -> FileResponse:
    """The department's matrix as the draft has it, as XLSX marked as the draft's."""
    draft = lookups.get_draft_for_view(request.user, pk)
    department = get_object_or_404(Department, code__iexact=code)
    state = DraftState.read(draft)
    # Written to a temporary file, not memory: FileResponse streams it and closes it.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by FileResponse
    try:
        write_draft_xlsx(state, department, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    name = slugify(draft.name) or f"draft-{draft.pk}"
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"{department.code}-matrix-DRAFT-{name}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
