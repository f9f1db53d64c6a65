"""Computing stored findings: what raci's rules need about some duties and roles, read
in a constant number of queries; the rules run once per site language; Finding rows with
the messages in every language. Used by findings_store (a write's refresh) and
findings_rebuild (everything from scratch)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from . import findings_facts, raci
from .models import Assignment, Duty, Finding


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


# ------------------------------------------------------------------ computing


@dataclass
class Inputs:
    duties: list[dict]
    cells: list[dict]
    head_roles: dict[int, raci.RoleRef]
    loads: list[raci.RoleLoad]
    duplicates: list[raci.DuplicateTitle]


def duty_rows(duty_ids: set[int], department_ids: set[int]) -> list[dict]:
    if not duty_ids and not department_ids:
        return []
    return list(
        Duty.objects.filter(Q(pk__in=duty_ids) | Q(department_id__in=department_ids)).values(
            "pk",
            "title",
            "department_id",
            "department__code",
            "project_id",
            "project__code",
            "active",
            "frequency",
            "department__head_id",
        )
    )


def cells(duty_ids: set[int]) -> list[dict]:
    if not duty_ids:
        return []
    return list(
        findings_facts.with_role_facts(Assignment.objects.filter(duty_id__in=duty_ids)).values(
            "duty_id", "role_id", "letter", "version", *findings_facts.RULE_ROLE_VALUES
        )
    )


def duplicate_groups(match_keys: set[str]) -> list[raci.DuplicateTitle]:
    """The groups of active department duties sharing each key (one query)."""
    keys = {key for key in match_keys if key}
    if not keys:
        return []
    groups: dict[str, list[raci.DutyRef]] = defaultdict(list)
    rows = (
        Duty.objects.filter(active=True, project__isnull=True, match_key__in=keys)
        .values("pk", "title", "department_id", "department__code", "match_key")
        .order_by("pk")
    )
    for row in rows:
        groups[row["match_key"]].append(
            raci.DutyRef(
                id=row["pk"],
                title=row["title"],
                department_id=row["department_id"],
                department_code=row["department__code"],
            )
        )
    return [raci.DuplicateTitle(key=key, duties=tuple(refs)) for key, refs in groups.items()]


def _crosses_departments(duty: raci.DutyFacts) -> bool:
    """Whether the hand-off rule needs the connected department pairs for this duty."""
    if not duty.active:
        return False
    a_departments = {role.department_id for role in duty.accountable if role.active}
    r_departments = {role.department_id for role in duty.responsible if role.active}
    return any(a != r for a in a_departments for r in r_departments)


def evaluate(inputs: Inputs, *, pairs=None) -> list[raci.Finding]:
    """raci's rules over the inputs, in the active language. `pairs` reads the connected
    department pairs when a duty needs them (callers evaluating several times pass one
    that reads them once)."""
    facts = findings_facts.Facts(
        duties=inputs.duties,
        assignments=inputs.cells,
        head_roles=inputs.head_roles,
        loads=[],
        duplicates=[],
        flow_pairs=frozenset(),
    )
    duties = findings_facts.duty_facts(facts)
    connected: frozenset[frozenset[int]] = frozenset()
    if any(_crosses_departments(duty) for duty in duties):
        connected = (pairs or findings_facts.connected_pairs)()  # two small queries, if needed
    limit = findings_facts.overload_limit()
    found = [f for duty in duties for f in raci.duty_findings(duty)]
    found += [f for duty in duties for f in raci.handoff_findings(duty, connected)]
    found += [f for load in inputs.loads for f in raci.role_findings(load, overload_limit=limit)]
    found += [f for group in inputs.duplicates for f in raci.duplicate_findings(group)]
    return found


def in_every_language(compute) -> tuple[list[raci.Finding], dict[str, list[raci.Finding]]]:
    """Run `compute` once per site language. Returns the findings in the default
    language (for comparisons) and the lists by language (for the stored texts)."""
    by_language = {}
    for language in _languages():
        with translation.override(language):
            by_language[language] = compute()
    return by_language[settings.LANGUAGE_CODE], by_language


def _identity(finding: raci.Finding) -> tuple:
    return (finding.rule, finding.duty_id, tuple(role.id for role in finding.roles))


def rows(by_language: dict[str, list[raci.Finding]]) -> list[Finding]:
    """Finding rows from the same findings computed in each language."""
    base = by_language[settings.LANGUAGE_CODE]
    rows = []
    for index, finding in enumerate(base):
        texts = {}
        for language, found in by_language.items():
            translated = found[index]
            # The rules are deterministic and their order never depends on the language.
            assert _identity(translated) == _identity(finding), "findings differ by language"
            texts[language] = [translated.message, translated.suggestion]
        fix = finding.fix
        rows.append(
            Finding(
                rule=finding.rule,
                severity=finding.severity,
                department_id=finding.department_id,
                project_id=finding.project_id,
                duty_id=finding.duty_id,
                role_id=finding.roles[0].id if finding.duty_id is None else None,
                department_code=finding.department_code,
                project_code=finding.project_code or "",
                duty_title=finding.duty_title or "",
                roles=[
                    [r.id, r.title, r.department_id, r.department_code, r.active, r.vacant]
                    for r in finding.roles
                ],
                fix=[fix.duty_id, fix.role_id, fix.letter] if fix else None,
                texts=texts,
                sort_key=raci.reading_key(finding),
            )
        )
    return rows
