"""The findings of a scope as a draft has them: the stored findings, with those the
draft closes left out and those it opens added, in raci's order, a page at a time.

Only the duties and roles whose findings the draft changes (its impact's opened and
closed findings) are read apart: the database pages the other stored findings as live
(selectors.stored_findings_slice, without those duties and roles), and the few
findings of the changed ones, as the draft has them, are merged into that page by
their reading keys. A constant number of queries, whatever the organisation's size.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q

from responsibilities import raci, selectors

from .impact import Impact, identity


class _CountedPaginator(Paginator):
    def __init__(self, count: int, per_page: int) -> None:
        super().__init__((), per_page)
        self.count = count  # replaces the cached_property


def _passes(finding: raci.Finding, scope: selectors.Scope, rule: str, severity: str) -> bool:
    if scope.project is not None and finding.project_id != scope.project.pk:
        return False
    in_department = scope.department is None or finding.department_id == scope.department.pk
    if scope.project is None and not in_department:
        return False
    return (not rule or finding.rule == rule) and (not severity or finding.severity == severity)


def changed_findings(impact: Impact) -> tuple[set[int], set[int], list[raci.Finding]]:
    """(duty ids, role ids) whose findings the draft changes, and all their findings as
    the draft has them (stored ones it keeps, plus those it opens): one query."""
    duty_ids = {f.duty_id for f in impact.opened + impact.closed if f.duty_id is not None}
    role_ids = {f.roles[0].id for f in impact.opened + impact.closed if f.duty_id is None}
    if not (duty_ids or role_ids):
        return duty_ids, role_ids, []
    closed = {identity(finding) for finding in impact.closed}
    stored = selectors.stored_findings(duty_ids=duty_ids, role_ids=role_ids)
    kept = [finding for finding in stored if identity(finding) not in closed]
    return duty_ids, role_ids, kept + list(impact.opened)


def draft_summary(scope: selectors.Scope, impact: Impact) -> dict[str, int]:
    """A scope's counts per rule with the draft's opened and closed findings counted."""
    counts = dict(selectors.stored_summary(scope))
    for finding in impact.opened:
        if _passes(finding, scope, "", ""):
            counts[finding.rule] = counts.get(finding.rule, 0) + 1
    for finding in impact.closed:
        if _passes(finding, scope, "", ""):
            counts[finding.rule] = counts.get(finding.rule, 0) - 1
    return {code: counts[code] for code in raci.RULES if counts.get(code, 0) > 0}


def draft_findings_page(
    impact: Impact,
    scope: selectors.Scope,
    *,
    rule: str = "",
    severity: str = "",
    page_number: str | int | None = 1,
    per_page: int = 200,
) -> selectors.FindingsPage:
    """selectors.stored_findings_page() as the draft has it: four queries."""
    duty_ids, role_ids, changed = changed_findings(impact)
    extra = sorted(
        ((raci.reading_key(f), f) for f in changed if _passes(f, scope, rule, severity)),
        key=lambda pair: pair[0],
    )
    summary = draft_summary(scope, impact)
    total = sum(
        count
        for code, count in summary.items()
        if (not rule or code == rule) and (not severity or raci.RULES[code] == severity)
    )
    paginator = _CountedPaginator(total, per_page)
    number = paginator.get_page(page_number).number  # a number in range, as live
    start, stop = (number - 1) * per_page, number * per_page
    # A stored finding at position i of the rest is at most len(extra) places later on
    # the merged list: those before `offset` are on earlier pages.
    offset = max(0, start - len(extra))
    exclude = Q(duty_id__in=duty_ids) | Q(role_id__in=role_ids, duty__isnull=True)
    rest = selectors.stored_findings_slice(
        scope, rule=rule, severity=severity, exclude=exclude, start=offset, stop=stop
    )
    before = 0
    if offset and rest:
        # The changed findings before the first one read are on earlier pages too.
        before = sum(1 for pair in extra if pair[0] < rest[0][0])
        extra = extra[before:]
    merged = sorted(rest + extra, key=lambda pair: pair[0])
    first = start - offset - before  # merged[i] is at offset + before + i on the list
    findings = [finding for _key, finding in merged[first : first + per_page]]
    return selectors.FindingsPage(
        page=Page(findings, number, paginator), summary=summary, total=total
    )
