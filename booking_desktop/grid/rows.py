"""Which rows a grid shows and in what order: filters (errors, warnings, a field, a text search) and
sorting produce a row-index array with numpy/pyarrow, never a Python call per row.  Qt-free.

Sorting puts the cells with an error in the sorted column first in both directions (where a user
looks for them), the same bad value together and the missing ones after them, then the valid values
in order (numbers, amounts and dates by value), then the empty optional ones; the whole order is
computed before it is shown (on a worker for big tables), so a half-applied order is never on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.grid.cells import GridData
from booking_desktop.grid.problems import SEV_ERROR, SEV_NONE, live_rows
from booking_desktop.grid.source import TableSource


@dataclass
class RowFilter:
    mode: str = "all"  # "all" | "errors" | "warnings" | "field"
    field: str | None = None  # for mode "field": rows with a problem in this field
    search: str = ""  # case-insensitive substring in any column
    sort_column: int = -1
    sort_descending: bool = False

    @property
    def is_identity(self) -> bool:
        return self.mode == "all" and not self.search and self.sort_column < 0


def filter_rows(session: TableSource, data: GridData, flt: RowFilter) -> np.ndarray | None:
    """The frame rows to show, in order; ``None`` means all rows in file order."""
    if flt.is_identity:
        return None
    n = data.n_rows
    mask = np.ones(n, dtype=bool)
    deleted = _deleted_of(session, n)
    if flt.mode == "errors":  # a deleted row's problems are not the operator's to fix any more
        mask &= live_rows(data.error_rows, deleted)
    elif flt.mode == "warnings":
        mask &= live_rows(data.problems.warning_rows, deleted)
    elif flt.mode == "field" and flt.field in data.fields:
        mask &= live_rows(data.problems.severity[:, data.fields.index(flt.field)] > SEV_NONE, deleted)
    text = session.result.text
    if flt.search:
        hit = np.zeros(n, dtype=bool)
        needle = flt.search.casefold()
        for f in data.fields:
            col = text[f]
            cand = mask & ~hit
            if not cand.any():
                break
            sub = col[cand] if cand.sum() < n else col
            m = sub.str.casefold().str.contains(needle, regex=False).fillna(False).to_numpy(dtype=bool)
            if sub is col:
                hit |= m
            else:
                hit[np.flatnonzero(cand)[m]] = True
        mask &= hit
    rows = np.flatnonzero(mask)
    if 0 <= flt.sort_column < len(data.fields):
        rows = sorted_rows(session, data, rows, flt.sort_column, flt.sort_descending)
    return rows


def sorted_rows(session: TableSource, data: GridData, rows: np.ndarray, column: int, descending: bool) -> np.ndarray:
    """``rows`` ordered by the column: cells with an error in it first whichever the direction (where
    a user looks for them), grouped by their text (the same bad value together, case-folded, the
    empty ones last in the group), then the valid values in order (numbers, amounts and dates by
    value), then the missing ones.

    Arrow sorts (it releases the GIL, so a worker thread sorting a million rows leaves the UI
    thread free); a stable sort keeps equal values in file order.
    """
    name = data.fields[column]
    invalid = data.problems.severity[rows, column] == SEV_ERROR
    bad_rows, good_rows = rows[invalid], rows[~invalid]
    keys = _arrow(sort_keys(session, name))
    order = np.asarray(
        pc.array_sort_indices(
            keys.take(pa.array(good_rows)), order="descending" if descending else "ascending", null_placement="at_end"
        )
    )
    if bad_rows.size > 1:
        text = _arrow(session.result.text[name]).take(pa.array(bad_rows))
        bad_rows = bad_rows[np.asarray(pc.array_sort_indices(text, null_placement="at_end"))]
    return np.concatenate([bad_rows, good_rows[order]])


def _arrow(keys: pd.Series) -> pa.Array:
    """The sort keys as one Arrow array (text compares as the user sees it: case-folded)."""
    if pd.api.types.is_datetime64_any_dtype(keys.dtype):
        return pa.array(keys.to_numpy(dtype="datetime64[ns]"), mask=keys.isna().to_numpy())
    if pd.api.types.is_numeric_dtype(keys.dtype):
        values = keys.astype("Float64") if str(keys.dtype) in ("Int64", "Int32", "boolean") else keys
        return pa.array(values.to_numpy(dtype="float64", na_value=np.nan), mask=keys.isna().to_numpy())
    arr = pa.array(keys.array, type=pa.large_string()) if not isinstance(keys.array, pa.Array) else keys.array
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.utf8_lower(arr)


def sort_keys(session: TableSource, name: str) -> pd.Series:
    """Numbers and dates sort by value (typed frame), the amount by its decimal value, the rest as text.

    The amount is read from its canonical text, not from ``amount_minor``: minor units compare
    amounts of different currencies wrongly (300 JPY is 300 of them, 5.00 EUR 500) and are missing
    when only the currency is invalid."""
    r = session.result
    typed = r.typed
    if name == "amount":
        return decimal_values(r.text[name])
    if name in typed.columns and len(typed) == len(r.text):
        col = typed[name]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype):
            return col
    return r.text[name]


def _deleted_of(session: TableSource, n: int) -> np.ndarray | None:
    deleted = getattr(session, "deleted", None)
    return deleted if isinstance(deleted, np.ndarray) and deleted.size == n else None


_PLAIN_DECIMAL = r"^[+-]?\d+(?:\.\d+)?$"


def decimal_values(text: pd.Series) -> pd.Series:
    """Canonical decimal text (``1234.50``) as float64 for ordering; anything else is missing.
    (Doubles order amounts exactly up to 15 significant digits, far beyond any booking.)"""
    arr = pa.array(text.array, type=pa.large_string()) if not isinstance(text.array, pa.Array) else text.array
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_DECIMAL), False)
    values = pc.cast(pc.if_else(plain, arr, pa.scalar(None, arr.type)), pa.float64())
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index, dtype="float64").where(
        np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)
    )


def next_problem_in(
    data: GridData,
    rows: np.ndarray | None,
    view_row: int,
    col: int,
    forward: bool = True,
    deleted: np.ndarray | None = None,
    columns: np.ndarray | list[int] | None = None,
):
    """The next (or previous) cell with a problem in view order, wrapping around; None when there is none.

    ``rows`` is the view's row-index array (None: all rows in file order); rows marked in
    ``deleted`` are skipped; ``columns`` are the column indexes left to right as the view shows
    them (None: in order), so that a row is walked as the operator reads it.  ``col`` and the
    column returned are column indexes.  Vectorized: only the row-severity vector is scanned, then
    one row's columns.
    """
    sev = data.problems.severity
    order = np.arange(sev.shape[1]) if columns is None else np.asarray(columns, dtype=np.int64)
    view = np.arange(data.n_rows) if rows is None else rows
    row_any = live_rows(data.problems.row_any, deleted)
    row_has = row_any[view] if rows is not None else row_any
    n = view.size
    if n == 0 or not row_has.any():
        return None

    def cells(view_row: int) -> np.ndarray:  # visual positions of the row's problem cells
        return np.flatnonzero(sev[view[view_row]][order])

    if 0 <= view_row < n and row_has[view_row]:  # same row first
        at = np.flatnonzero(order == col)
        pos = int(at[0]) if at.size else (-1 if forward else order.size)
        here = cells(view_row)
        same = here[here > pos] if forward else here[here < pos][::-1]
        if same.size:
            return view_row, int(order[same[0]])
    candidates = np.flatnonzero(row_has)
    if forward:
        after = candidates[candidates > view_row]
        vr = int(after[0]) if after.size else int(candidates[0])
        return vr, int(order[cells(vr)[0]])
    before = candidates[candidates < view_row]
    vr = int(before[-1]) if before.size else int(candidates[-1])
    return vr, int(order[cells(vr)[-1]])
