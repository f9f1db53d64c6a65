"""Role descriptions: what a role is for and what it is R, A, C and I for, as a page
and as PDF and DOCX documents for HR."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from orgmap.models import Department, Role, RoleHolder

from . import raci
from .attestation.selectors import acceptance_record
from .attestation.versions import latest_versions
from .models import Assignment
from .pdf import PdfRenderError as PdfRenderError  # re-exported for the views
from .pdf import PdfRenderTimeout as PdfRenderTimeout
from .pdf import render_pdf, warm_up

# Latin text in DejaVu Sans (Debian's fonts-dejavu-core), Chinese text falling back to
# "Noto Sans CJK SC" (fonts-noto-cjk); the Dockerfile and .ci/run install both. Not the
# CJK font first: embedding a subset of that 20 MB font costs most of a document's
# time and size (1.08 s and 264 KB against 0.40 s and 11 KB per English role description,
# measured on a busy 2-core machine), so only documents with Chinese text pay for it.
PDF_FONT_FAMILY = '"DejaVu Sans", "Noto Sans CJK SC", "Noto Sans", sans-serif'


@dataclass
class DutyGroup:
    key: str
    label: str
    assignments: list[Assignment]


@dataclass
class Partner:
    department: Department
    reasons: list[str] = field(default_factory=list)


@dataclass
class RoleDescription:
    role: Role
    holders: list[RoleHolder]
    groups: list[DutyGroup]
    measures: list[Assignment]
    partners: list[Partner]
    generated_at: object = None
    # Documents only (attestation): the current version, and the acceptance record
    # when asked for (None: not shown).
    version: object = None
    acceptances: list | None = None
    # A description of something other than live (a draft's), shown on every page and
    # in the title: "" for live.
    watermark: str = ""

    @property
    def duty_count(self) -> int:
        return len({a.duty_id for group in self.groups for a in group.assignments})


def role_description(role: Role, *, assignments: list[Assignment] | None = None) -> RoleDescription:
    """Everything a role description shows, in four queries. `assignments`: the role's
    cells on active duties as something other than live has them (a draft's), by title."""
    holders = list(RoleHolder.objects.current().filter(role=role).select_related("person__profile"))
    if assignments is None:
        assignments = list(
            Assignment.objects.filter(role=role, duty__active=True)
            .select_related("duty__department", "duty__project")
            .order_by("duty__title")
        )
    letters = {
        "A": ("A", _("Accountable"), raci.ACCOUNTABLE_LETTERS),
        "R": ("R", _("Responsible"), raci.RESPONSIBLE_LETTERS),
        "C": ("C", _("Consulted"), {raci.C}),
        "I": ("I", _("Informed"), {raci.I}),
    }
    groups = [
        DutyGroup(key=key, label=label, assignments=[a for a in assignments if a.letter in members])
        for key, label, members in letters.values()
    ]
    measures = [a for a in assignments if a.letter != raci.I and a.duty.kpis]

    partners: dict[int, Partner] = {}

    def add(department: Department, reason: str) -> None:
        if department.pk == role.department_id:
            return
        partner = partners.setdefault(department.pk, Partner(department=department))
        if reason not in partner.reasons:
            partner.reasons.append(reason)

    for assignment in assignments:
        if assignment.letter in (raci.C, raci.I):
            add(
                assignment.duty.department,
                _("consulted on") if assignment.letter == raci.C else _("informed of"),
            )
    owned = [
        a.duty_id
        for a in assignments
        if a.letter in raci.ACCOUNTABLE_LETTERS | raci.RESPONSIBLE_LETTERS
    ]
    for other in (
        Assignment.objects.filter(duty_id__in=owned)
        .exclude(role=role)
        .select_related("role__department")
    ):
        add(other.role.department, _("shares duties with this role"))
    return RoleDescription(
        role=role,
        holders=holders,
        groups=groups,
        measures=measures,
        partners=sorted(partners.values(), key=lambda p: p.department.name),
        generated_at=timezone.now(),
    )


def load_role(pk: int) -> Role:
    return Role.objects.select_related("department", "reports_to__department").get(pk=pk)


def document_filename(role: Role, extension: str) -> str:
    slug = re.sub(r"[^\w]+", "-", f"{role.department.code} {role.title}", flags=re.UNICODE).strip(
        "-"
    )
    return f"role-description-{slug or role.pk}.{extension}"


# ---------------------------------------------------------------- PDF


def role_description_html(description: RoleDescription) -> str:
    return render_to_string(
        "responsibilities/role_description_document.html",
        {"d": description, "font_family": PDF_FONT_FAMILY},
    )


def role_description_pdf(description: RoleDescription) -> bytes:
    return render_pdf(role_description_html(description))


def warm_up_pdf() -> float:
    """Load the document font in this process ahead of the first PDF (seconds taken)."""
    return warm_up(PDF_FONT_FAMILY)


# ---------------------------------------------------------------- DOCX


def _docx_facts(description: RoleDescription) -> list[tuple]:
    role, version = description.role, description.version
    rows = [
        (_("Department"), role.department.name),
        (_("Reports to"), role.reports_to.title if role.reports_to else "—"),
        (
            _("Held by"),
            ", ".join(h.person.profile.name for h in description.holders) or _("vacant"),
        ),
        (_("Last reviewed"), str(role.last_reviewed_on or "—")),
        (_("Next review due"), str(role.next_review_due or "—")),
    ]
    if version is not None:
        value = _("version %(number)s") % {"number": version.number}
        rows.append((_("Description version"), f"{value} · {version.short_fingerprint}"))
    return rows


def role_description_docx(description: RoleDescription) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    role = description.role
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Noto Sans CJK SC"
    normal.font.size = Pt(10.5)
    # East Asian text takes its font from a separate attribute in Word.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    document.core_properties.title = role.title
    if description.watermark:
        document.core_properties.title = f"{description.watermark} · {role.title}"
        document.add_paragraph(description.watermark).runs[0].bold = True
    document.add_heading(role.title, level=0)
    facts = document.add_table(rows=0, cols=2)
    facts.style = "Light List"
    for label, value in _docx_facts(description):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = str(label), value
    document.add_heading(_("Purpose"), level=1)
    document.add_paragraph(role.purpose or _("No purpose written yet."))
    document.add_heading(_("Duties"), level=1)
    for group in description.groups:
        document.add_heading(f"{group.label} ({len(group.assignments)})", level=2)
        if not group.assignments:
            document.add_paragraph(_("None."))
        for assignment in group.assignments:
            where = assignment.duty.department.name
            if assignment.duty.project:
                where += f" · {assignment.duty.project.name}"
            document.add_paragraph(f"{assignment.duty.title} ({where})", style="List Bullet")
    if description.measures:
        document.add_heading(_("Measures"), level=1)
        for assignment in description.measures:
            document.add_paragraph(
                f"{assignment.duty.title}: {assignment.duty.kpis}", style="List Bullet"
            )
    if description.partners:
        document.add_heading(_("Works with"), level=1)
        for partner in description.partners:
            document.add_paragraph(
                f"{partner.department.name}: {', '.join(partner.reasons)}", style="List Bullet"
            )
    if description.acceptances is not None:
        _docx_acceptances(document, description.acceptances)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_acceptances(document, acceptances: list) -> None:
    document.add_heading(_("Acceptance record"), level=1)
    if not acceptances:
        document.add_paragraph(_("Nobody has answered yet."))
    for acceptance in acceptances:
        version = _("version %(number)s") % {"number": acceptance.version_number}
        when = timezone.localtime(acceptance.answered_at).strftime("%Y-%m-%d %H:%M")
        document.add_paragraph(
            f"{acceptance.person.profile.name}: {acceptance.get_answer_display()} · {version} "
            f"({acceptance.fingerprint[:12]}) · {when}",
            style="List Bullet",
        )


def render_document(
    role: Role, fmt: str, *, language: str | None = None, with_record: bool = False
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of one role description, with its current
    version and (`with_record`) who accepted which version when."""
    with translation.override(language or translation.get_language()):
        description = role_description(role)
        description.version = latest_versions({role.pk}).get(role.pk)
        if with_record:
            description.acceptances = acceptance_record(role)
        if fmt == "pdf":
            return (
                role_description_pdf(description),
                "application/pdf",
                document_filename(role, "pdf"),
            )
        content = role_description_docx(description)
    return (
        content,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        document_filename(role, "docx"),
    )
