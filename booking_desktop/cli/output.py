"""What the CLI writes, made safe: vendor text (file names, cell values, messages that quote them)
on a terminal, in a CSV or an XLSX report, and problems in bulk for ``--json`` and reports.

- A file name or a cell with a newline, a carriage return or an escape sequence could print a
  forged line ("0 invalid") or move the cursor: :func:`printable` shows such characters escaped.
- A report cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR is a live formula for
  Excel and LibreOffice opening the CSV (OWASP "CSV injection"): :func:`defuse_csv_column`
  prefixes a ``'``, and the XLSX report types every string cell as text (the value exact).
- :func:`problem_dicts` builds the problems column by column (``Problem.as_dict`` per problem
  and ``json.dump`` to a stream took 26-56 s for 151,000 problems).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from booking_desktop.pipeline import PipelineResult

_NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x1B: "\\e"}
# C0 and C1 controls, DEL, line/paragraph separators and the bidirectional controls (which can
# make a line read backwards on a terminal)
_UNSAFE = [
    *range(0x00, 0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_ESCAPES = {c: _NAMED.get(c, f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}") for c in _UNSAFE}

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_CHARS = 32_767  # Excel's limit; a longer cell makes Excel "repair" the file


def printable(text: object) -> str:
    """``text`` as one line: control characters (newline, CR, escape, ...) shown as ``\\n``-style escapes."""
    return str(text).translate(_ESCAPES)


def defuse_csv_column(col: pd.Series) -> pd.Series:
    """Text cells that a spreadsheet would run as a formula, prefixed with ``'`` (shown as text).
    Plain numbers (``-12.50``, ``+3``) stay as they are: they are not formulas."""
    if col.dtype != object and str(col.dtype) not in ("string", "str"):
        return col
    text = col.astype("string")
    risky = text.str.match(r"[=+\-@\t\r]") & ~text.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
    risky = risky.fillna(False).astype(bool)
    if not risky.any():
        return col
    out = col.astype(object).copy()
    out[risky] = "'" + text[risky].astype(object)
    return out


def write_xlsx(frame: pd.DataFrame, path: Any, sheet: str) -> None:
    """``frame`` to an XLSX sheet in which every text cell is text: openpyxl turns a string
    starting with ``=`` into a formula; here its type is set back to string, so the value is kept
    exactly and never evaluated.  Characters XML cannot hold are shown escaped and a cell longer
    than Excel's limit is cut with a note (the report is a view; the file itself is unchanged)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([str(c) for c in frame.columns])
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]
    for values in zip(*columns, strict=True):
        row: list[Any] = []
        for v in values:
            if isinstance(v, str):
                if ILLEGAL_CHARACTERS_RE.search(v):
                    v = ILLEGAL_CHARACTERS_RE.sub(lambda m: printable(m.group(0)), v)
                if len(v) > EXCEL_CELL_CHARS:
                    v = v[: EXCEL_CELL_CHARS - 40] + f"… (cut: {len(v):,} characters)"
                if v.startswith("="):
                    cell = WriteOnlyCell(ws, v)
                    cell.data_type = "s"
                    row.append(cell)
                    continue
            row.append(v)
        ws.append(row)
    wb.save(path)


PROBLEM_KEYS = ("code", "message", "severity", "row", "field", "value", "location")


def problem_dicts(result: PipelineResult) -> list[dict[str, Any]]:
    """Every problem as ``Problem.as_dict()`` gives it (file-level first), built column by column."""

    out: list[dict[str, Any]] = [p.as_dict() for p in result.file_problems]
    f = result.problems.frame
    if not len(f):
        return out
    rows = f["row"].to_numpy()
    locations = result.raw.locations
    prefix, _, suffix = locations.template.format("\0").partition("\0")
    numbers = locations.numbers[rows].tolist()
    where = [f"{prefix}{n}{suffix}" for n in numbers]

    def texts(col: pd.Series) -> list[str | None]:
        values = col.astype(object).where(col.notna(), None).tolist()
        return [v if v is None or type(v) is str else str(v) for v in values]

    columns = (
        texts(f["code"]),
        texts(f["message"]),
        texts(f["severity"]),
        (rows + 1).tolist(),
        texts(f["field"]),
        texts(f["value"]),
        where,
    )
    out.extend(dict(zip(PROBLEM_KEYS, values, strict=True)) for values in zip(*columns, strict=True))
    return out
