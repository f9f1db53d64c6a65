"""The findings page: a scope's stored findings, a page at a time, with their summary."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from orgmap.models import Department, Project

from .. import raci, selectors

FINDINGS_PER_PAGE = 200


def _grouped(findings: list[raci.Finding], departments: list[Department]) -> list[dict]:
    """A page's findings by department, then by rule, in the page's order."""
    groups: dict[str, dict[str, list[raci.Finding]]] = {}
    for finding in findings:
        groups.setdefault(finding.department_code, {}).setdefault(finding.rule, []).append(finding)
    names = {department.code: department.name for department in departments}
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "count": sum(len(items) for items in rules.values()),
            "rules": [{"rule": rule, "findings": items} for rule, items in rules.items()],
        }
        for code, rules in groups.items()
    ]


@require_GET
def findings_page(request: HttpRequest) -> HttpResponse:
    department = project = None
    if code := request.GET.get("department"):
        department = get_object_or_404(Department, code__iexact=code)
    if code := request.GET.get("project"):
        project = get_object_or_404(Project, code__iexact=code)
    rule = request.GET.get("rule", "")
    severity = request.GET.get("severity", "")
    # A large organisation has thousands of findings: the database sorts and cuts the
    # page; the summary (one aggregate) gives the counts and the total.
    found = selectors.stored_findings_page(
        selectors.Scope(department=department, project=project),
        rule=rule,
        severity=severity,
        page_number=request.GET.get("page") or 1,
        per_page=FINDINGS_PER_PAGE,
    )
    departments = list(Department.objects.order_by("name"))
    return render(
        request,
        "responsibilities/findings.html",
        {
            "groups": _grouped(found.page.object_list, departments),
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
        },
    )
