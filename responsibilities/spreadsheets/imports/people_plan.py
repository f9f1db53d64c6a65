"""What a people import would do: the plan, and the names it makes for new things."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from orgmap.models import Department, Role

from .common import DEPARTMENT_CODE_MAX, Problem

PEOPLE_COLUMNS = ("email", "name", "department", "role")
PEOPLE_OPTIONAL_COLUMNS = ("parent_department", "manager_email", "active")


def department_code_for(name: str, taken: set[str]) -> str:
    """A readable code for a new department: the significant words of its name,
    upper-cased and joined by hyphens, as many as fit ("Architecture and
    Engineering" → ARCHITECTURE-ENGINEERING); -2, -3 … when already taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [w.upper() for w in re.split(r"[^A-Za-z0-9]+", ascii_name) if w]
    words = [w for w in words if w not in {"AND", "OF", "THE", "FOR"}] or words
    room = DEPARTMENT_CODE_MAX - 3  # keep room for a "-NN" suffix
    code = ""
    for word in words:
        candidate = f"{code}-{word}" if code else word[:room]
        if len(candidate) > room:
            break
        code = candidate
    code = code or "DEPT"  # e.g. a name in Chinese characters only
    unique, counter = code, 2
    while unique.casefold() in taken:
        unique, counter = f"{code}-{counter}", counter + 1
    taken.add(unique.casefold())
    return unique


def username_for(email: str, taken: set[str]) -> str | None:
    """The part of the address before the @ when it is free, else the whole address."""
    local = re.sub(r"[^\w.@+-]", "", email.split("@", 1)[0].casefold())
    for candidate in (local, email.casefold()):
        if candidate and len(candidate) <= 150 and candidate not in taken:
            taken.add(candidate)
            return candidate
    return None


@dataclass
class PersonEntry:
    email: str
    name: str
    row: int
    user: AbstractBaseUser | None = None  # an existing account, or the one to create
    username: str = ""
    created: bool = False
    renamed_from: str | None = None


@dataclass
class PeoplePlan:
    rows: int
    problems: list[Problem] = field(default_factory=list)
    new_departments: list[Department] = field(default_factory=list)
    parent_changes: list[tuple[Department, Department]] = field(default_factory=list)
    new_roles: list[Role] = field(default_factory=list)
    active_changes: list[tuple[Role, bool]] = field(default_factory=list)
    manager_changes: list[tuple[Role, Role]] = field(default_factory=list)
    new_people: list[PersonEntry] = field(default_factory=list)
    renamed_people: list[PersonEntry] = field(default_factory=list)
    new_holdings: list[tuple[Role, PersonEntry]] = field(default_factory=list)
    vacant_rows: int = 0
    # Changes to what exists already, counted when planned (new departments and roles
    # get their parent, manager and flag when they are created).
    departments_moved: int = 0
    roles_updated: int = 0
    applied: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def has_changes(self) -> bool:
        return any(
            (
                self.new_departments,
                self.parent_changes,
                self.new_roles,
                self.active_changes,
                self.manager_changes,
                self.new_people,
                self.renamed_people,
                self.new_holdings,
            )
        )

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "departments_created": len(self.new_departments),
            "departments_moved": self.departments_moved,
            "roles_created": len(self.new_roles),
            "roles_updated": self.roles_updated,
            "people_created": len(self.new_people),
            "people_renamed": len(self.renamed_people),
            "holdings_created": len(self.new_holdings),
            "open_positions": self.vacant_rows,
        }
