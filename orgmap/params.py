"""Reading numbers from query strings and forms without trusting them.

`str.isdigit()` is True for "²" and "١", which `int()` then refuses or reads as a
number nobody typed, and a 40-digit id overflows the database's integers: both
became 500s. Views read ids and versions through these helpers instead.
"""

from __future__ import annotations

import re

# 18 digits: below 2**63, so any value fits a BigAutoField without overflow.
_NUMBER = re.compile(r"[0-9]{1,18}")


def parse_number(text: object) -> int | None:
    """The non-negative integer written in ASCII digits in `text`, else None."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        return None
    return int(text)


def parse_numbers(values: list[str]) -> list[int]:
    """The values that are numbers (see parse_number), others dropped."""
    return [number for value in values if (number := parse_number(value)) is not None]
