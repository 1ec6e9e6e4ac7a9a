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
            cells = _CellCounter(label)
            for info in infos:
                sheet = info.filename.startswith("xl/worksheets/")
                inflate_member(
                    zf, info, label, left, keep=False, subject="the workbook", limit_shown=limit,
                    on_block=cells if sheet else None,
                )  # fmt: skip
                left -= info.file_size
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise fail("corrupt-workbook", f"the workbook is truncated or damaged ({exc})", label) from None
    except ReadError as exc:
        if exc.problem.code == "corrupt-archive":
            raise fail("corrupt-workbook", f"the workbook is damaged: {exc.problem.message}", label) from None
        raise


class _CellCounter:
    """Counts ``<c>`` elements of XLSX sheet XML block by block and refuses past the limit (a cell
    split between two blocks goes uncounted: a few per megabyte)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.cells = 0

    def __call__(self, block: bytes) -> None:
        self.cells += block.count(b"<c ") + block.count(b"<c>")
        if self.cells > LIMITS.workbook_cells:
            raise fail("too-large", f"the workbook holds more than {LIMITS.workbook_cells:,} cells (limit)", self.label)


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
    """(name, sheet, rows): the sheet asked for, else the first visible worksheet with data.

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
            if rows:
                return meta.name, sheet, rows
            first = first or (meta.name, sheet, rows)
        if first is not None:
            return first
        name = sheets[0]
    else:
        name = _sheet_name(sheets, wanted, label)
    sheet = wb.get_sheet_by_name(name)
    return name, sheet, sheet.to_python(skip_empty_area=True)


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
