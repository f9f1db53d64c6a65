"""One row of a people file, its fields read and checked one by one (no database)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from ..sheets import SheetRow
from .common import DEPARTMENT_NAME_MAX, ROLE_TITLE_MAX, _clean

_YES = {"yes", "y", "true", "1", "active", "是"}
_NO = {"no", "n", "false", "0", "inactive", "否"}

Positions = dict[str, int | None]
# A problem with a row: the position of its column, and the message.
RowProblem = tuple[int | None, str]


@dataclass(frozen=True)
class PersonRow:
    email: str  # empty: an open position
    name: str
    department: str
    role: str
    active: bool | str | None  # None: the file does not say; "invalid": neither yes nor no
    manager_email: str
    parent_department: str


def _parse_active(text: str) -> bool | str | None:
    key = text.strip().casefold()
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    return "invalid"


def _address_problem(email: str) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not a valid email address.") % {"email": email}
    return None


def _person_problems(fields: PersonRow, positions: Positions) -> Iterator[RowProblem]:
    if fields.email:
        if message := _address_problem(fields.email):
            yield positions["email"], message
    elif fields.name:
        yield (
            positions["email"],
            _(
                "%(name)s has no email address: give one, or leave the name empty for an open position."
            )
            % {"name": fields.name},
        )


def _place_problems(fields: PersonRow, positions: Positions) -> Iterator[RowProblem]:
    if not fields.department:
        yield positions["department"], _("Give the department.")
    elif len(fields.department) > DEPARTMENT_NAME_MAX:
        yield (
            positions["department"],
            _("The department name is longer than %(max)s characters.")
            % {"max": DEPARTMENT_NAME_MAX},
        )
    if not fields.role:
        yield positions["role"], _("Give the role.")
    elif len(fields.role) > ROLE_TITLE_MAX:
        yield (
            positions["role"],
            _("The role title is longer than %(max)s characters.") % {"max": ROLE_TITLE_MAX},
        )


def _option_problems(
    fields: PersonRow, positions: Positions, active_text: str
) -> Iterator[RowProblem]:
    if fields.active == "invalid":
        yield positions["active"], _("“%(value)s” is not yes or no.") % {"value": active_text}
    if fields.manager_email and (message := _address_problem(fields.manager_email)):
        yield positions["manager_email"], message


def read_person_row(row: SheetRow, positions: Positions) -> tuple[PersonRow, list[RowProblem]]:
    """The row's fields, and every problem with them (in the order of the columns'
    meaning: person, place, options)."""
    active_text = row.get(positions["active"])
    fields = PersonRow(
        email=row.get(positions["email"]).strip(),
        name=_clean(row.get(positions["name"])),
        department=_clean(row.get(positions["department"])),
        role=_clean(row.get(positions["role"])),
        active=_parse_active(active_text),
        manager_email=row.get(positions["manager_email"]).strip(),
        parent_department=_clean(row.get(positions["parent_department"])),
    )
    problems = [
        *_person_problems(fields, positions),
        *_place_problems(fields, positions),
        *_option_problems(fields, positions, active_text),
    ]
    return fields, problems
