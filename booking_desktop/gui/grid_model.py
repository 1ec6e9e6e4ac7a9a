"""The data grid's model: a QAbstractTableModel over a session's canonical text frame.

Why it looks like this (Spyder's DataFrame editor, done right): ``data()`` must
be O(1) at a million rows, so

* cell text comes from cached numpy object arrays, one per column (built off the
  UI thread by :func:`build_grid_data`; until a column is cached its cells are
  read straight from the pyarrow-backed frame, which is fast enough for the
  visible cells only);
* problems are precomputed into an ``int8`` severity matrix (rows x columns)
  and a sorted key array for tooltips (``row * n_cols + col`` -> messages), all
  built vectorized from the ProblemTable;
* the rows shown are a row-index array (``view row -> frame row``); "errors
  only", "warnings", "field X", text search and sorting produce that array with
  numpy/pyarrow (flatnonzero, argsort), never a QSortFilterProxyModel calling
  back into Python per row.

The model never opens dialogs: a rejected edit is reported through the
``edit_failed`` signal for the window to show.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont

from booking_desktop.errors import ProblemTable
from booking_desktop.gui import theme
from booking_desktop.session import WorkSession

log = logging.getLogger(__name__)

SEV_NONE, SEV_WARNING, SEV_ERROR = 0, 1, 2
MAX_TOOLTIP_MESSAGES = 8  # a cell with more problems shows the first few and a count
Index = QModelIndex | QPersistentModelIndex
# roles as plain ints: comparing against the enum members costs more than the lookup itself
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_EDIT = Qt.ItemDataRole.EditRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_ACCESSIBLE_DESCRIPTION = Qt.ItemDataRole.AccessibleDescriptionRole.value


# --------------------------------------------------------------------------- Qt-free part
@dataclass
class ProblemIndex:
    """Per-cell problems in arrays: O(1) colour, O(log n) tooltip."""

    severity: np.ndarray  # int8 (n_rows, n_cols)
    keys: np.ndarray  # int64 sorted, row * n_cols + col
    messages: np.ndarray  # object, aligned with keys: "code: message"
    row_keys: np.ndarray  # int64 sorted rows of *all* problems (also row-level ones)
    row_order: np.ndarray  # positions into the problem frame, aligned with row_keys
    counts_field_code: pd.DataFrame = field(default_factory=pd.DataFrame)
    row_any: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # row has a cell problem
    warning_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # row has a warning

    @classmethod
    def build(cls, problems: ProblemTable, fields: list[str], n_rows: int) -> ProblemIndex:
        f = problems.frame
        n_cols = len(fields)
        severity = np.zeros((n_rows, n_cols), dtype=np.int8)
        rows_all = f["row"].to_numpy(dtype=np.int64)
        row_order = np.argsort(rows_all, kind="stable")
        if len(f) == 0:
            empty = np.zeros(0, dtype=np.int64)
            no = np.zeros(n_rows, dtype=bool)
            return cls(severity, empty, np.zeros(0, dtype=object), empty, empty, _counts(f), no, no.copy())
        cols = pd.Categorical(f["field"].astype(object), categories=fields).codes.astype(np.int64)
        ok = (cols >= 0) & (rows_all >= 0) & (rows_all < n_rows)
        rows, cols = rows_all[ok], cols[ok]
        sev = np.where(f["severity"].to_numpy(dtype=object)[ok] == "error", SEV_ERROR, SEV_WARNING).astype(np.int8)
        by_sev = np.argsort(sev, kind="stable")  # errors written last win over warnings
        severity[rows[by_sev], cols[by_sev]] = sev[by_sev]
        keys = rows * n_cols + cols
        msgs = (f["code"].astype(object).astype(str) + ": " + f["message"].astype(object).astype(str)).to_numpy(
            dtype=object
        )[ok]
        order = np.argsort(keys, kind="stable")
        row_any = np.zeros(n_rows, dtype=bool)
        row_any[rows] = True
        warning_rows = np.zeros(n_rows, dtype=bool)
        warning_rows[rows[sev == SEV_WARNING]] = True
        return cls(
            severity, keys[order], msgs[order], rows_all[row_order], row_order, _counts(f), row_any, warning_rows
        )

    def messages_at(self, row: int, col: int, n_cols: int) -> list[str]:
        k = row * n_cols + col
        lo = int(np.searchsorted(self.keys, k, "left"))
        hi = int(np.searchsorted(self.keys, k, "right"))
        return [str(m) for m in self.messages[lo:hi]]

    def problem_positions_of_row(self, row: int) -> np.ndarray:
        lo = int(np.searchsorted(self.row_keys, row, "left"))
        hi = int(np.searchsorted(self.row_keys, row, "right"))
        return self.row_order[lo:hi]


def _counts(f: pd.DataFrame) -> pd.DataFrame:
    if len(f) == 0:
        return pd.DataFrame({"field": [], "code": [], "severity": [], "count": []})
    g = f.assign(field=f["field"].astype(object).fillna("(row)"))
    out = g.groupby(["field", "code", "severity"], sort=True, dropna=False).size().reset_index(name="count")
    return out


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


def build_grid_data(session: WorkSession, cache_columns: bool = False) -> GridData:
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


def fill_column_cache(data: GridData, session: WorkSession, cancelled: Any = None) -> GridData:
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


# --------------------------------------------------------------------------- filters
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


def filter_rows(session: WorkSession, data: GridData, flt: RowFilter) -> np.ndarray | None:
    """The frame rows to show, in order; ``None`` means all rows in file order."""
    if flt.is_identity:
        return None
    n = data.n_rows
    mask = np.ones(n, dtype=bool)
    if flt.mode == "errors":
        mask &= data.error_rows
    elif flt.mode == "warnings":
        mask &= data.problems.warning_rows
    elif flt.mode == "field" and flt.field in data.fields:
        mask &= data.problems.severity[:, data.fields.index(flt.field)] > SEV_NONE
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
        keys = sort_keys(session, data.fields[flt.sort_column]).iloc[rows]
        order = np.asarray(keys.argsort(kind="stable"))
        na = keys.isna().to_numpy()
        order = np.concatenate([order[~na[order]], order[na[order]]])  # missing values last either way
        if flt.sort_descending:
            valid = order[~na[order]][::-1]
            order = np.concatenate([valid, order[na[order]]])
        rows = rows[order]
    return rows


def sort_keys(session: WorkSession, name: str) -> pd.Series:
    """Numbers and dates sort by value (typed frame), the rest as text."""
    r = session.result
    typed = r.typed
    if name == "amount" and "amount_minor" in typed.columns:
        return typed["amount_minor"]
    if name in typed.columns and len(typed) == len(r.text):
        col = typed[name]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype):
            return col
    return r.text[name]


# --------------------------------------------------------------------------- the Qt model
class GridModel(QAbstractTableModel):
    """Adapter from a :class:`WorkSession` to Qt views.  Rows shown are ``self.rows``."""

    edit_failed = Signal(str)  # a readable message for the window
    problems_changed = Signal()  # counts/colours changed (error panel recounts)
    rows_changed = Signal()  # the set or order of rows shown changed
    deleted_changed = Signal()  # rows were deleted or restored
    _session_reset = Signal()  # marshal psygnal events from worker threads to the UI thread
    _session_cells = Signal(object, object, object)  # grid data, new problem index, error rows
    _session_deleted = Signal(object)

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self.session: WorkSession | None = None
        self.read_only = False  # set while a bulk edit runs on a worker
        self._deleted: np.ndarray | None = None
        self.data_: GridData | None = None
        self.rows: np.ndarray | None = None
        self.filter = RowFilter()
        self._italic = QFont()
        self._italic.setItalic(True)
        self._strike = QFont()
        self._strike.setStrikeOut(True)
        self._brushes: dict[int, QBrush] = {}
        self._session_reset.connect(self._on_reset)
        self._session_cells.connect(self._on_cells)
        self._session_deleted.connect(self._on_deleted)
        self.refresh_palette()

    # -- session -------------------------------------------------------------------
    def set_session(self, session: WorkSession | None, data: GridData | None = None) -> None:
        if self.session is not None:
            for sig, slot in (
                (self.session.reset, self._session_reset.emit),
                (self.session.cells_changed, self._prepare_cells),
                (self.session.deleted_changed, self._session_deleted.emit),
            ):
                sig.disconnect(slot)
        self.beginResetModel()
        self.session = session
        self._deleted = session.deleted if session is not None else None
        self.filter = RowFilter()
        self.rows = None
        self.data_ = None
        if session is not None:
            self.data_ = data if data is not None else build_grid_data(session)
            session.reset.connect(self._session_reset.emit)
            session.cells_changed.connect(self._prepare_cells)
            session.deleted_changed.connect(self._session_deleted.emit)
        self.endResetModel()
        self.problems_changed.emit()
        self.rows_changed.emit()

    def refresh_palette(self) -> None:
        self._brushes = {SEV_ERROR: theme.error_brush(), SEV_WARNING: theme.warning_brush()}
        self._muted = QBrush(theme.muted_text_color())

    @property
    def fields(self) -> list[str]:
        return self.data_.fields if self.data_ is not None else []

    # -- Qt model API (O(1) per call) ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.data_ is None:
            return 0
        return self.data_.n_rows if self.rows is None else int(self.rows.size)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.data_ is None:
            return 0
        return len(self.data_.fields)

    def frame_row(self, view_row: int) -> int:
        return view_row if self.rows is None else int(self.rows[view_row])

    def view_row(self, frame_row: int) -> int | None:
        """The view row showing ``frame_row`` (None when filtered out)."""
        if self.rows is None:
            return frame_row if self.data_ is not None and 0 <= frame_row < self.data_.n_rows else None
        hit = np.flatnonzero(self.rows == frame_row)
        return int(hit[0]) if hit.size else None

    def cell_text(self, r: int, c: int) -> str | None:
        d = self.data_
        assert d is not None
        if r < d.ready[c]:
            return d.columns[c][r]
        v = d.arrays[c][r]
        return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        d = self.data_
        if d is None:
            return None
        r = index.row()
        if r < 0:
            return None
        if self.rows is not None:
            r = int(self.rows[r])
        c = index.column()
        if role in (_DISPLAY, _EDIT):
            v = d.columns[c][r] if r < d.ready[c] else self.cell_text(r, c)
            return "" if v is None else v
        if role == _BACKGROUND:
            sev = d.problems.severity[r, c]
            return self._brushes[int(sev)] if sev else None
        if role == _TOOLTIP:
            msgs = d.problems.messages_at(r, c, len(d.fields))
            if not msgs:
                return None
            more = len(msgs) - MAX_TOOLTIP_MESSAGES
            shown = msgs[:MAX_TOOLTIP_MESSAGES] + ([f"… and {more} more"] if more > 0 else [])
            return "\n".join(shown)
        if role == _FOREGROUND:
            return self._muted if self._deleted is not None and self._deleted[r] else None
        if role == _FONT:
            if self._deleted is not None and self._deleted[r]:
                return self._strike
            if self.session is not None and self.session.is_edited(r, d.fields[c]):
                return self._italic
            return None
        if role == _ACCESSIBLE_DESCRIPTION:
            msgs = d.problems.messages_at(r, c, len(d.fields))
            return "; ".join(msgs) if msgs else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        d = self.data_
        if d is None or role not in (_DISPLAY, _TOOLTIP, _FOREGROUND):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(d.fields):
                return None
            if role == _DISPLAY:
                return d.fields[section]
            if role == _TOOLTIP and self.session is not None:
                src = self.session.result.mapping.get(d.fields[section])
                return f"{d.fields[section]} ← {src}" if src else f"{d.fields[section]} (not mapped)"
            return None
        if section < 0 or section >= (d.n_rows if self.rows is None else self.rows.size):
            return None
        r = section if self.rows is None else int(self.rows[section])
        if role == _DISPLAY:
            return str(r + 1)
        if role == _TOOLTIP and self.session is not None:
            locs = self.session.result.raw.locations
            return locs[r] if r < len(locs) else None
        if role == _FOREGROUND and self._deleted is not None and self._deleted[r]:
            return self._muted
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f if self.read_only else f | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.session is None or not index.isValid():
            return False
        if self.read_only:
            self.edit_failed.emit("An edit is still being applied; try again in a moment.")
            return False
        r = self.frame_row(index.row())
        field_name = self.fields[index.column()]
        try:
            self.session.set_cell(r, field_name, None if value is None else str(value))
        except (KeyError, IndexError, ValueError) as exc:
            self.edit_failed.emit(f"Could not change {field_name} of record {r + 1}: {exc}")
            return False
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.filter.sort_column = column
        self.filter.sort_descending = order == Qt.SortOrder.DescendingOrder
        self.apply_filter()

    # -- filtering -----------------------------------------------------------------------
    def set_filter(self, mode: str = "all", field_name: str | None = None, search: str | None = None) -> None:
        self.filter.mode = mode
        self.filter.field = field_name
        if search is not None:
            self.filter.search = search
        self.apply_filter()

    def set_search(self, text: str) -> None:
        self.filter.search = text
        self.apply_filter()

    def apply_filter(self) -> None:
        if self.session is None or self.data_ is None:
            return
        self.layoutAboutToBeChanged.emit()
        self.rows = filter_rows(self.session, self.data_, self.filter)
        self.layoutChanged.emit()
        self.rows_changed.emit()

    # -- session events (UI thread) ---------------------------------------------------------
    def _prepare_cells(self, rows: np.ndarray, fields: list[str]) -> None:
        """Session event, on whatever thread edited (a worker for bulk edits): do the heavy part here.

        Updates the converted cells and builds the new problem index off the UI
        thread when the edit ran on a worker; the UI thread then only swaps it in.
        """
        d, s = self.data_, self.session
        if d is None or s is None:
            return
        text = s.result.text
        with d.lock:
            for f in fields:
                c = d.fields.index(f)
                d.arrays[c] = text[f].array  # the edit replaced the column
                done = rows[rows < d.ready[c]]
                if done.size:
                    d.columns[c][done] = column_array(text[f].iloc[done])
        problems = ProblemIndex.build(s.result.problems, d.fields, d.n_rows)
        self._session_cells.emit(d, problems, np.asarray(s.result.error_rows, dtype=bool))

    def _on_cells(self, data: GridData, problems: ProblemIndex, error_rows: np.ndarray) -> None:
        if data is not self.data_:
            return  # the model was reset meanwhile
        data.problems = problems
        data.error_rows = error_rows
        self._all_changed()
        self.problems_changed.emit()

    def _on_deleted(self, rows: np.ndarray) -> None:
        self._all_changed()
        self.headerDataChanged.emit(Qt.Orientation.Vertical, 0, max(0, self.rowCount() - 1))
        self.deleted_changed.emit()

    def _on_reset(self) -> None:
        if self.session is None:
            return
        self.beginResetModel()
        keep = self.filter
        self.data_ = build_grid_data(self.session)
        self.rows = filter_rows(self.session, self.data_, keep)
        self.endResetModel()
        self.problems_changed.emit()
        self.rows_changed.emit()

    def _all_changed(self) -> None:
        """Problems can move to other rows (duplicates), so repaint everything; views only redraw visible cells."""
        n, m = self.rowCount(), self.columnCount()
        if n and m:
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, m - 1))


def next_problem(model: GridModel, view_row: int, col: int, forward: bool = True) -> tuple[int, int] | None:
    """The next (or previous) cell with a problem in view order, wrapping around; None when there is none.

    Vectorized: only the row-severity vector is scanned, then one row's columns.
    """
    d = model.data_
    if d is None or model.rowCount() == 0:
        return None
    sev = d.problems.severity
    view = np.arange(d.n_rows) if model.rows is None else model.rows
    row_has = d.problems.row_any[view] if model.rows is not None else d.problems.row_any
    n = view.size
    if not row_has.any():
        return None
    # same row first
    if 0 <= view_row < n:
        cells = np.flatnonzero(sev[view[view_row]])
        same = cells[cells > col] if forward else cells[cells < col][::-1]
        if same.size:
            return view_row, int(same[0])
    candidates = np.flatnonzero(row_has)
    if forward:
        after = candidates[candidates > view_row]
        vr = int(after[0]) if after.size else int(candidates[0])
        cells = np.flatnonzero(sev[view[vr]])
        return vr, int(cells[0])
    before = candidates[candidates < view_row]
    vr = int(before[-1]) if before.size else int(candidates[-1])
    cells = np.flatnonzero(sev[view[vr]])
    return vr, int(cells[-1])
