"""Excel workbooks (.xlsx, .xlsm, .xlsb, .xls) and OpenDocument (.ods) via python-calamine.

calamine is a Rust reader about 20× faster than openpyxl.  It returns typed
cells; they become the text a person sees in Excel, without its display
formats: integral numbers without ``.0`` (``42``), other numbers with up to
15 significant digits (Excel's precision), dates as ISO ``YYYY-MM-DD`` and
date-times as ``YYYY-MM-DDTHH:MM:SS``.  Text cells -- a booking ref
``00123`` or a date typed as ``01/03/2024`` -- stay exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import python_calamine as cal

from booking_desktop.errors import ReadError
from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.readers.cleaning import clean_headers, find_header_row, frame_from_columns, null_values
from booking_desktop.readers.limits import LIMITS, size_text
from booking_desktop.readers.source import (
    Source,
    check_zip_members,
    fail,
    inflate_member,
    is_encrypted,
    load_source,
    sniff,
    warning,
)

ENCRYPTED_TEXT = "the workbook is password-protected; save it without a password"
# The first cell of the summary sheet of our own error report (review_export.py): that sheet comes
# first for the vendor to read, and is passed over here, so the corrected report imports as it is.
REPORT_SUMMARY_MARK = "Booking Desktop error report: records we could not import"


class ExcelReader:
    format = "excel"
    extensions = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")

    def read(self, path: Path, options: dict[str, Any]) -> RawTable:
        return self.read_source(load_source(path, options), options)

    def read_source(self, src: Source, options: dict[str, Any]) -> RawTable:
        label = src.label
        kind = sniff(src.data)
        if kind == "encrypted-workbook":
            raise fail("encrypted-workbook", ENCRYPTED_TEXT, label)
        if kind in ("xlsx", "ods"):
            check_workbook_zip(src.data, kind, label)
        try:
            wb = cal.CalamineWorkbook.from_filelike(io.BytesIO(src.data))
            sheets = list(wb.sheet_names)
            name, sheet, rows = _pick_sheet(wb, sheets, options.get("sheet"), label)
            start = sheet.start or (0, 0)
        except cal.PasswordError:
            raise fail("encrypted-workbook", ENCRYPTED_TEXT, label) from None
        except (cal.ZipError, cal.XmlError) as exc:
            raise fail("corrupt-workbook", f"the workbook is truncated or damaged ({exc})", label) from None
        except cal.CalamineError as exc:
            raise fail("corrupt-workbook", f"cannot read the workbook ({exc})", label) from None
        fmt = {"xlsx": Path(src.name).suffix.lower().lstrip(".") or "xlsx", "xls": "xls", "ods": "ods"}.get(kind, kind)
        if fmt not in ("xlsx", "xlsm", "xlsb", "xls", "ods"):
            fmt = "xlsx"
        where = _sheet_ref(name)
        template = where.replace("{", "{{").replace("}", "}}") + "!row {}"
        info = SourceInfo(path=src.path, format=fmt, sheet=name, extra={"sheets": sheets})
        first_row = int(start[0]) + 1  # 1-based spreadsheet row of rows[0]
        header_opt = options.get("header_row")
        if not rows:
            info.header_row = None
            return RawTable(_empty(), Locations(template, np.zeros(0, np.int64)), info, [])
        if header_opt is not None:
            idx = int(header_opt) - first_row
            if not 0 <= idx < len(rows):
                raise fail("bad-option", f"header_row={header_opt} is outside the sheet's data", label, where)
        else:
            idx = find_header_row(rows)
        info.header_row = first_row + idx
        problems = []
        if idx and header_opt is None:
            problems.append(
                warning("title-rows", f"skipped {idx} row(s) above the header", label, f"{where}!row {info.header_row}")
            )
        header = [_text(c) for c in rows[idx]]
        body = rows[idx + 1 :]
        width = len(header)
        # calamine rows are lists of equal width; "" is an empty cell (list.count runs in C)
        empty = [r.count("") + r.count(None) >= len(r) for r in body]
        keep_rows = [i for i, e in enumerate(empty) if not e]
        if len(keep_rows) < len(body):
            body = [body[i] for i in keep_rows]
        cols_raw = _columns(body, width)
        keep_cols = [j for j in range(width) if header[j] or _has_text(cols_raw[j])]
        raw_names = [header[j] or "" for j in keep_cols]
        names, hp = clean_headers(raw_names, label, f"{where}!row {info.header_row}")
        columns = [_column_text(cols_raw[j]) for j in keep_cols]
        frame = frame_from_columns(names, columns, null_values(options))
        numbers = np.asarray(keep_rows, dtype=np.int64) + info.header_row + 1
        return RawTable(frame, Locations(template, numbers), info, problems + hp)


def check_workbook_zip(data: bytes, kind: str, label: str) -> None:
    """Refuse an XLSX/ODS that would inflate past the limit *before* calamine holds it: the sizes
    the zip declares, then the sizes its parts really inflate to (counted while they stream,
    nothing kept: a part may declare a few bytes and inflate to gigabytes), and an encrypted ODS
    (LibreOffice keeps the zip and encrypts the parts; its manifest says so)."""
    limit = LIMITS.workbook_inflated_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip_members(zf, label, "workbook")
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > limit:
                raise fail("too-large", f"the workbook inflates past {size_text(limit)} (limit)", label)
            if any(is_encrypted(i) for i in infos) or (kind == "ods" and _ods_encrypted(zf)):
                raise fail("encrypted-workbook", ENCRYPTED_TEXT, label)
            left = limit
            for info in infos:
                if info.filename.startswith("xl/worksheets/"):
                    cells: Any = _CellCounter(label, info.filename)
                elif kind == "ods" and info.filename == "content.xml":
                    cells = _OdsCellCounter(label)
                else:
                    cells = None
                inflate_member(
                    zf, info, label, left, keep=False, subject="the workbook", limit_shown=limit, on_block=cells,
                )  # fmt: skip
                if cells is not None:
                    cells.done()
                left -= info.file_size
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise fail("corrupt-workbook", f"the workbook is truncated or damaged ({exc})", label) from None
    except ReadError as exc:
        if exc.problem.code == "corrupt-archive":
            raise fail("corrupt-workbook", f"the workbook is damaged: {exc.problem.message}", label) from None
        raise


_ROW_NUMBER = re.compile(rb'<row r="(\d{1,9})"')
_LONG_COLUMN = {n: re.compile(rb'<c r="([A-Z]{%d})\d' % n) for n in (2, 3)}
_LETTERS = [bytes([c]) for c in range(ord("Z"), ord("A") - 1, -1)]


class _CellCounter:
    """One XLSX sheet's XML, block by block: the ``<c>`` elements counted, and the grid they span --
    calamine holds a sheet as a full grid from A1 to its farthest cell, so one cell at ZZ200000
    beside a few others is 140 million cells (calamine's allocation then aborts the process, no
    exception).  Both are refused past ``workbook_cells``.  (A cell or reference split between two
    blocks goes uncounted: a few per megabyte.)"""

    def __init__(self, label: str, part: str = "") -> None:
        self.label, self.part = label, part
        self.cells = self.rows = self.columns = 0

    def __call__(self, block: bytes) -> None:
        self.cells += block.count(b"<c ") + block.count(b"<c>")
        limit = LIMITS.workbook_cells
        if self.cells > limit:
            raise fail("too-large", f"the workbook holds more than {limit:,} cells (limit)", self.label)
        self.rows = max(self.rows, self._farthest_row(block))
        self.columns = max(self.columns, self._farthest_column(block, exact=self.rows * 26 > limit))
        if self.rows * self.columns > limit:
            far = f"{_column_name(self.columns)}{self.rows}"
            raise fail(
                "too-large",
                f"the sheet's cells span {self.rows:,} rows x {self.columns:,} columns (to {far}), "
                f"{self.rows * self.columns:,} cells held as one grid, past {limit:,} (limit)",
                self.label,
            )

    def _farthest_row(self, block: bytes) -> int:
        """The farthest row a ``<row r>`` or a cell reference names; cell references are only read
        when they have more digits than that row (a far cell; the regular expression runs in C)."""
        rows = set(_ROW_NUMBER.findall(block))
        far = max(map(int, rows)) if rows else 0
        digits = len(str(max(far, self.rows)))
        longer = re.findall(rb'<c r="[A-Z]{1,3}(\d{%d,9})"' % (digits + 1), block)
        return max(far, *map(int, longer)) if longer else far

    @staticmethod
    def _farthest_column(block: bytes, exact: bool) -> int:
        """The farthest column of the block's cell references: the three- or two-letter ones when
        there are any (few: wide sheets); else, only when so many rows make it matter (``exact``),
        the last letter A-Z present (26 scans in C), and 0 otherwise."""
        for n in (3, 2):
            names = set(_LONG_COLUMN[n].findall(block))
            if names:
                return max(map(_column_number, names))
        if not exact:
            return 0
        return next((26 - i for i, c in enumerate(_LETTERS) if b'<c r="' + c in block), 0)

    def done(self) -> None:
        """Nothing to settle: every block was checked as it came."""


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _column_name(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _ods_patterns(attrs: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    tag = re.compile(
        rb"<table:table-row\b(" + attrs + rb")>|</table:table-row>|<table:(?:covered-)?table-cell\b("
        + attrs + rb")(/?)>"
    )
    repeated = re.compile(
        rb"<table:(?:covered-)?table-cell\b(?=" + attrs + rb"number-columns-repeated=)(" + attrs + rb")(/?)>"
    )
    return tag, repeated


_ODS_FAST = _ods_patterns(rb"[^>]*?")
#: a tag's attributes when a quoted value holds ">" (a formula "of:=[.A1]>0"): slower, used only then
_ODS_QUOTED = _ods_patterns(rb'(?:[^>"/]|"[^"]*"|/(?!>))*?')
_GT_IN_VALUE = re.compile(rb'="[^"<]*>')
_ODS_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated="(\d{1,12})"')


class _OdsCellCounter:
    """An ODS ``content.xml``, block by block: the cells calamine will hold once it expands
    ``table:number-rows-repeated`` / ``table:number-columns-repeated`` (a row of one value repeated
    a million times is a million rows).  Empty repeated cells (LibreOffice ends every row with
    one, and the sheet with a million empty rows) are not held and not counted.  Refused past
    ``workbook_cells`` before calamine expands anything."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.cells = 0
        self.repeat = 1  # rows-repeated of the row being read
        self.tail = b""

    def __call__(self, block: bytes) -> None:
        data = self.tail + block
        cut = data.rfind(b"<")
        if cut >= 0 and b">" not in data[cut:]:
            data, self.tail = data[:cut], data[cut:]  # a tag split between blocks: read it whole next time
        else:
            self.tail = b""
        tags, repeated_cells = _ODS_QUOTED if _GT_IN_VALUE.search(data) else _ODS_FAST
        if self.repeat == 1 and b"number-rows-repeated=" not in data:
            # no repeated row here: one per value, counted in C, plus the repeats of repeated values
            # (LibreOffice ends each row with an empty repeated cell: matched, not counted)
            self.cells += data.count(b"office:value-type=")
            for attributes, closed in repeated_cells.findall(data):
                valued = b"office:value-type=" in attributes
                if valued or not closed:
                    self.cells += _repeat(attributes) - valued
        else:
            for m in tags.finditer(data):
                row, cell, closed = m.group(1), m.group(2), m.group(3)
                if row is not None:
                    self.repeat = _repeat(row)
                elif cell is None:
                    self.repeat = 1
                elif b"office:value-type=" in cell or not closed:
                    self.cells += _repeat(cell) * self.repeat
        if self.cells > LIMITS.workbook_cells:
            raise fail(
                "too-large",
                f"the workbook's cells, with their repeats (table:number-rows-repeated / "
                f"number-columns-repeated) expanded, are more than {LIMITS.workbook_cells:,} (limit)",
                self.label,
            )

    def done(self) -> None:
        self.tail = b""


def _repeat(attributes: bytes) -> int:
    m = _ODS_REPEAT.search(attributes)
    return int(m.group(1)) if m else 1


def _ods_encrypted(zf: zipfile.ZipFile) -> bool:
    try:
        info = zf.getinfo("META-INF/manifest.xml")
    except KeyError:
        return False
    manifest = inflate_member(zf, info, "manifest", min(info.file_size, 10_000_000))
    return b"encryption-data" in manifest


# A sheet's column: a tuple of cells, or a column of the 2-D object array the rows became.
Column = Sequence[Any] | np.ndarray


def _columns(body: list[list[Any]], width: int) -> list[Column]:
    """The rows' cells column by column.  One 2-D object array transposes a sheet
    about four times faster than ``zip(*rows)`` (no tuple per column built
    argument by argument); rows of unequal width fall back to ``zip``."""
    if not body:
        return [() for _ in range(width)]
    if set(map(len, body)) != {width}:
        return list(zip(*body, strict=True))
    grid = np.empty((len(body), width), dtype=object)
    grid[:] = body
    return [grid[:, j] for j in range(width)]


def _has_text(column: Column) -> bool:
    """Some cell is not the empty string ("" is how calamine gives an empty cell)."""
    if isinstance(column, np.ndarray):
        return bool(column.size) and not bool((column == "").all())
    return column.count("") < len(column)


def _pick_sheet(wb: Any, sheets: list[str], wanted: object, label: str) -> tuple[str, Any, list[list[Any]]]:
    """(name, sheet, rows): the sheet asked for, else the first visible worksheet with data (passing
    over the summary of our own error report, :data:`REPORT_SUMMARY_MARK`).

    Each sheet is parsed at most once (calamine parses the whole sheet even for a few rows).
    """
    if not sheets:
        raise fail("corrupt-workbook", "the workbook has no sheets", label)
    if wanted is None or wanted == "":
        first = None
        for meta in wb.sheets_metadata:
            if meta.typ != cal.SheetTypeEnum.WorkSheet or meta.visible != cal.SheetVisibleEnum.Visible:
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=True)
            if rows and not _is_report_summary(rows):
                return meta.name, sheet, rows
            first = first or (meta.name, sheet, rows)
        if first is not None:
            return first
        name = sheets[0]
    else:
        name = _sheet_name(sheets, wanted, label)
    sheet = wb.get_sheet_by_name(name)
    return name, sheet, sheet.to_python(skip_empty_area=True)


def _is_report_summary(rows: list[list[Any]]) -> bool:
    return bool(rows[0]) and rows[0][0] == REPORT_SUMMARY_MARK


def _sheet_name(sheets: list[str], wanted: object, label: str) -> str:
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        if 0 <= wanted < len(sheets):
            return sheets[wanted]
        raise fail("sheet-not-found", f"no sheet number {wanted} (sheets, from 0: {', '.join(sheets)})", label)
    text = str(wanted)
    if text in sheets:
        return text
    folded = [s for s in sheets if s.casefold() == text.strip().casefold()]
    if folded:
        return folded[0]
    if text.isdigit() and int(text) < len(sheets):
        return sheets[int(text)]
    raise fail("sheet-not-found", f"no sheet named {text!r} (sheets: {', '.join(sheets)})", label)


_PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def _sheet_ref(name: str) -> str:
    """``Bookings`` or ``'March 2024'`` as Excel writes sheet references."""
    return name if _PLAIN_SHEET.match(name) else "'" + name.replace("'", "''") + "'"


def _empty():
    import pandas as pd

    return pd.DataFrame(index=pd.RangeIndex(0))


def _text(v: object) -> str | None:
    # Exact type tests (``t is float``): one type() per cell, faster than isinstance, and bool/int,
    # datetime/date stay apart.  mypy does not narrow ``v`` through ``t``, hence the ignores.
    t = type(v)
    if t is str:
        return v or None  # type: ignore[return-value]  # v is a str
    if v is None:
        return None
    if t is float:
        f: float = v  # type: ignore[assignment]  # v is a float
        if f != f:
            return None
        if f.is_integer() and abs(f) < 1e16:
            return str(int(f))
        return format(f, ".15g")
    if t is bool:
        return "TRUE" if v else "FALSE"
    if t is int:
        return str(v)
    if t is dt.datetime:
        d: dt.datetime = v  # type: ignore[assignment]  # v is a datetime
        if d.time() == dt.time(0):
            return d.date().isoformat()
        return d.isoformat(timespec="seconds")
    if t is dt.date:
        return v.isoformat()  # type: ignore[attr-defined]  # v is a date
    if t is dt.time:
        return v.isoformat(timespec="seconds")  # type: ignore[attr-defined]  # v is a time
    if t is dt.timedelta:
        secs = int(v.total_seconds())  # type: ignore[attr-defined]  # v is a timedelta
        return f"{secs // 3600}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    return str(v)


def _column_text(values: Column) -> Sequence[str | None] | pa.Array:
    """Text of one column; a column of text cells passes through untouched
    ("" becomes missing later, with the other null tokens).  The arrow
    conversion itself is the test for "only text": it stops at the first cell
    of another type, and only such columns are converted cell by cell."""
    try:
        return pa.array(values, pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return list(map(_text, values))
