"""RACI letters and duty titles as people type them: reading a letter from a form or a
spreadsheet, and the keys under which two duty titles name the same duty or the same
work. The findings engine (raci.py) builds on these; it re-exports them as part of its
interface (raci.LETTERS, raci.parse_letter, ...).
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

# Letters, as stored. "AR" (shown "A/R") is a role that is accountable and also does the work.
R = "R"
A = "A"
C = "C"
I = "I"  # noqa: E741 - the RACI letter itself
AR = "AR"
LETTERS = (R, A, C, I, AR)
LETTER_LABELS = {R: "R", A: "A", C: "C", I: "I", AR: "A/R"}
ACCOUNTABLE_LETTERS = frozenset({A, AR})
RESPONSIBLE_LETTERS = frozenset({R, AR})

# Spellings people type in forms and spreadsheets, after spaces are removed and upper-cased.
_SPELLINGS = {"R": R, "A": A, "C": C, "I": I, "AR": AR, "RA": AR, "A/R": AR, "R/A": AR}


class UnknownLetter(ValueError):
    """Text that is no RACI letter. Callers choose their message by `code`, never by
    this exception's text (which is translated)."""

    code = "unknown_letter"

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            _('"%(value)s" is not a RACI letter: use R, A, C, I or A/R, or leave it empty.')
            % {"value": quote(value)}
        )


def quote(text: str, limit: int = 100) -> str:
    """A user's text to show in a message: at most `limit` characters, then an ellipsis,
    so that a 60 KB spreadsheet cell never becomes a 60 KB problem line."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_letter(text: str) -> str | None:
    """Read a letter as typed; "" or "-" mean the cell is empty.

    NFKC first, so full-width input from a Chinese IME ("Ａ／Ｒ") reads like ASCII.
    """
    compact = "".join(unicodedata.normalize("NFKC", text).split()).upper()
    if compact in ("", "-"):
        return None
    try:
        return _SPELLINGS[compact]
    except KeyError:
        raise UnknownLetter(text.strip()) from None


def duty_identity(title: str) -> str:
    """Key under which two titles name the same duty of one department or project:
    the text itself, ignoring case, width variants and spacing. Punctuation counts:
    real task lists hold distinct tasks that differ by a comma."""
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def normalise_title(title: str) -> str:
    """Key under which two duty titles count as the same work (DUPLICATE_DUTY).

    Punctuation is dropped rather than turned into spaces, because Chinese titles
    have no spaces to fall back on ("编制、审核" must equal "编制审核").
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(text.split())
