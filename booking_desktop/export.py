"""The canonical rows of a validated file, written out so that an operator can inspect and diff
what an import would commit (``validate --output rows.csv|.jsonl|.xlsx``).

One row per record: its record number, where it is in the file, its ``row_status`` (``valid``,
``warning``: valid with warnings, ``invalid``: kept out of the commit), the problems found in
it (``field:code``), then the stored booking fields as the commit engine stores them
(:meth:`BookingMapper.values`: dates ``YYYY-MM-DD``, date-times ISO 8601 in UTC, the amount as
its exact decimal text, ``amount_minor`` in minor units).  Missing values are empty cells /
``null``.  Nothing here imports Qt.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from booking_desktop.pipeline import PipelineResult

FORMATS = (".csv", ".jsonl", ".xlsx")
LEAD_COLUMNS = ("record", "location", "row_status", "problems")  # "status" is the booking's
XLSX_MAX_ROWS = 1_048_575  # a worksheet's rows, less the header


DATE_FIELDS = ("check_in", "check_out")  # stored as midnight UTC, shown as the day


def stored_fields() -> tuple[str, ...]:
    from booking_desktop.storage.mapper import STORED_FIELDS

    return STORED_FIELDS


def canonical_rows(result: PipelineResult | None) -> tuple[list[str], dict[str, np.ndarray]]:
    """(column names, one object array per column) of the rows ``result`` would commit.

    ``None`` (a file with nothing mapped) gives the columns and no rows."""
    names = [*LEAD_COLUMNS, *stored_fields()]
    if result is None:
        return names, {n: np.empty(0, dtype=object) for n in names}
    from booking_desktop.storage.mapper import BookingMapper

    n = len(result.typed)
    records = result.record_numbers_array()
    status = np.full(n, "valid", dtype=object)
    problems = np.full(n, None, dtype=object)
    frame = result.problems.frame
    if len(frame):
        rows = frame["row"].to_numpy(dtype=np.int64)
        warned = rows[(frame["severity"] == "warning").to_numpy()]
        status[np.unique(warned[warned < n])] = "warning"
        text = frame["field"].fillna("").astype(str) + ":" + frame["code"].astype(str)
        joined = text.groupby(rows).agg("; ".join)
        keep = joined.index.to_numpy() < n
        problems[joined.index.to_numpy()[keep]] = joined.to_numpy()[keep]
    status[np.asarray(result.error_rows, dtype=bool)] = "invalid"
    cols: dict[str, np.ndarray] = {
        "record": records.astype(object),
        "location": _locations(result, records),
        "row_status": status,
        "problems": problems,
    }
    values = BookingMapper().values(result.typed)
    for name in stored_fields():
        day = name in DATE_FIELDS
        cols[name] = np.asarray([_plain(v, day) for v in values[name]], dtype=object)
    return names, cols


def write_rows(result: PipelineResult | None, path: Path) -> int:
    """Write the canonical rows to ``path`` (format by suffix); return how many were written.

    Raises ValueError for an unsupported suffix or more rows than a worksheet holds, OSError when
    the file cannot be written."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"the output must end in {', '.join(FORMATS)}")
    names, cols = canonical_rows(result)
    n = len(cols["record"])
    if suffix == ".xlsx" and n > XLSX_MAX_ROWS:
        raise ValueError(f"{n:,} rows do not fit in a worksheet ({XLSX_MAX_ROWS:,} at most); write .csv or .jsonl")
    rows = _rows(names, cols)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(names)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
    elif suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
    else:
        _write_xlsx(path, names, rows)
    return n


def _rows(names: list[str], cols: dict[str, np.ndarray]) -> Iterator[tuple[Any, ...]]:
    return zip(*(cols[n] for n in names), strict=True)


def _write_xlsx(path: Path, names: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """Streamed (write-only) workbook; every text cell is written as text, so a value such as
    ``=HYPERLINK(...)`` a vendor sent shows as what it is and never runs as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    ws.append(names)

    def cell(v: Any) -> Any:
        if not isinstance(v, str):
            return v
        c = WriteOnlyCell(ws, value=v)
        c.data_type = "s"
        return c

    for row in rows:
        ws.append([cell(v) for v in row])
    wb.save(path)


def _locations(result: PipelineResult, records: np.ndarray) -> np.ndarray:
    locs = result.raw.locations
    template = locs.template.replace("{{", "\0").replace("}}", "\1")
    head, _, tail = template.partition("{}")
    head, tail = (s.replace("\0", "{").replace("\1", "}") for s in (head, tail))
    numbers = locs.numbers[np.clip(records - 1, 0, max(len(locs) - 1, 0))] if len(locs) else records
    out = np.char.add(np.char.add(head, numbers.astype(str)), tail) if len(numbers) else np.empty(0, dtype=str)
    return out.astype(object)


def _plain(v: Any, day: bool = False) -> Any:
    """A stored value as text/number for a file: dates ISO (a check-in as its day), NA -> None."""
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date().isoformat() if day else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if v is pd.NaT:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v
