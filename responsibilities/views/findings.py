"""The findings page: a scope's stored findings, a page at a time, with their summary.
A `FindingsVariant` shows the same page other than live (in a draft)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from orgmap.models import Department, Project

from .. import raci, selectors

FINDINGS_PER_PAGE = 200


@dataclass
class FindingsVariant:
    """The findings page with other findings than the stored ones (a draft's,
    collaboration/drafts): `read` gives the page of findings in place of
    selectors.stored_findings_page (same arguments), `department_url` and
    `matrix_prefix` where its links go ("<prefix><code>/" for a matrix), `banner` a
    template shown above it. The live page's filters and template stay the same."""

    read: Callable[..., selectors.FindingsPage]
    department_url: Callable[[str], str]
    matrix_prefix: str
    banner: str
    context: dict = field(default_factory=dict)


def _grouped(
    findings: list[raci.Finding], departments: list[Department], variant: FindingsVariant | None
) -> list[dict]:
    """A page's findings by department, then by rule, in the page's order."""
    groups: dict[str, dict[str, list[raci.Finding]]] = {}
    for finding in findings:
        groups.setdefault(finding.department_code, {}).setdefault(finding.rule, []).append(finding)
    names = {department.code: department.name for department in departments}
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "url": variant.department_url(code)
            if variant
            else reverse("department-detail", args=[code]),
            "matrix_url": f"{variant.matrix_prefix}{code}/"
            if variant
            else reverse("department-matrix", args=[code]),
            "count": sum(len(items) for items in rules.values()),
            "rules": [{"rule": rule, "findings": items} for rule, items in rules.items()],
        }
        for code, rules in groups.items()
    ]


@require_GET
def findings_page(request: HttpRequest) -> HttpResponse:
    return render_findings(request)


def render_findings(request: HttpRequest, variant: FindingsVariant | None = None) -> HttpResponse:
    """The findings page: live, or a `variant`'s findings."""
    department = project = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
    if code := request.GET.get("project"):
        project = get_object_or_404(Project, code__iexact=code)
    rule = request.GET.get("rule", "")
    severity = request.GET.get("severity", "")
    # A large organisation has thousands of findings: the database sorts and cuts the
    # page; the summary (one aggregate) gives the counts and the total.
    read = variant.read if variant is not None else selectors.stored_findings_page
    found = read(
        selectors.Scope(department=department, project=project),
        rule=rule,
        severity=severity,
        page_number=request.GET.get("page") or 1,
        per_page=FINDINGS_PER_PAGE,
    )
    departments = list(Department.objects.order_by("name"))
    context = {
        "groups": _grouped(found.page.object_list, departments, variant),
        "page": found.page,
        "total": found.total,
        "summary": found.summary,
        "rules": list(raci.RULES),
        "departments": departments,
        "projects": list(Project.objects.order_by("name")),
        "department": department,
        "project": project,
        "rule": rule,
        "severity": severity,
        "matrix_prefix": variant.matrix_prefix if variant else "",
        "role_prefix": "",  # a draft's (its context below); named: a missing one costs
    }
    if variant is not None:
        context |= {**variant.context, "variant": variant}
    return render(request, "responsibilities/findings.html", context)
