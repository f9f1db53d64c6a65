"""Hostile workbooks, written straight as XML into a zip (streamed: the test never
holds their unpacked size in memory). Shared by the import tests."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="RACI" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER = ("department", "duty", "role", "letter")
_PIECE = 1 << 20


class _Segments:
    """Stands in for a zip member's compressor: each distinct chunk is deflated once,
    ended by a full flush (byte-aligned, no reference back), and the segment repeated
    for equal chunks. Writing 1.5 GB through zlib otherwise takes over a minute on a
    shared core. zipfile still computes the CRC and sizes from the real data."""

    def __init__(self) -> None:
        self.memo: dict[bytes, bytes] = {}

    @staticmethod
    def _fresh():
        return zlib.compressobj(9, zlib.DEFLATED, -15)

    def compress(self, data: bytes) -> bytes:
        if data not in self.memo:
            compressor = self._fresh()
            self.memo[data] = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
        return self.memo[data]

    def flush(self) -> bytes:
        return self._fresh().flush()  # an empty final block


def _write(path: Path, sheet_parts, shared_parts) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, parts in (
            ("xl/sharedStrings.xml", shared_parts),
            ("xl/worksheets/sheet1.xml", sheet_parts),
        ):
            with archive.open(name, "w", force_zip64=True) as member:
                member._compressor = _Segments()  # private, see _Segments
                # Fixed 1 MiB pieces, so that repeated content gives equal chunks.
                pending = bytearray()
                for part in parts:
                    pending += part.encode()
                    if len(pending) >= _PIECE:
                        whole = len(pending) - len(pending) % _PIECE
                        for start in range(0, whole, _PIECE):
                            member.write(bytes(pending[start : start + _PIECE]))
                        del pending[:whole]
                member.write(bytes(pending))
    return path


def _shared(strings):
    yield '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    for text in strings:
        yield f"<si><t>{text}</t></si>"
    yield "</sst>"


def _header_row():
    cells = "".join(f'<c r="{col}1" t="s"><v>{n}</v></c>' for n, col in enumerate("ABCD"))
    return f'<row r="1">{cells}</row>'


def huge_cell(path: Path, megabytes: int = 1500) -> Path:
    """One cell of `megabytes` MB in the shared strings (about 1.5 MB compressed)."""

    def shared():
        yield '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for text in HEADER:
            yield f"<si><t>{text}</t></si>"
        yield "<si><t>"
        block = "A" * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield "</t></si></sst>"

    def sheet():
        yield _SHEET_HEAD + '<dimension ref="A1:D2"/><sheetData>' + _header_row()
        yield '<row r="2"><c r="A2" t="s"><v>4</v></c></row></sheetData></worksheet>'

    return _write(path, sheet(), shared())


def many_rows(path: Path, rows: int, *, dimension: bool = True) -> Path:
    """`rows` rows: a header and rows-1 rows of four short cells (shared strings)."""

    def sheet():
        ref = f'<dimension ref="A1:D{rows}"/>' if dimension else ""
        yield _SHEET_HEAD + ref + "<sheetData>" + _header_row()
        for n in range(2, rows + 1):
            yield (
                f'<row r="{n}"><c r="A{n}" t="s"><v>4</v></c><c r="B{n}" t="s"><v>5</v></c>'
                f'<c r="C{n}" t="s"><v>6</v></c><c r="D{n}" t="s"><v>7</v></c></row>'
            )
        yield "</sheetData></worksheet>"

    return _write(path, sheet(), _shared([*HEADER, "SALES", "Quote prices", "Sales Lead", "R"]))


def tiny_rows(path: Path, rows: int) -> Path:
    """`rows` rows of one one-digit cell each: millions fit in a megabyte or so."""

    def sheet():
        # Rows without their optional numbers: equal chunks, which compress to nothing.
        yield _SHEET_HEAD + "<sheetData>" + _header_row()
        for _n in range(2, rows + 1):
            yield "<row><c><v>1</v></c></row>"
        yield "</sheetData></worksheet>"

    return _write(path, sheet(), _shared(HEADER))
