"""What the RACI and people imports share: headers, problems, department lookup."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from orgmap.models import Department, Role

from ... import raci
from ...models import Duty
from ..sheets import Table, column_letter

LONG = "long"
WIDE = "wide"

DUTY_TITLE_MAX = Duty._meta.get_field("title").max_length
ROLE_TITLE_MAX = Role._meta.get_field("title").max_length
DEPARTMENT_NAME_MAX = Department._meta.get_field("name").max_length
DEPARTMENT_CODE_MAX = Department._meta.get_field("code").max_length

# Header names, compared after _header_key(); the Chinese ones are what a zh-hans user
# of the exported template is likely to type.
DEPARTMENT_HEADERS = {"department", "部门"}
PROJECT_HEADERS = {"project", "项目"}
LONG_MARKERS = {"role", "letter", "role_department", "角色"}

MayImport = Callable[[int, int | None], bool]


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _clean(text: str) -> str:
    """Whitespace collapsed, as the forms store titles."""
    return " ".join(text.split())


def _fold(text: str) -> str:
    return _clean(unicodedata.normalize("NFKC", text)).casefold()


# How much of a cell a problem line quotes, and how long a whole message may grow.
QUOTE_MAX = 100
MESSAGE_MAX = 400
_QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")


def shorten_quotes(message: str) -> str:
    """Each quoted value cut to QUOTE_MAX characters, then the message to MESSAGE_MAX
    (for the values that are not quoted), with an ellipsis where text was cut."""

    def cut(match: re.Match) -> str:
        if match.group(1) is not None:
            return "“" + raci.quote(match.group(1), QUOTE_MAX) + "”"
        return '"' + raci.quote(match.group(2), QUOTE_MAX) + '"'

    return raci.quote(_QUOTED.sub(cut, message), MESSAGE_MAX)


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported, where it is in the file."""

    row: int | None
    column: str  # spreadsheet column letter; "" when about the file or a whole row
    field: str  # that column's header, as written in the file
    message: str

    def __post_init__(self) -> None:
        # Messages quote the file's cells; a 60 KB cell must not make a 60 KB line.
        object.__setattr__(self, "field", raci.quote(self.field, QUOTE_MAX))
        object.__setattr__(self, "message", shorten_quotes(self.message))

    def location(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where = _("column %(column)s") % {"column": self.column}
            if self.field:
                where += f" ({self.field})"
            parts.append(where)
        elif self.field:
            parts.append(_("column “%(field)s”") % {"field": self.field})
        return ", ".join(parts)

    def __str__(self) -> str:
        location = self.location()
        return f"{location}: {self.message}" if location else self.message


class _Columns:
    """The header of a table, for naming problems by column."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.index: dict[str, int] = {}
        for position, text in enumerate(table.header):
            self.index.setdefault(_header_key(text), position)

    def find(self, *names: str) -> int | None:
        for name in names:
            if name in self.index:
                return self.index[name]
        return None

    def problem(self, row: int | None, position: int | None, message: str) -> Problem:
        if position is None:
            return Problem(row, "", "", message)
        header = self.table.header[position] if position < len(self.table.header) else ""
        return Problem(row, column_letter(position), header, message)


class _Departments:
    """Every department, found by code first, then by name (both case-insensitive)."""

    def __init__(self, departments: list[Department]) -> None:
        self.by_pk = {department.pk: department for department in departments}
        self.by_code = {_fold(department.code): department for department in departments}
        self.by_name: dict[str, list[Department]] = defaultdict(list)
        for department in departments:
            self.by_name[_fold(department.name)].append(department)

    def find(self, text: str) -> tuple[Department | None, str | None]:
        """(department, None) or (None, the problem)."""
        key = _fold(text)
        if key in self.by_code:
            return self.by_code[key], None
        named = self.by_name.get(key, [])
        if len(named) == 1:
            return named[0], None
        if named:
            return None, _(
                "Several departments are named “%(name)s”; write the code instead (%(codes)s)."
            ) % {"name": text, "codes": ", ".join(sorted(d.code for d in named))}
        return None, _(
            "Unknown department “%(name)s”: write the code (e.g. %(example)s) or the exact name of an existing department."
        ) % {
            "name": text,
            "example": next(iter(self.by_pk.values())).code if self.by_pk else "SALES",
        }


def _problem_order(problem: Problem) -> tuple:
    return (problem.row or 0, len(problem.column), problem.column)
