"""A page of the review queue's rejected rows as a :class:`~booking_desktop.grid.TableSource`, so the
Review page shows and edits them in the same grid as the Import page (``gui.grid_model.GridModel``
over this package), not in a copy of it.  Qt-free.

An edit is not applied here: :meth:`ReviewTable.set_cell` shows the typed value at once (in italics,
as every edited cell), marks the cell as being saved and emits :attr:`ReviewTable.edit_requested`
with a :class:`CellEdit`; whoever owns the table sends it to the queue (``ReviewQueue.fix``, which
re-validates the row with the vendor's profile rules and the database's duplicates) and then calls
:meth:`ReviewTable.saved` with the row as the queue now holds it, or :meth:`ReviewTable.refused`,
which puts the old value back.  Nothing the supervisor typed is lost silently: a refused edit says
why, through the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from psygnal import Signal

from booking_desktop.errors import PROBLEM_COLUMNS, ProblemTable
from booking_desktop.schema import CANONICAL_FIELDS

OPEN = "open"


@dataclass(frozen=True)
class CellEdit:
    """One cell the supervisor changed: what the queue is asked to store."""

    row: int  # position in the table
    row_id: str
    record: int | None
    field: str
    old: str | None
    new: str | None
    version: int  # the row's version the edit was made on (optimistic concurrency)

    @property
    def label(self) -> str:
        return f"Fix {self.field} of record {self.record}" if self.record is not None else f"Fix {self.field}"


@dataclass
class ReviewResult:
    """What the grid reads from a source's ``result`` (the PipelineResult surface it uses)."""

    text: pd.DataFrame
    problems: ProblemTable
    error_rows: np.ndarray
    raw: Any  # ``.locations[i]``: where row i came from
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class _Raw:
    locations: list[str]


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def problems_of(rows: Sequence[dict[str, Any]]) -> ProblemTable:
    """The rows' stored errors and warnings as one problem table (row = position in ``rows``)."""
    recs: list[tuple[Any, ...]] = []
    for i, r in enumerate(rows):
        for sev, key in (("error", "errors"), ("warning", "warnings")):
            for e in r.get(key) or ():
                recs.append((i, e.get("field"), str(e.get("code") or ""), sev, _text(e.get("value")),
                             str(e.get("message") or "")))
    frame = pd.DataFrame(recs, columns=PROBLEM_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    return ProblemTable(frame)


class ReviewTable:
    """Rows of the review queue (``row_view`` dicts, as ``ReviewQueue.page`` gives them)."""

    reset = Signal()
    cells_changed = Signal(object, object)  # rows: np.ndarray, fields: list[str]
    deleted_changed = Signal(object)  # never emitted: a rejected row is discarded, not deleted
    edit_requested = Signal(object)  # CellEdit

    def __init__(self, rows: Sequence[dict[str, Any]], fields: Sequence[str] = CANONICAL_FIELDS):
        self.rows: list[dict[str, Any]] = list(rows)
        self.fields = list(fields)
        self.deleted = np.zeros(len(self.rows), dtype=bool)
        self.pending: dict[tuple[int, str], CellEdit] = {}
        self._fixed_here: set[tuple[str, str]] = set()  # (row id, field) changed in this window
        text = pd.DataFrame(
            {f: pd.array([_text((r.get("mapped") or {}).get(f)) for r in self.rows], dtype="string")
             for f in self.fields}
        )
        self.result = ReviewResult(text, problems_of(self.rows), self._error_rows(), _Raw(self._locations()),
                                   {f: "the canonical value (the vendor's own cells are in the row's details)"
                                    for f in self.fields})

    # -- what the grid reads ---------------------------------------------------------------
    def _error_rows(self) -> np.ndarray:
        return np.array([bool(r.get("errors")) for r in self.rows], dtype=bool)

    def _locations(self) -> list[str]:
        return [" ".join(str(x) for x in (r.get("file"), r.get("location")) if x) for r in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def is_edited(self, row: int, field: str) -> bool:
        """A cell a supervisor changed (now or before: the row keeps what the import queued)."""
        r = self.rows[row]
        return (row, field) in self.pending or (r["id"], field) in self._fixed_here or field in (r.get("fixed") or ())

    def value(self, row: int, field: str) -> str | None:
        v = self.result.text[field].iat[row]
        return None if pd.isna(v) else str(v)  # type: ignore[arg-type]  # pandas-stubs: iat's scalars > isna's

    def row_of(self, row_id: str) -> int | None:
        for i, r in enumerate(self.rows):
            if r["id"] == row_id:
                return i
        return None

    def editable(self, row: int) -> str | None:
        """Why row ``row`` cannot be edited (None: it can)."""
        r = self.rows[row]
        if r.get("status", OPEN) != OPEN:
            return (f"record {r.get('record')} is {r.get('status')}; only open rows can be fixed"
                    + (" (reopen it first)" if r.get("status") == "discarded" else ""))
        return None

    # -- edits -------------------------------------------------------------------------------
    def set_cell(self, row: int, field: str, value: str | None) -> None:
        if field not in self.fields:
            raise KeyError(field)
        why = self.editable(row)
        if why:
            raise ValueError(why)
        if (row, field) in self.pending:
            raise ValueError("the last change of this cell is still being saved; try again in a moment")
        new = value.strip() if isinstance(value, str) else None
        new = new or None
        old = self.value(row, field)
        if new == old:
            return
        r = self.rows[row]
        edit = CellEdit(row, r["id"], r.get("record"), field, old, new, int(r.get("version") or 0))
        self.pending[(row, field)] = edit
        self._put(row, field, new)
        self.cells_changed.emit(np.array([row], dtype=np.int64), [field])
        self.edit_requested.emit(edit)

    def _put(self, row: int, field: str, value: str | None) -> None:
        self.result.text.loc[row, field] = pd.NA if value is None else value

    def saved(self, edit: CellEdit, view: dict[str, Any]) -> None:
        """The queue stored ``edit``; ``view`` is the row as it is now (errors re-validated)."""
        self.pending.pop((edit.row, edit.field), None)
        self._fixed_here.add((edit.row_id, edit.field))
        self.replace_row(edit.row, view)

    def refused(self, edit: CellEdit, view: dict[str, Any] | None = None) -> None:
        """The queue did not store ``edit``: the cell shows what it held before (or, with ``view``,
        the row as someone else left it)."""
        self.pending.pop((edit.row, edit.field), None)
        if view is not None:
            self.replace_row(edit.row, view)
            return
        self._put(edit.row, edit.field, edit.old)
        self.cells_changed.emit(np.array([edit.row], dtype=np.int64), [edit.field])

    def replace_row(self, row: int, view: dict[str, Any]) -> None:
        """Row ``row`` as the queue holds it now: its values, problems, status and version."""
        keep = {k: view[k] for k in view if k != "history"}
        self.rows[row] = keep
        for f in self.fields:
            if (row, f) not in self.pending:  # a cell still being saved keeps what was typed
                self._put(row, f, _text((keep.get("mapped") or {}).get(f)))
        self.result.problems = problems_of(self.rows)
        self.result.error_rows = self._error_rows()
        self.result.raw = _Raw(self._locations())
        self.cells_changed.emit(np.array([row], dtype=np.int64), list(self.fields))

    # -- what the page asks -------------------------------------------------------------------
    def ids(self, rows: Sequence[int]) -> list[str]:
        return [self.rows[i]["id"] for i in sorted(set(rows))]

    def versions(self, rows: Sequence[int]) -> dict[str, int]:
        return {self.rows[i]["id"]: int(self.rows[i].get("version") or 0) for i in set(rows)}
