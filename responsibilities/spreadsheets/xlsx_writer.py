"""A small streaming XLSX writer for the matrix exports: sheets of text cells, written
row by row, with the few styles the exports use.

openpyxl (which still reads every upload) spends about 25 µs on each cell it writes,
even in write-only mode: most of the time of a department's export went there. The
exports need only text cells, a header style, column widths, frozen panes, the
legend's coloured letters and one conditional format per letter; this writes exactly
that as SpreadsheetML (ECMA-376) with inline strings, a few µs a cell. Each sheet's rows
go to a scratch file first, so that its <dimension> can precede them; the zip holds one
deflated member per part.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from .sheets import column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# Characters XML 1.0 cannot carry (openpyxl refuses them too).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\ud800-\udfff]|[\ufffe\uffff]")

HEADER = "header"
DEFAULT_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'


def _text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


class Styles:
    """The workbook's styles: 0 plain, 1 header (bold, shaded, wrapped), then one
    centred bold coloured font per letter; one differential format (dxf) per letter
    colour for conditional formats."""

    def __init__(self, letter_colours: dict[str, str]) -> None:
        self.colours = letter_colours
        self.index = {HEADER: 1} | {
            label: 2 + position for position, label in enumerate(letter_colours)
        }
        self.dxf = {label: position for position, label in enumerate(letter_colours)}

    def xml(self) -> str:
        fonts = [f"<font>{DEFAULT_FONT}</font>", f"<font><b/>{DEFAULT_FONT}</font>"]
        fonts += [
            f'<font><b/><color rgb="{colour}"/>{DEFAULT_FONT}</font>'
            for colour in self.colours.values()
        ]
        xfs = [
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
            '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" '
            'applyFill="1" applyAlignment="1"><alignment vertical="bottom" wrapText="1"/></xf>',
        ]
        xfs += [
            f'<xf numFmtId="0" fontId="{2 + position}" fillId="0" borderId="0" xfId="0" '
            'applyFont="1" applyAlignment="1"><alignment horizontal="center"/></xf>'
            for position in range(len(self.colours))
        ]
        dxfs = [
            f'<dxf><font><b/><color rgb="{colour}"/></font></dxf>'
            for colour in self.colours.values()
        ]
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
            f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
            '<fills count="3"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill><fill><patternFill '
            'patternType="solid"><fgColor rgb="FFEEF1F7"/><bgColor indexed="64"/></patternFill>'
            "</fill></fills>"
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            f'<dxfs count="{len(dxfs)}">{"".join(dxfs)}</dxfs></styleSheet>'
        )


class Sheet:
    """One worksheet, written row by row: `append` a row of text (None: an empty cell)
    or `append_styled` a row of (text, style name) pairs."""

    def __init__(
        self, title: str, styles: Styles, *, widths: Iterable[float], freeze: str | None
    ) -> None:
        self.title = title
        self.styles = styles
        self.widths = list(widths)
        self.freeze = freeze
        self.rows = 0
        self.columns = 0
        self.letter_ranges: list[str] = []
        self.letters: list[str] = []
        self.scratch = tempfile.TemporaryFile()  # noqa: SIM115 - closed by write_to
        self.pending: list[str] = []

    def _refs(self, count: int) -> list[str]:
        while len(self.letters) < count:
            self.letters.append(column_letter(len(self.letters)))
        return self.letters

    def append_styled(self, cells: Iterable[tuple[str | None, str | None]]) -> None:
        self.rows += 1
        row = self.rows
        cells = list(cells)
        refs = self._refs(len(cells))
        parts = [f'<row r="{row}">']
        for position, (value, style) in enumerate(cells):
            if value is None and style is None:
                continue
            styled = f' s="{self.styles.index[style]}"' if style else ""
            if value is None:
                parts.append(f'<c r="{refs[position]}{row}"{styled}/>')
            else:
                parts.append(
                    f'<c r="{refs[position]}{row}"{styled} t="inlineStr"><is>'
                    f'<t xml:space="preserve">{_text(value)}</t></is></c>'
                )
        parts.append("</row>")
        self.columns = max(self.columns, len(cells))
        self._write("".join(parts))

    def append(self, values: list[str | None]) -> None:
        self.rows += 1
        row = self.rows
        refs = self._refs(len(values))
        parts = [f'<row r="{row}">']
        for position, value in enumerate(values):
            if value:
                parts.append(
                    f'<c r="{refs[position]}{row}" t="inlineStr"><is><t xml:space="preserve">'
                    f"{_text(value)}</t></is></c>"
                )
        parts.append("</row>")
        self.columns = max(self.columns, len(values))
        self._write("".join(parts))

    def colour_letters(self, cell_range: str) -> None:
        """Colour the letters in a range by one conditional format per letter."""
        self.letter_ranges.append(cell_range)

    def _write(self, xml: str) -> None:
        self.pending.append(xml)
        if len(self.pending) >= 500:
            self._flush()

    def _flush(self) -> None:
        self.scratch.write("".join(self.pending).encode())
        self.pending.clear()

    def _head(self) -> str:
        last = f"{column_letter(max(self.columns, 1) - 1)}{max(self.rows, 1)}"
        pane = ""
        if self.freeze:
            column, row = re.fullmatch(r"([A-Z]+)(\d+)", self.freeze).groups()
            x_split = 0
            for char in column:
                x_split = x_split * 26 + ord(char) - 64
            x_split -= 1  # the columns left of the frozen corner
            y_split = int(row) - 1
            active = "bottomRight" if x_split else "bottomLeft"
            splits = (f' xSplit="{x_split}"' if x_split else "") + f' ySplit="{y_split}"'
            pane = (
                f'<pane{splits} topLeftCell="{self.freeze}" activePane="{active}" state="frozen"/>'
                f'<selection pane="{active}" activeCell="{self.freeze}" sqref="{self.freeze}"/>'
            )
        columns = "".join(
            f'<col min="{n}" max="{n}" width="{width}" customWidth="1"/>'
            for n, width in enumerate(self.widths, start=1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}"/>'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{columns}</cols>" if columns else "")
            + "<sheetData>"
        )

    def _tail(self) -> str:
        rules = []
        priority = 1
        for cell_range in self.letter_ranges:
            formats = []
            for label, dxf in self.styles.dxf.items():
                formats.append(
                    f'<cfRule type="cellIs" dxfId="{dxf}" priority="{priority}" '
                    f'operator="equal"><formula>"{escape(label)}"</formula></cfRule>'
                )
                priority += 1
            rules.append(
                f'<conditionalFormatting sqref="{cell_range}">{"".join(formats)}'
                "</conditionalFormatting>"
            )
        return "</sheetData>" + "".join(rules) + "</worksheet>"

    def write_to(self, archive: zipfile.ZipFile, name: str) -> None:
        self._flush()
        self.scratch.seek(0)
        with archive.open(name, "w") as member:
            member.write(self._head().encode())
            while chunk := self.scratch.read(1 << 20):
                member.write(chunk)
            member.write(self._tail().encode())
        self.scratch.close()


class Workbook:
    """Sheets in the order they are made, saved as one .xlsx file."""

    def __init__(self, letter_colours: dict[str, str]) -> None:
        self.styles = Styles(letter_colours)
        self.sheets: list[Sheet] = []

    def sheet(self, title: str, *, widths: Iterable[float] = (), freeze: str | None = None):
        sheet = Sheet(title, self.styles, widths=widths, freeze=freeze)
        self.sheets.append(sheet)
        return sheet

    def save(self, out: IO[bytes]) -> None:
        count = len(self.sheets)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", self._content_types())
            archive.writestr(
                "_rels/.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            sheets = "".join(
                f'<sheet name={quoteattr(_ILLEGAL.sub("", sheet.title))} sheetId="{n}" r:id="rId{n}"/>'
                for n, sheet in enumerate(self.sheets, start=1)
            )
            archive.writestr(
                "xl/workbook.xml",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
                f"</bookViews><sheets>{sheets}</sheets></workbook>",
            )
            relations = "".join(
                f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, count + 1)
            )
            archive.writestr(
                "xl/_rels/workbook.xml.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<Relationships xmlns="{_PKG}">{relations}<Relationship Id="rId{count + 1}" '
                f'Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
            )
            archive.writestr("xl/styles.xml", self.styles.xml())
            for n, sheet in enumerate(self.sheets, start=1):
                sheet.write_to(archive, f"xl/worksheets/sheet{n}.xml")

    def _content_types(self) -> str:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
            f'ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_SHEET_TYPE}.styles+xml"/>'
            f"{overrides}</Types>"
        )
