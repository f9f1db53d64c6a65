"""Bounds on an XLSX upload, checked before openpyxl parses a byte of it.

openpyxl applies no limits of its own: a 1.5 MB workbook holding one huge cell
unpacks to gigabytes, and its streaming reader takes minutes over a sheet of a few
million tiny rows. So, with the zip archive's own directory and a byte-level scan:

1. the archive's declared uncompressed sizes (zipfile never inflates a member past
   its declared size, so the declaration is a true bound) against
   IMPORT_MAX_UNCOMPRESSED_BYTES, and its number of members;
2. the sheet's <dimension> (columns beyond the column limit are refused);
3. the sheet's rows, counted in its XML while it is inflated chunk by chunk (a few
   hundred megabytes a second, constant memory): more rows with cells than
   IMPORT_MAX_ROWS (plus the header) is refused before the sheet is parsed.

`inspect_xlsx` also says how many rows the sheet has, which decides whether an
upload is checked in the request or as a background job.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from posixpath import join, normpath

from defusedxml import ElementTree
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

DEFAULT_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 1_000
CHUNK = 1 << 20
EXCEL_MAX_ROWS = 1_048_576

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+(?::([A-Z]+)(\d+))?"')
_ROW_OPEN = re.compile(rb"<(?:\w+:)?row[\s>/]")
_EMPTY_ROW = re.compile(rb"<(?:\w+:)?row(?:\s[^>]*)?/>")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3})\d+\"")


class ArchiveTooLarge(Exception):
    """Raised with a message for the user (spreadsheets turns it into SpreadsheetError)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class XlsxFacts:
    sheet: str  # the member the rows are read from
    rows: int  # rows with at least one cell, header included
    dimension_rows: int | None
    # The rightmost column a cell is in (1 = A), whatever the dimension claims; None
    # when some cell gives no reference (its column is then its position).
    columns: int | None = None


def max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _sheet_member(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The worksheet spreadsheets._read_xlsx reads: the one named RACI, else the first."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # absent or unreadable: openpyxl will say the file is not a workbook
        workbook = rels = None
    if workbook is not None and rels is not None:
        targets = {
            rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")
        }
        sheets = [
            (sheet.get("name", ""), targets.get(sheet.get(f"{_REL}id"), ""))
            for sheet in workbook.iter(f"{_MAIN}sheet")
        ]
        chosen = next((s for s in sheets if s[0] == "RACI"), sheets[0] if sheets else None)
        if chosen and chosen[1]:
            target = chosen[1]
            path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
            if path in names:
                return path
    worksheets = sorted(
        name for name in names if name.startswith("xl/worksheets/") and name.endswith(".xml")
    )
    return worksheets[0] if worksheets else None


def inspect_xlsx(data_file, *, max_rows: int, max_columns: int) -> XlsxFacts | None:
    """Check the archive and count the sheet's rows; None if it is no workbook at all
    (openpyxl then gives its own answer). Raises ArchiveTooLarge past a limit."""
    try:
        archive = zipfile.ZipFile(data_file)
    except zipfile.BadZipFile:
        return None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ArchiveTooLarge(
                _("The workbook holds %(count)s files; a spreadsheet has far fewer.")
                % {"count": number_format(len(members), force_grouping=True)}
            )
        unpacked = sum(member.file_size for member in members)
        if unpacked > max_uncompressed_bytes():
            raise ArchiveTooLarge(
                _(
                    "The workbook unpacks to %(size)s; the largest accepted is %(limit)s. Split it into smaller files or save it as CSV."
                )
                % {
                    "size": filesizeformat(unpacked),
                    "limit": filesizeformat(max_uncompressed_bytes()),
                }
            )
        sheet = _sheet_member(archive, {member.filename for member in members})
        if sheet is None:
            return None
        return _count_rows(archive, sheet, max_rows=max_rows, max_columns=max_columns)


def _too_many_rows(max_rows: int) -> ArchiveTooLarge:
    return ArchiveTooLarge(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": number_format(max_rows, force_grouping=True)}
    )


def _count_rows(
    archive: zipfile.ZipFile, sheet: str, *, max_rows: int, max_columns: int
) -> XlsxFacts:
    rows = 0
    dimension_rows = None
    cells = referenced = 0
    rightmost = b""
    first = True
    carry = b""
    try:
        stream = archive.open(sheet)
    except (KeyError, zipfile.BadZipFile, NotImplementedError):
        return XlsxFacts(sheet=sheet, rows=0, dimension_rows=None)
    with stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (zipfile.BadZipFile, OSError, EOFError):
                break  # openpyxl reports the damage
            if not chunk and not carry:
                break
            text = carry + chunk
            if chunk:
                # Keep an unfinished tag for the next round, so none is counted twice or cut.
                cut = text.rfind(b"<")
                text, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
            else:
                carry = b""
            if first:
                first = False
                found = _DIMENSION.search(text)
                if found and found.group(1):
                    columns = _column_number(found.group(1).decode())
                    dimension_rows = int(found.group(2))
                    if columns > max_columns:
                        raise ArchiveTooLarge(
                            _("The sheet claims %(count)s columns; at most %(limit)s are read.")
                            % {"count": columns, "limit": max_columns}
                        )
            rows += len(_ROW_OPEN.findall(text)) - len(_EMPTY_ROW.findall(text))
            cells += len(_CELL_OPEN.findall(text))
            columns = _CELL_COLUMN.findall(text)
            referenced += len(columns)
            if columns:
                # Column letters order by length, then alphabetically: max() in C twice.
                widest = len(max(columns, key=len))
                rightmost = max(
                    rightmost, max(c for c in columns if len(c) == widest), key=_column_key
                )
            # The header row plus max_rows rows of data.
            if rows > max_rows + 1:
                raise _too_many_rows(max_rows)
            if not chunk:
                break
    if dimension_rows is not None and dimension_rows > EXCEL_MAX_ROWS:
        dimension_rows = None  # a lie; the count above is what counts
    columns_used = None
    if cells == referenced:
        columns_used = _column_number(rightmost.decode()) if rightmost else 0
    return XlsxFacts(sheet=sheet, rows=rows, dimension_rows=dimension_rows, columns=columns_used)


def _column_key(letters: bytes) -> tuple[int, bytes]:
    return len(letters), letters
