"""Reading and writing spreadsheets safely: the one place that knows about CSV
dialects, XLSX parsing, upload limits and formula injection.

Imports get a `Table` (a header and numbered rows of text) or a `SpreadsheetError`
with a message fit to show the user; exports write every text cell through
`neutralise()`, so a duty titled "=HYPERLINK(...)" opens in Excel as text.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import logging
import os
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress, count, repeat
from operator import is_not
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from . import xlsx_guard

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 100_000
# Wider than any real matrix (a department rarely has 100 roles), narrow enough that a
# hostile sheet claiming 16,384 columns cannot make reading cost billions of steps.
MAX_COLUMNS = 2_000
# A sheet formatted down to row 1,048,576 is not data: stop after this many empty rows.
MAX_CONSECUTIVE_EMPTY_ROWS = 10_000
# Excel's own limit for the text of one cell.
MAX_CELL_CHARS = 32_767
DELIMITERS = (",", ";", "\t")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

# Characters that make Excel, LibreOffice or Google Sheets treat a cell as a formula
# (or, for tab and carriage return, shift it into one): OWASP's CSV injection list.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


class SpreadsheetError(Exception):
    """The file cannot be read as a spreadsheet; the message says why, for the user."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet shows it: the header is row 1
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    header_row: int
    rows: tuple[SheetRow, ...]  # non-empty rows after the header
    source: str  # "csv" or "xlsx"


# ------------------------------------------------------------------ formula injection


def neutralise(value: object) -> str:
    """Text for a cell of an exported file that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def restore(text: str) -> str:
    """Undo neutralise() on import, so that an exported file reads back unchanged."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def column_letter(index: int) -> str:
    """Spreadsheet name of a 0-based column index: 0 → A, 27 → AB."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


# ------------------------------------------------------------------ reading


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return restore(str(value).strip())


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(limit)s rows; split it into smaller files.")
        % {"limit": number_format(max_rows(), force_grouping=True)}
    )


def _too_many_columns(row: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("Row %(row)s has more than %(limit)s columns.") % {"row": row, "limit": MAX_COLUMNS},
        row=row,
    )


def _cell_too_long(row: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("Row %(row)s has a cell longer than %(limit)s characters.")
        % {"row": row, "limit": number_format(MAX_CELL_CHARS, force_grouping=True)},
        row=row,
    )


# Progress is reported every this many rows read.
PROGRESS_EVERY = 1_000
Progress = Callable[[int], None]


def _used_width(values: Sequence[object]) -> int:
    """One past the last value that is not None (0 for none): a loop in C."""
    last = deque(compress(count(1), map(is_not, values, repeat(None))), maxlen=1)
    return last[0] if last else 0


def _build_table(
    numbered: Iterable[tuple[int, list[str]]], source: str, progress: Progress | None = None
) -> Table:
    header: tuple[str, ...] | None = None
    header_row = 0
    rows: list[SheetRow] = []
    limit = max_rows()
    empty_run = 0
    for number, raw in numbered:
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number)
        # A wide sheet is mostly empty cells, and openpyxl pads every row to the
        # sheet's width: the padding is cut off in C before any cell is looked at.
        raw = raw[: _used_width(raw)]
        cells = [_cell_text(value) if value is not None else "" for value in raw]
        if cells and max(map(len, cells)) > MAX_CELL_CHARS:
            raise _cell_too_long(number)
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            empty_run += 1
            # Also before any header: millions of empty rows hold nothing worth waiting for.
            if empty_run > MAX_CONSECUTIVE_EMPTY_ROWS:
                break
            continue
        empty_run = 0
        if len(cells) > MAX_COLUMNS:
            raise _too_many_columns(number)
        if header is None:
            header, header_row = tuple(cells), number
            continue
        rows.append(SheetRow(number=number, cells=tuple(cells)))
        if len(rows) > limit:
            raise _too_many_rows()
    if header is None:
        raise SpreadsheetError(_("The file is empty."))
    return Table(header=header, header_row=header_row, rows=tuple(rows), source=source)


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the header line: whichever of comma, semicolon and tab it has
    most of, outside quotes. csv.Sniffer guesses from quoting patterns and is wrong on
    files whose long quoted texts contain semicolons; a header line is unambiguous."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties: the first, a comma
    return best if counts[best] else ","


def _read_csv(data: bytes, progress: Progress | None = None) -> Table:
    if b"\x00" in data[:8192]:
        raise SpreadsheetError(
            _(
                "The file is not a spreadsheet: save it as CSV (UTF-8) or as an Excel workbook (.xlsx)."
            )
        )
    try:
        text = codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpreadsheetError(
            _(
                "The file is not UTF-8 text (first unreadable byte on line %(line)s). "
                "If it is a CSV file, save it as “CSV UTF-8”; otherwise upload an Excel workbook (.xlsx)."
            )
            % {"line": line},
            row=line,
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))

    def numbered() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, record
        except csv.Error as error:
            raise SpreadsheetError(
                _("Row %(row)s cannot be read as CSV: %(error)s")
                % {"row": number + 1, "error": error},
                row=number + 1,
            ) from None

    return _build_table(numbered(), "csv", progress)


def _read_xlsx(data: bytes, progress: Progress | None = None) -> Table:
    # defusedxml is installed, so openpyxl parses with it and refuses entity bombs;
    # read_only streams the sheet instead of building it in memory, and data_only
    # reads the cached values of formulas instead of their text.
    from openpyxl import load_workbook

    # Sizes and rows first: openpyxl itself has no limits (xlsx_guard says why).
    try:
        facts = xlsx_guard.inspect_xlsx(
            io.BytesIO(data), max_rows=max_rows(), max_columns=MAX_COLUMNS
        )
    except xlsx_guard.ArchiveTooLarge as error:
        raise SpreadsheetError(error.message) from None
    # openpyxl pads every row to the width it is asked for: ask for the columns the
    # cells use (one more than the limit, to notice a sheet past it), not the limit.
    width = MAX_COLUMNS + 1
    if facts is not None and facts.columns is not None:
        width = max(1, min(width, facts.columns))
    not_a_workbook = _("The file is not a readable Excel workbook (.xlsx).")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zipfile, KeyError, XML and openpyxl errors alike
        logger.info("Unreadable workbook: %r", error)
        raise SpreadsheetError(not_a_workbook) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise SpreadsheetError(_("The file is empty."))
        # Our own exports put the matrix on a sheet named RACI, before the legend.
        sheet = workbook["RACI"] if "RACI" in workbook.sheetnames else sheets[0]
        # A sheet's <dimension> may understate it, and openpyxl stops at its last row:
        # read every row (xlsx_guard counted them) and cells up to `width`.
        sheet.reset_dimensions()

        def numbered() -> Iterator[tuple[int, list[object]]]:
            try:
                for number, values in enumerate(
                    sheet.iter_rows(max_col=width, values_only=True), start=1
                ):
                    yield number, list(values)
            except SpreadsheetError:
                raise
            except Exception as error:
                logger.info("Unreadable worksheet: %r", error)
                raise SpreadsheetError(not_a_workbook) from None

        return _build_table(numbered(), "xlsx", progress)
    finally:
        workbook.close()


def read_table(data: bytes, filename: str = "", progress: Progress | None = None) -> Table:
    """Read an uploaded file's bytes as a table, XLSX or CSV, by content first.

    Raises SpreadsheetError for anything that is not a readable spreadsheet.
    `progress(rows read)` is called every PROGRESS_EVERY rows.
    """
    if len(data) > max_bytes():
        raise file_too_large(len(data))
    if not data.strip():
        raise SpreadsheetError(_("The file is empty."))
    extension = os.path.splitext(filename)[1].lower()
    if data.startswith(b"PK\x03\x04"):
        if zipfile.is_zipfile(io.BytesIO(data)):
            return _read_xlsx(data, progress)
        raise SpreadsheetError(_("The file is not a readable Excel workbook (.xlsx)."))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("Old Excel files (.xls) are not supported: save the file as .xlsx or as CSV (UTF-8).")
        )
    if extension in (".xlsx", ".xlsm"):
        raise SpreadsheetError(
            _("The file is named %(name)s but is not an Excel workbook.")
            % {"name": os.path.basename(filename)}
        )
    return _read_csv(data, progress)


def estimate_size(data: bytes) -> tuple[int, int]:
    """About how many rows and columns a file has, cheaply (no parsing): what decides
    whether an upload is checked in the request or by a background job, since reading
    and checking cost about rows × columns. Raises SpreadsheetError for an archive past
    its limits."""
    if data.startswith(b"PK\x03\x04"):
        try:
            # Counted to the end (bounded by the archive's size limit): a file over the
            # row limit is refused by the job that reads it, with the full report.
            facts = xlsx_guard.inspect_xlsx(
                io.BytesIO(data), max_rows=xlsx_guard.EXCEL_MAX_ROWS, max_columns=MAX_COLUMNS
            )
        except xlsx_guard.ArchiveTooLarge as error:
            raise SpreadsheetError(error.message) from None
        if facts is None:
            return 0, 0
        return facts.rows, facts.columns if facts.columns is not None else MAX_COLUMNS
    header = data[: data.find(b"\n")] if b"\n" in data else data
    text = header.decode("utf-8", "replace")
    return data.count(b"\n") + 1, text.count(_sniff_delimiter(text)) + 1


def estimate_rows(data: bytes) -> int:
    """About how many rows a file has (estimate_size)."""
    return estimate_size(data)[0]


def file_too_large(size: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("The file is %(size)s; the largest file accepted is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
    )


def upload_data(upload: UploadedFile) -> bytes:
    """An upload's bytes, after checking its size."""
    if upload.size is not None and upload.size > max_bytes():
        raise file_too_large(upload.size)
    return b"".join(upload.chunks())


def read_upload(upload: UploadedFile) -> tuple[Table, bytes]:
    """Read an upload after checking its size, before a byte of it is parsed."""
    data = upload_data(upload)
    return read_table(data, upload.name or ""), data


def read_path(path: str) -> Table:
    size = os.path.getsize(path)
    if size > max_bytes():
        raise file_too_large(size)
    with open(path, "rb") as handle:
        return read_table(handle.read(), path)


# ------------------------------------------------------------------ writing


class _Echo:
    """A file-like object whose write() returns what it was given: csv.writer then
    produces lines for a streaming response instead of filling a buffer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], *, neutralised: bool = False) -> Iterator[str]:
    """CSV text, line by line, with a BOM first so that Excel reads it as UTF-8
    (Chinese titles would turn into mojibake otherwise). `neutralised`: the rows' text
    already went through neutralise() (None is an empty cell)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    if neutralised:
        yield from map(writer.writerow, rows)
        return
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])


def write_csv(rows: Iterable[Iterable[object]], out: IO[str]) -> int:
    count = 0
    for line in csv_lines(rows):
        out.write(line)
        count += 1
    return count - 1
