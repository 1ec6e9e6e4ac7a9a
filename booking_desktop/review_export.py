"""The vendor's error report: their rejected records in their own layout (their headers, their
column order, their raw values), every bad cell filled and carrying its message as a comment
(warnings in a second colour), plus a summary of the problems and what to do.  XLSX or CSV.

The XLSX is written with XlsxWriter in ``constant_memory`` mode as the rows come from the queue
(openpyxl's write-only mode took 55.6 s for 100,000 rows, most of it in its cell and comment
serialisers; bench/RESULTS.md): the rows are not held, only the counts of the summary and the
comments (which XlsxWriter writes when the file is closed).  The summary is the first sheet; its
first cell is :data:`~booking_desktop.readers.excel_reader.REPORT_SUMMARY_MARK`, by which the
Excel reader passes over it, so the file the vendor sends back corrected imports with the same
profile as it is (tests/storage/test_review_export.py).  Every value is written as a string cell,
so a value starting with ``=``, ``+``, ``-`` or ``@`` stays inert text and is kept exactly; the
CSV, which has no cell types, prefixes such text with ``'`` (cli/output.py: a spreadsheet would
run it) — it is a report, the XLSX is the file to correct and send back.

Rows of several layouts (files) go to one sheet per layout in the XLSX; the CSV takes the union of
the columns in the order they are first seen.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booking_desktop.cli.output import EXCEL_CELL_CHARS, printable
from booking_desktop.readers.excel_reader import REPORT_SUMMARY_MARK
from booking_desktop.storage.imports import UNENCODABLE, restored

if TYPE_CHECKING:
    from booking_desktop.storage.review import ReviewFilter, ReviewQueue

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
SHEET_NAME_CHARS = 31
SUMMARY = "Summary"
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


def _columns_of(profile: Any, field: str | None) -> list[str]:
    if profile is None or field is None:
        return []
    from booking_desktop.mapping.spec import spec_columns

    spec = (getattr(profile, "fields", None) or {}).get(field)
    return spec_columns(spec) if spec else []


def _restored(v: Any) -> Any:
    """:func:`restored`, without walking what holds no stored text (most values: plain strings)."""
    if isinstance(v, list):
        return [_restored(x) for x in v]
    if isinstance(v, dict) and (UNENCODABLE in v or any(isinstance(x, dict | list) for x in v.values())):
        return restored(v)
    return v


class _Row:
    """One rejected record: its cells and which of them carry which messages."""

    def __init__(self, doc: dict[str, Any], profile: Any, columns: dict[Any, list[str]] | None = None):
        d = {k: _restored(doc.get(k)) for k in ("errors", "warnings", "file_name")}
        columns = {} if columns is None else columns
        raw = doc.get("raw") or []
        self.cells: list[tuple[str, Any]] = (
            [(str(_restored(k)), _restored(v)) for k, v in raw.items()] if isinstance(raw, dict)
            else [(str(_restored(c.get("column"))), _restored(c.get("value"))) for c in raw]
        )
        self.layout = tuple(c for c, _ in self.cells)
        self.file = str(d.get("file_name") or "rows")
        self.marks: dict[int, list[tuple[str, str]]] = {}  # cell index -> [(severity, message)]
        self.problems: list[tuple[str, dict[str, Any]]] = []
        index = {c: i for i, (c, _) in reversed(list(enumerate(self.cells)))}
        for severity, items in (("error", d.get("errors") or []), ("warning", d.get("warnings") or [])):
            for e in items:
                self.problems.append((severity, e))
                key = (id(profile), e.get("field"))
                if key not in columns:
                    columns[key] = _columns_of(profile, e.get("field"))
                at = [index[c] for c in columns[key] if c in index]
                if not at and e.get("value") is not None:  # no profile: the cell holding the value
                    at = [i for i, (_, v) in enumerate(self.cells) if v == e.get("value")][:1]
                for i in at or [0]:
                    self.marks.setdefault(i, []).append((severity, str(e.get("message") or e.get("code"))))


READ_AHEAD = 2000  # rows read from the server while the previous ones are written


def _rows(queue: ReviewQueue, flt: ReviewFilter) -> Iterator[_Row]:
    columns: dict[Any, list[str]] = {}  # (profile, field) -> the vendor's columns
    for doc in _read_ahead(queue.iter_rows(flt)):
        yield _Row(doc, queue.rules.profile(doc.get("import_id")), columns)


def _read_ahead(docs: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The documents, the next :data:`READ_AHEAD` of them read in a thread while these are written:
    the server's time (another process) and ours overlap; two batches at most are held."""
    from concurrent.futures import ThreadPoolExecutor
    from itertools import islice

    def take() -> list[dict[str, Any]]:
        return list(islice(docs, READ_AHEAD))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-read") as pool:
        batch = pool.submit(take)
        while chunk := batch.result():
            batch = pool.submit(take)
            yield from chunk


def export_report(queue: ReviewQueue, flt: ReviewFilter, path: str | Path) -> dict[str, Any]:
    """Write the report of the rows ``flt`` selects to ``path`` (.xlsx or .csv); returns counts."""
    path = Path(path)
    tally = _Tally()
    if path.suffix.lower() == ".csv":
        _write_csv(tally.each(_rows(queue, flt)), path)
    elif path.suffix.lower() == ".xlsx":
        _write_xlsx(tally.each(_rows(queue, flt)), tally, path)
    else:
        raise ValueError(f"{path.name}: the report is written as .xlsx or .csv")
    return {
        "rows": tally.rows,
        "files": len(tally.files),
        "out": str(path),
        "problems": [{"severity": s, "code": c, "count": n} for (s, c), n in tally.problems.most_common()],
    }


class _Tally:
    """What the summary says, counted as the rows go by (the rows themselves are not kept)."""

    def __init__(self) -> None:
        self.rows = 0
        self.files: dict[str, None] = {}
        self.problems: Counter[tuple[str, Any]] = Counter()  # problems per (severity, code)
        self.records: Counter[tuple[str, str]] = Counter()  # records per (code, severity)
        self.example: dict[tuple[str, str], str] = {}

    def each(self, rows: Iterator[_Row]) -> Iterator[_Row]:
        for r in rows:
            self.rows += 1
            self.files.setdefault(r.file, None)
            self.problems.update((sev, e.get("code")) for sev, e in r.problems)
            for sev, e in {(s, e.get("code")): (s, e) for s, e in r.problems}.values():
                key = (str(e.get("code")), sev)
                self.records[key] += 1
                self.example.setdefault(key, str(e.get("message") or ""))
            yield r


def _write_csv(rows: Iterator[_Row], path: Path) -> None:
    """The union of the layouts is known only at the end: the cells are held (a report: the
    XLSX is the file to send back, and it streams)."""
    import pandas as pd

    from booking_desktop.cli.output import defuse_csv_column

    columns: dict[str, None] = {}
    cells: list[dict[str, Any]] = []
    for r in rows:
        for c in r.layout:
            columns.setdefault(c, None)
        cells.append({c: _unicode(v) for c, v in r.cells})
    names = list(columns)
    frame = pd.DataFrame(cells, columns=names, dtype=object)
    for c in names:
        frame[c] = defuse_csv_column(frame[c])
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(names)
        writer.writerows(["" if v is None or v is pd.NA else v for v in row] for row in frame.itertuples(index=False))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _unicode(v: Any) -> Any:
    """A lone surrogate (text that was not valid Unicode, kept so by the queue) as its escape: a
    UTF-8 file cannot hold it."""
    if isinstance(v, str) and _SURROGATE.search(v):
        return v.encode("utf-8", "backslashreplace").decode("utf-8")
    return v


_INVALID_TITLE = re.compile(r"[\\*?:/\[\]\x00-\x1f\ud800-\udfff\ufffe\uffff]")


class _SheetNames:
    """Excel's rules for sheet names: 31 characters, none of ``\\*?:/[]`` nor what XML cannot hold,
    not starting or ending with an apostrophe, unique whatever the case (``Summary`` is taken)."""

    def __init__(self) -> None:
        self.taken = {SUMMARY.lower()}

    def new(self, file: str) -> str:
        base = _INVALID_TITLE.sub("_", Path(file).stem)[: SHEET_NAME_CHARS - 5].strip("'") or "rows"
        name, n = base, 2
        while name.lower() in self.taken:
            name, n = f"{base} ({n})", n + 1
        self.taken.add(name.lower())
        return name


def _safe(v: Any) -> str:
    """A value as the text of a cell: control characters shown as escapes (cli/output.py), and cut
    at Excel's limit with a note that says so (a longer cell makes Excel "repair" the file)."""
    v = v if isinstance(v, str) else str(v)
    if v.isprintable() and len(v) <= EXCEL_CELL_CHARS:  # most values: nothing to do
        return v
    if _ILLEGAL.search(v):
        v = _ILLEGAL.sub(lambda m: printable(m.group(0)), v)
    return v[: EXCEL_CELL_CHARS - 40] + f"… (cut: {len(v):,} characters)" if len(v) > EXCEL_CELL_CHARS else v


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what an XLSX cannot hold (openpyxl's list)


def _write_xlsx(rows: Iterator[_Row], tally: _Tally, path: Path) -> None:
    from booking_desktop.xlsx_stream import ERROR, NORMAL, WARNING, StreamingWorkbook

    wb = StreamingWorkbook(path, fills=(ERROR_FILL, WARNING_FILL))
    try:
        summary = wb.add_sheet(SUMMARY)  # first: what the vendor reads first
        names = _SheetNames()
        sheets: dict[tuple[str, ...], Any] = {}
        for r in rows:
            ws = sheets.get(r.layout)
            if ws is None:
                ws = sheets[r.layout] = wb.add_sheet(names.new(r.file))
                ws.append([(_safe(c), NORMAL) for c in r.layout])
            marks = r.marks
            if not marks:
                ws.append([(None if v is None else _safe(v), NORMAL) for _, v in r.cells])
                continue
            cells, notes = [], []
            for i, (_, value) in enumerate(r.cells):
                m = marks.get(i)
                text = None if value is None else _safe(value)
                if m:
                    cells.append((text, ERROR if any(s == "error" for s, _ in m) else WARNING))
                    notes.append((i, "\n".join(f"{'Warning: ' if s == 'warning' else ''}{msg}" for s, msg in m)))
                else:
                    cells.append((text, NORMAL))
            at = ws.append(cells)
            for i, note in notes:
                ws.comment(at, i, _safe(note))
        if not sheets:
            wb.add_sheet(names.new("rows")).append([("no rejected rows", NORMAL)])
        _summary(summary, tally)
        wb.widths[SUMMARY] = {0: 28, 3: 60, 4: 80}
        wb.close()
    except BaseException:
        wb.tmp.cleanup()
        raise


def _summary(ws: Any, tally: _Tally) -> None:
    from booking_desktop.xlsx_stream import BOLD, NORMAL

    def line(*values: Any, strong: bool = False) -> None:
        ws.append([(v if isinstance(v, int) else _safe(v), BOLD if strong else NORMAL) for v in values])

    files = list(tally.files)
    line(REPORT_SUMMARY_MARK, strong=True)
    line(f"{tally.rows:,} record(s) from {', '.join(sorted(files)) or 'no file'}")
    line("Please correct the coloured cells (red: must be corrected, yellow: please check) on the sheet(s) "
         "after this one; each carries a note that says what is wrong. Keep the header row and the columns as "
         "they are, keep this sheet or delete it, and send the file back.")
    line()
    line("problem", "severity", "records", "what to do", "for example", strong=True)
    for (code, sev), n in sorted(tally.records.items(), key=lambda kv: (kv[0][1] != "error", -kv[1], kv[0][0])):
        line(code, sev, n, WHAT_TO_DO.get(code, "correct the cell as its note says"), tally.example[(code, sev)])
