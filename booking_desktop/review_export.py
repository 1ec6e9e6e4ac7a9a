"""The vendor's error report: their rejected records in their own layout (their headers, their
column order, their raw values), every bad cell filled and carrying its message as a comment
(warnings in a second colour), plus a summary of the problems and what to do.  XLSX (openpyxl in
write-only mode) or CSV.

The data sheet comes first and the summary after it, and the workbook opens on the summary: the
readers take the first sheet with data, so the file the vendor sends back corrected imports with
the same profile as it is (tests/storage/test_review_export.py).  Every string is written as a
string cell, so a value starting with ``=``, ``+``, ``-`` or ``@`` stays inert text and is kept
exactly; the CSV, which has no cell types, prefixes such text with ``'`` (cli/output.py: a
spreadsheet would run it) — it is a report, the XLSX is the file to correct and send back.

Rows of several layouts (files) go to one sheet per layout in the XLSX; the CSV takes the union of
the columns in the order they are first seen.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booking_desktop.storage.imports import restored

if TYPE_CHECKING:
    from booking_desktop.storage.review import ReviewFilter, ReviewQueue

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
SHEET_NAME_CHARS = 31
WHAT_TO_DO = {
    "required": "fill in the empty cell",
    "format": "write the value in the form the comment gives (dates as 2024-05-31)",
    "type": "write a number or a date where the comment asks for one",
    "enum": "use one of the values the comment lists",
    "range": "the value is outside what is allowed: check it",
    "length": "shorten or complete the value",
    "precision": "give the amount with the decimals its currency has",
    "date_order": "check the dates: the stay must end after it starts",
    "nights_mismatch": "check the nights against the arrival and departure dates",
    "duplicate_ref": "each booking once: remove the repeated row or give it its own reference",
    "commit_failed": "the record could not be stored; send it again unchanged or ask us",
    "superseded": "nothing: a later file already brought this booking",
}


def _fill(color: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill(start_color=color, end_color=color, fill_type="solid")


def _columns_of(profile: Any, field: str | None) -> list[str]:
    if profile is None or field is None:
        return []
    from booking_desktop.mapping.spec import spec_columns

    spec = (getattr(profile, "fields", None) or {}).get(field)
    return spec_columns(spec) if spec else []


class _Row:
    """One rejected record: its cells and which of them carry which messages."""

    def __init__(self, doc: dict[str, Any], profile: Any):
        d = restored(doc)
        raw = d.get("raw") or []
        self.cells: list[tuple[str, Any]] = (
            list(raw.items()) if isinstance(raw, dict) else [(str(c.get("column")), c.get("value")) for c in raw]
        )
        self.layout = tuple(c for c, _ in self.cells)
        self.file = str(d.get("file_name") or "rows")
        self.marks: dict[int, list[tuple[str, str]]] = {}  # cell index -> [(severity, message)]
        self.problems: list[tuple[str, dict[str, Any]]] = []
        index = {c: i for i, (c, _) in reversed(list(enumerate(self.cells)))}
        for severity, items in (("error", d.get("errors") or []), ("warning", d.get("warnings") or [])):
            for e in items:
                self.problems.append((severity, e))
                at = [index[c] for c in _columns_of(profile, e.get("field")) if c in index]
                if not at and e.get("value") is not None:  # no profile: the cell holding the value
                    at = [i for i, (_, v) in enumerate(self.cells) if v == e.get("value")][:1]
                for i in at or [0]:
                    self.marks.setdefault(i, []).append((severity, str(e.get("message") or e.get("code"))))


def _rows(queue: ReviewQueue, flt: ReviewFilter) -> list[_Row]:
    return [_Row(doc, queue.rules.profile(doc.get("import_id"))) for doc in queue.iter_rows(flt)]


def export_report(queue: ReviewQueue, flt: ReviewFilter, path: str | Path) -> dict[str, Any]:
    """Write the report of the rows ``flt`` selects to ``path`` (.xlsx or .csv); returns counts."""
    path = Path(path)
    rows = _rows(queue, flt)
    if path.suffix.lower() == ".csv":
        _write_csv(rows, path)
    elif path.suffix.lower() == ".xlsx":
        _write_xlsx(rows, path)
    else:
        raise ValueError(f"{path.name}: the report is written as .xlsx or .csv")
    counts = Counter((sev, e.get("code")) for r in rows for sev, e in r.problems)
    return {
        "rows": len(rows),
        "files": len({r.file for r in rows}),
        "out": str(path),
        "problems": [{"severity": s, "code": c, "count": n} for (s, c), n in counts.most_common()],
    }


def _write_csv(rows: list[_Row], path: Path) -> None:
    import pandas as pd

    from booking_desktop.cli.output import defuse_csv_column

    columns: dict[str, None] = {}
    for r in rows:
        for c in r.layout:
            columns.setdefault(c, None)
    names = list(columns)
    frame = pd.DataFrame([dict(r.cells) for r in rows], columns=names, dtype=object)
    for c in names:
        frame[c] = defuse_csv_column(frame[c])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        writer.writerows(["" if v is None or v is pd.NA else v for v in row] for row in frame.itertuples(index=False))


def _sheet_names(layouts: list[tuple[tuple[str, ...], str]]) -> list[str]:
    from openpyxl.workbook.child import INVALID_TITLE_REGEX

    out: list[str] = []
    for _, file in layouts:
        base = INVALID_TITLE_REGEX.sub("_", Path(file).stem)[: SHEET_NAME_CHARS - 4] or "rows"
        name, n = base, 2
        while name.lower() in {o.lower() for o in out} or name.lower() == "summary":
            name, n = f"{base} ({n})", n + 1
        out.append(name)
    return out


def _write_xlsx(rows: list[_Row], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.comments import Comment

    from booking_desktop.cli.output import EXCEL_CELL_CHARS, printable

    wb = Workbook(write_only=True)
    layouts: dict[tuple[str, ...], str] = {}
    for r in rows:
        layouts.setdefault(r.layout, r.file)
    if not layouts:
        layouts[("no rejected rows",)] = "rows"
    names = _sheet_names(list(layouts.items()))
    sheets = {}
    fills = {"error": _fill(ERROR_FILL), "warning": _fill(WARNING_FILL)}

    def safe(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        if ILLEGAL_CHARACTERS_RE.search(v):
            v = ILLEGAL_CHARACTERS_RE.sub(lambda m: printable(m.group(0)), v)
        return v[: EXCEL_CELL_CHARS - 40] + f"… (cut: {len(v):,} characters)" if len(v) > EXCEL_CELL_CHARS else v

    for (layout, _), name in zip(layouts.items(), names):
        ws = wb.create_sheet(name)
        ws.append([_text_cell(ws, safe(c)) for c in layout])
        sheets[layout] = ws
    for r in rows:
        ws = sheets[r.layout]
        out: list[Any] = []
        for i, (_, value) in enumerate(r.cells):
            marks = r.marks.get(i)
            if not marks and not (isinstance(value, str) and value[:1] == "="):
                out.append(safe(value))
                continue
            cell = _text_cell(ws, safe(value))
            if marks:
                worst = "error" if any(s == "error" for s, _ in marks) else "warning"
                cell.fill = fills[worst]
                text = "\n".join(f"{'Warning: ' if s == 'warning' else ''}{m}" for s, m in marks)
                cell.comment = Comment(safe(text), "Booking Desktop", height=120, width=320)
            out.append(cell)
        ws.append(out)
    _summary(wb.create_sheet("Summary"), rows)
    wb.active = len(wb.worksheets) - 1  # opens on the summary; the data stays the first sheet (module doc)
    wb.save(path)


def _text_cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def _summary(ws: Any, rows: list[_Row]) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)

    def line(*values: Any, strong: bool = False) -> None:
        cells = []
        for v in values:
            c = _text_cell(ws, v)
            if strong:
                c.font = bold
            cells.append(c)
        ws.append(cells)

    files = sorted({r.file for r in rows})
    line("Records we could not import", strong=True)
    line(f"{len(rows):,} record(s) from {', '.join(files) or 'no file'}")
    line("Please correct the coloured cells (red: must be corrected, yellow: please check) on the first "
         "sheet; each one carries a note that says what is wrong. Keep the header row and the columns as "
         "they are, and send the file back.")
    line()
    line("problem", "severity", "records", "what to do", "for example", strong=True)
    seen: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], str] = {}
    for r in rows:
        for sev, e in {(s, e.get("code")): (s, e) for s, e in r.problems}.values():
            key = (str(e.get("code")), sev)
            seen[key] += 1
            example.setdefault(key, str(e.get("message") or ""))
    for (code, sev), n in sorted(seen.items(), key=lambda kv: (kv[0][1] != "error", -kv[1], kv[0][0])):
        line(code, sev, n, WHAT_TO_DO.get(code, "correct the cell as its note says"), example[(code, sev)])
