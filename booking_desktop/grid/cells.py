"""The cells a grid shows: per-column object arrays converted off the UI thread, plus the problem
index and the error rows.  Qt-free (built on worker threads).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from booking_desktop.grid.problems import ProblemIndex
from booking_desktop.grid.source import TableSource


@dataclass
class GridData:
    """Everything the model reads, built in one go (in a worker for big files).

    ``columns[c][:ready[c]]`` is converted; rows beyond are read from the live
    frame until the background fill reaches them.  ``lock`` orders the fill
    against edits so an edit is never overwritten by a stale chunk.
    """

    fields: list[str]
    n_rows: int
    columns: list[np.ndarray]
    ready: list[int]
    arrays: list[Any]  # the frame's column arrays (pyarrow-backed), the fallback for unconverted rows
    problems: ProblemIndex
    error_rows: np.ndarray
    lock: threading.Lock = field(default_factory=threading.Lock)


FIRST_CHUNK_ROWS = 2_000  # converted at once: the first screenful (and autosizing) never waits
FILL_CHUNK_ROWS = 50_000  # per step of the background fill: ~10-30 ms holding the GIL
FILL_PAUSE_S = 0.003  # between steps, so the UI thread gets the GIL


def column_array(series: pd.Series) -> np.ndarray:
    """Object array of ``str | None`` (missing as None, so ``data()`` needs no isna call)."""
    return series.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]  # pandas-stubs: na_value=None


def build_grid_data(session: TableSource, cache_columns: bool = False) -> GridData:
    """Qt-free; safe to call on a worker thread while the UI shows the previous data."""
    r = session.result
    fields = [str(c) for c in r.text.columns]
    n = len(r.text)
    cols = [np.empty(n, dtype=object) for _ in fields]
    first = n if cache_columns else min(n, FIRST_CHUNK_ROWS)
    for i, f in enumerate(fields):
        cols[i][:first] = column_array(r.text[f].iloc[:first])
    return GridData(
        fields,
        n,
        cols,
        [first] * len(fields),
        [r.text[f].array for f in fields],
        ProblemIndex.build(r.problems, fields, n),
        np.asarray(r.error_rows, dtype=bool),
    )


def fill_column_cache(data: GridData, session: TableSource, cancelled: Any = None) -> GridData:
    """Convert the rest of every column, chunk by chunk (worker thread).

    Short chunks with a pause between them keep the UI thread's share of the
    GIL: one million-row conversion would hold it for most of a second.
    """
    for i, f in enumerate(data.fields):
        while data.ready[i] < data.n_rows:
            if cancelled is not None and cancelled():
                return data
            with data.lock:
                text = session.result.text
                if f not in text.columns or len(text) != data.n_rows:
                    return data
                a = data.ready[i]
                b = min(data.n_rows, a + FILL_CHUNK_ROWS)
                data.columns[i][a:b] = column_array(text[f].iloc[a:b])
                data.ready[i] = b
            time.sleep(FILL_PAUSE_S)
    return data


def refresh_cells(
    data: GridData, session: TableSource, rows: np.ndarray, fields: list[str]
) -> tuple[ProblemIndex, np.ndarray]:
    """After an edit of ``rows`` x ``fields``: the converted cells updated (under the fill's lock),
    and the new problem index and error rows, for the UI thread to swap in.  Runs on whatever
    thread edited (a worker for bulk edits)."""
    text = session.result.text
    with data.lock:
        for f in fields:
            c = data.fields.index(f)
            data.arrays[c] = text[f].array  # the edit replaced the column
            done = rows[rows < data.ready[c]]
            if done.size:
                data.columns[c][done] = column_array(text[f].iloc[done])
    problems = ProblemIndex.build(session.result.problems, data.fields, data.n_rows)
    return problems, np.asarray(session.result.error_rows, dtype=bool)
