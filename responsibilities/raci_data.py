"""The vocabulary of the findings engine: the rule codes with their severity and reading
order, the facts the rules judge (a duty with its accountable and responsible roles, a
role's load, a group of duties sharing a title), the findings they produce, and their
order. Frozen dataclasses, free of the ORM; raci.py (the rules) re-exports them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity:
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


NO_ACCOUNTABLE = "NO_ACCOUNTABLE"
MULTIPLE_ACCOUNTABLE = "MULTIPLE_ACCOUNTABLE"
NO_RESPONSIBLE = "NO_RESPONSIBLE"
VACANT_ACCOUNTABLE = "VACANT_ACCOUNTABLE"
VACANT_RESPONSIBLE = "VACANT_RESPONSIBLE"
INACTIVE_ROLE_ASSIGNED = "INACTIVE_ROLE_ASSIGNED"
CROSS_DEPARTMENT_DUPLICATE = "CROSS_DEPARTMENT_DUPLICATE"
DUPLICATE_DUTY = "DUPLICATE_DUTY"
ROLE_OVERLOADED = "ROLE_OVERLOADED"
ROLE_WITHOUT_DUTIES = "ROLE_WITHOUT_DUTIES"
MISSING_HANDOFF = "MISSING_HANDOFF"
UNCONFIRMED_ACCOUNTABILITY = "UNCONFIRMED_ACCOUNTABILITY"

# Rule code -> severity. The order is the reading order within a department (most severe
# first, duty rules before role rules) and is part of the interface: analyse() sorts by it.
RULES: dict[str, str] = {
    NO_ACCOUNTABLE: Severity.ERROR,
    MULTIPLE_ACCOUNTABLE: Severity.ERROR,
    NO_RESPONSIBLE: Severity.ERROR,
    VACANT_ACCOUNTABLE: Severity.WARNING,
    VACANT_RESPONSIBLE: Severity.WARNING,
    INACTIVE_ROLE_ASSIGNED: Severity.WARNING,
    CROSS_DEPARTMENT_DUPLICATE: Severity.WARNING,
    DUPLICATE_DUTY: Severity.WARNING,
    MISSING_HANDOFF: Severity.WARNING,
    # A new rule shifts the reading keys of the rules after it: stored findings get
    # theirs rewritten by a migration (responsibilities 0014).
    UNCONFIRMED_ACCOUNTABILITY: Severity.WARNING,
    ROLE_OVERLOADED: Severity.WARNING,
    ROLE_WITHOUT_DUTIES: Severity.INFO,
}
_RULE_ORDER = {code: index for index, code in enumerate(RULES)}


@dataclass(frozen=True)
class RoleRef:
    id: int
    title: str
    department_id: int
    department_code: str
    active: bool
    vacant: bool  # no current holder
    # A holder's confirmation of the role description is past its due date
    # (responsibilities/attestation); read with the role's cells. An input of the
    # rules, not part of what a finding says (stored findings do not keep it).
    unconfirmed: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class DutyFacts:
    id: int
    title: str
    department_id: int
    department_code: str
    project_id: int | None
    project_code: str | None
    active: bool
    accountable: tuple[RoleRef, ...]  # roles assigned A or AR
    responsible: tuple[RoleRef, ...]  # roles assigned R or AR (an AR role is in both)
    inactive_assigned: tuple[RoleRef, ...]  # roles with any letter whose role is inactive
    head_role: RoleRef | None  # the owning department's head role, for suggestions


@dataclass(frozen=True)
class RoleLoad:
    role: RoleRef
    assignments: int  # any letter, on active duties
    accountable_or_responsible: int  # A, R or AR on active duties; AR counts once


@dataclass(frozen=True)
class DutyRef:
    id: int
    title: str
    department_id: int
    department_code: str


@dataclass(frozen=True)
class DuplicateTitle:
    key: str  # normalise_title() of the titles
    duties: tuple[DutyRef, ...]  # active, non-project duties sharing the key


@dataclass(frozen=True)
class Fix:
    """The one matrix cell whose change resolves a finding; letter None clears the cell."""

    duty_id: int
    role_id: int
    letter: str | None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    department_id: int
    department_code: str
    project_id: int | None
    project_code: str | None
    duty_id: int | None
    duty_title: str | None
    roles: tuple[RoleRef, ...]
    message: str
    suggestion: str
    fix: Fix | None = None

    def as_dict(self) -> dict:
        """Flat, JSON-ready shape for exports and the API; ids of roles stay internal."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "department": self.department_code,
            "project": self.project_code,
            "duty": self.duty_title,
            "duty_id": self.duty_id,
            "roles": [role.title for role in self.roles],
            "message": self.message,
            "suggestion": self.suggestion,
        }


def title_key(title: str) -> tuple[str, str]:
    return (title.casefold(), title)


def _sort_key(finding: Finding) -> tuple:
    first_role = finding.roles[0].title if finding.roles else ""
    return (
        finding.department_code,
        _RULE_ORDER[finding.rule],
        title_key(finding.duty_title or ""),
        title_key(first_role),
        finding.duty_id or 0,
        tuple(role.id for role in finding.roles),
    )


_KEY_SEPARATOR = "\x01"  # below every character a title or code holds


def reading_key(finding: Finding) -> str:
    """sort_findings()'s order as one string, so that a database can page stored
    findings in it: two keys compare, character by character (code point order, a
    binary collation), as their findings do in sort_findings()."""
    first_role = finding.roles[0].title if finding.roles else ""
    title = finding.duty_title or ""
    return _KEY_SEPARATOR.join(
        (
            finding.department_code,
            f"{_RULE_ORDER[finding.rule]:02d}",
            *title_key(title),
            *title_key(first_role),
            f"{finding.duty_id or 0:012d}",
            ",".join(f"{role.id:012d}" for role in finding.roles),
        )
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """In analyse()'s order: stored findings are read back in this order."""
    return sorted(findings, key=_sort_key)


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Count per rule code, in RULES order, leaving out rules with nothing to report."""
    counts = Counter(finding.rule for finding in findings)
    return {code: counts[code] for code in RULES if counts[code]}
