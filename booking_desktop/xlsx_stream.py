"""A streaming XLSX writer for text cells with a few fixed styles and cell comments: the vendor's
error report (review_export.py) at 100,000 rows.

Why not a library: openpyxl's write-only mode took 55.6 s for 100,000 rows with 114,000 comments,
and XlsxWriter's ``constant_memory`` mode 20 s for the writing alone (both serialise every cell
and every comment shape through several Python calls; bench/RESULTS.md), and XlsxWriter keeps
every comment in memory until the file is closed.  Here a row is one string, comments and their
drawing shapes go to temporary files as they come, and the parts are zipped at the end: memory
stays the same whatever the number of rows.  The parts are those XlsxWriter writes (checked
against it, and read back by openpyxl and by our reader in tests/test_xlsx_stream.py).

Every value is an inline string cell (``t="inlineStr"``), never a formula; text that Excel would
read as an escape (``_x0041_``) is escaped itself, so that it reads back as written.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

NORMAL, BOLD, ERROR, WARNING = 0, 1, 2, 3
MAX_SHEET_ROWS = 1_048_576
COMMENT_PX = (320, 111)  # width, height of a comment box
_COL_PX, _ROW_PX = 64, 20  # Excel's default column width and row height in pixels
_BLOCKS_PER_SHEET = 2048  # VML shape-id blocks (1,024 shapes each) reserved for one sheet
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letters(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """``value`` as the content of a ``<t>`` element (its attribute included).  Characters XML
    cannot hold are written as ``\\xHH`` (callers show them their own way first)."""
    if not _SPECIAL.search(value) and not value[:1].isspace() and not value[-1:].isspace():
        return f"<t>{value}</t>"  # most values
    if _NOT_XML.search(value):
        value = _NOT_XML.sub(lambda m: f"\\x{ord(m.group(0)):02x}", value)
    v = escape(value)
    if "_x" in v:
        v = _ESCAPE_LIKE.sub(r"_x005F_\1", v)
    if "\r" in v:  # a parser reads a carriage return as a line feed: written as Excel writes it
        v = v.replace("\r", "_x000D_")
    if v[:1].isspace() or v[-1:].isspace():
        return f'<t xml:space="preserve">{v}</t>'
    return f"<t>{v}</t>"


class Sheet:
    def __init__(self, book: StreamingWorkbook, name: str, index: int):
        self.book, self.name, self.index = book, name, index
        self.rows = 0
        self.cols = 0
        self._data = _spool(book.tmp)
        self._comments: IO[str] | None = None
        self._shapes: IO[str] | None = None
        self.n_comments = 0
        self._letters: list[str] = []

    def letters(self, col: int) -> str:
        while len(self._letters) <= col:
            self._letters.append(column_letters(len(self._letters)))
        return self._letters[col]

    def append(self, cells: list[tuple[Any, int]]) -> int:
        """One row of ``(value, style)``: text (None or "" leaves the cell empty unless styled), or an
        int/float written as a number.  Returns the 0-based row it went to."""
        r = self.rows
        if r >= MAX_SHEET_ROWS:
            raise ValueError(f"sheet {self.name}: a sheet holds at most {MAX_SHEET_ROWS:,} rows")
        n = r + 1
        parts = [f'<row r="{n}">']
        for i, (value, style) in enumerate(cells):
            s = f' s="{style}"' if style else ""
            if value is None or value == "":
                if style:
                    parts.append(f'<c r="{self.letters(i)}{n}"{s}/>')
            elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                parts.append(f'<c r="{self.letters(i)}{n}"{s}><v>{value!r}</v></c>')
            else:
                parts.append(f'<c r="{self.letters(i)}{n}"{s} t="inlineStr"><is>{_text(str(value))}</is></c>')
        parts.append("</row>")
        self._data.write("".join(parts))
        self.rows = n
        self.cols = max(self.cols, len(cells))
        return r

    def comment(self, row: int, col: int, text: str) -> None:
        """A note on a cell (shown when the pointer is over it), written as XlsxWriter writes one."""
        if self._comments is None:
            self._comments, self._shapes = _spool(self.book.tmp), _spool(self.book.tmp)
        assert self._shapes is not None
        self.n_comments += 1
        self._comments.write(
            f'<comment ref="{self.letters(col)}{row + 1}" authorId="0"><text><r><rPr><sz val="8"/>'
            f'<color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>{_text(text)}</r></text></comment>')
        left_col, top_row = col + 1, max(row - 1, 0)
        w, h = COMMENT_PX
        right_col, right_off = divmod(15 + w, _COL_PX)
        bottom_row, bottom_off = divmod(10 + h, _ROW_PX)
        shape_id = 1024 * (1 + self.index * _BLOCKS_PER_SHEET) + self.n_comments
        self._shapes.write(
            f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:{(left_col * _COL_PX + 15) * 0.75:g}pt;margin-top:{(top_row * _ROW_PX + 10) * 0.75:g}pt;'
            f'width:{w * 0.75:g}pt;height:{h * 0.75:g}pt;z-index:{self.n_comments};visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
            'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f'<x:SizeWithCells/><x:Anchor>{left_col}, 15, {top_row}, 10, {left_col + right_col}, {right_off}, '
            f'{top_row + bottom_row}, {bottom_off}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row>'
            f"<x:Column>{col}</x:Column></x:ClientData></v:shape>")
        if self.n_comments >= 1024 * _BLOCKS_PER_SHEET:
            raise ValueError(f"sheet {self.name}: too many comments")

    def _xml(self, zf: zipfile.ZipFile, widths: dict[int, float]) -> None:
        last = f"{self.letters(max(self.cols, 1) - 1)}{max(self.rows, 1)}"
        cols = "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>' for c, w in widths.items())
        selected = ' tabSelected="1"' if self.index == 0 else ""
        cols_xml = f"<cols>{cols}</cols>" if cols else ""
        drawing = '<legacyDrawing r:id="rId1"/>' if self.n_comments else ""
        head = (f'{_HEAD}<worksheet {_NS} {_NS_R}><dimension ref="A1:{last}"/><sheetViews><sheetView{selected} '
                f'workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>{cols_xml}<sheetData>')
        tail = ('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                f'footer="0.3"/>{drawing}</worksheet>')
        _part(zf, f"xl/worksheets/sheet{self.index + 1}.xml", head, self._data, tail)
        if not self.n_comments:
            return
        assert self._comments is not None and self._shapes is not None
        k = self.index + 1
        _part(zf, f"xl/comments{k}.xml", f"{_HEAD}<comments {_NS}><authors><author>{escape(self.book.author)}"
              "</author></authors><commentList>", self._comments, "</commentList></comments>")
        first = 1 + self.index * _BLOCKS_PER_SHEET
        blocks = ",".join(str(first + b) for b in range(self.n_comments // 1024 + 1))
        _part(zf, f"xl/drawings/vmlDrawing{k}.vml",
              '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
              'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
              f'data="{blocks}"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
              'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" '
              'o:connecttype="rect"/></v:shapetype>', self._shapes, "</xml>")
        zf.writestr(f"xl/worksheets/_rels/sheet{k}.xml.rels", (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/vmlDrawing" Target="../drawings/vmlDrawing{k}.vml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/comments" Target="../comments{k}.xml"/></Relationships>'))

    def close(self) -> None:
        for f in (self._data, self._comments, self._shapes):
            if f is not None:
                f.close()


class StreamingWorkbook:
    """``add_sheet`` in the order the sheets are to appear; rows of different sheets may come in
    any order.  ``widths`` per sheet name: {column: characters}."""

    def __init__(self, path: str | Path, *, author: str = "Booking Desktop", fills: tuple[str, str] = ("FFC7CE",
                 "FFEB9C")):
        self.path = Path(path)
        self.author = author
        self.fills = fills
        self.tmp = tempfile.TemporaryDirectory(prefix="xlsx-")
        self.sheets: list[Sheet] = []
        self.widths: dict[str, dict[int, float]] = {}

    def add_sheet(self, name: str) -> Sheet:
        sheet = Sheet(self, name, len(self.sheets))
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        part = self.path.with_name(self.path.name + ".part")  # the file appears whole or not at all
        try:
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
                self._write(zf)
            os.replace(part, self.path)
        finally:
            part.unlink(missing_ok=True)
            for s in self.sheets:
                s.close()
            self.tmp.cleanup()

    def _write(self, zf: zipfile.ZipFile) -> None:
        n = len(self.sheets)
        over = "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                       'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(n))
        over += "".join(f'<Override PartName="/xl/comments{s.index + 1}.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>'
                        for s in self.sheets if s.n_comments)
        zf.writestr("[Content_Types].xml", (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Default Extension="vml" '
            'ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/><Override '
            'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            f'officedocument.spreadsheetml.styles+xml"/>{over}</Types>'))
        zf.writestr("_rels/.rels", (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        sheets = "".join(f'<sheet name="{escape(s.name, {chr(34): "&quot;"})}" sheetId="{s.index + 1}" '
                         f'r:id="rId{s.index + 1}"/>' for s in self.sheets)
        zf.writestr("xl/workbook.xml", (
            f'{_HEAD}<workbook {_NS} {_NS_R}><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>"))
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                       for i in range(n))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        err, warn = self.fills
        fill = ('<fill><patternFill patternType="solid"><fgColor rgb="FF{}"/><bgColor indexed="64"/>'
                "</patternFill></fill>")
        zf.writestr("xl/styles.xml", (
            f'{_HEAD}<styleSheet {_NS}><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
            '</font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="4">'
            '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
            f'{fill.format(err)}{fill.format(warn)}</fills><borders count="1"><border><left/><right/><top/><bottom/>'
            '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
            'xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" '
            'fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/><xf numFmtId="0" fontId="0" fillId="3" '
            'borderId="0" xfId="0" applyFill="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
            'builtinId="0"/></cellStyles></styleSheet>'))
        for s in self.sheets:
            s._xml(zf, self.widths.get(s.name, {}))


def _spool(tmp: tempfile.TemporaryDirectory[str]) -> IO[str]:
    # a lone surrogate (text that was not valid Unicode) is written as its escape, never an error
    return tempfile.TemporaryFile("w+", encoding="utf-8", errors="backslashreplace", dir=tmp.name,
                                  buffering=1 << 20)


def _part(zf: zipfile.ZipFile, name: str, head: str, body: IO[str], tail: str) -> None:
    body.flush()
    body.seek(0)
    with zf.open(name, "w", force_zip64=True) as out:
        out.write(head.encode())
        shutil.copyfileobj(body.buffer, out, 1 << 20)  # type: ignore[attr-defined]
        out.write(tail.encode())
