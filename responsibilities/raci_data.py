"""The plain data of the findings engine: the facts its rules judge (a duty with its
accountable and responsible roles, a role's load, a group of duties sharing a title) and
the findings they produce. Frozen dataclasses, free of the ORM; raci.py re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoleRef:
    id: int
    title: str
    department_id: int
    department_code: str
    active: bool
    vacant: bool  # no current holder


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
