"""Collect cell problems column-wise and build one ProblemTable frame.

Checks hand in a boolean mask per (field, code); values and messages are
taken only for the flagged rows, as arrow arrays, so a million-row column with
2 % bad cells costs 20,000 messages, not a million.  The frame is ordered by
(row, canonical field order, code order) so that a full validation and an
incremental re-validation of the same text produce identical tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.errors import PROBLEM_COLUMNS
from booking_desktop.validation._arrow import STR, to_series

# Stable problem codes of validation, in reporting order within a cell.
CODE_ORDER = (
    "required",
    "type",
    "format",
    "enum",
    "range",
    "length",
    "precision",
    "date_order",
    "nights_mismatch",
    "duplicate_ref",
    "booked_after_check_in",
    "unknown_country",
)

MessageFn = Callable[[np.ndarray], pa.Array]


class Sink(Protocol):
    """What a check reports to: a :class:`ProblemSink`, or a :class:`SpreadSink` over one."""

    def add(self, mask: np.ndarray, field: str, code: str, severity: str, values: pa.Array,
            message: str | MessageFn) -> None: ...


class ProblemSink:
    """Accumulates problems for the rows ``rows`` (global positions of the checked frame)."""

    def __init__(self, rows: np.ndarray):
        self.rows = np.asarray(rows, dtype=np.int64)
        self._rows: list[np.ndarray] = []
        self._fields: list[np.ndarray] = []
        self._codes: list[np.ndarray] = []
        self._sev: list[np.ndarray] = []
        self._values: list[pa.Array] = []
        self._messages: list[pa.Array] = []
        self._names: dict[str, int] = {}

    def _intern(self, s: str) -> int:
        return self._names.setdefault(s, len(self._names))

    def add(
        self,
        mask: np.ndarray,
        field: str,
        code: str,
        severity: str,
        values: pa.Array,
        message: str | MessageFn,
        through: np.ndarray | None = None,
    ) -> None:
        """One problem per True in ``mask`` (local positions); ``message`` is a constant
        or a function of the flagged local positions returning an array of messages.

        ``through``: ``values`` and ``message`` are indexed by ``through[position]``
        instead (a check run on a column's distinct values: ``through`` maps each
        row to its value)."""
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            return
        src = idx if through is None else through[idx]
        take = pa.array(src, pa.int64())
        self._rows.append(self.rows[idx])
        for target, name in ((self._fields, field), (self._codes, code), (self._sev, severity)):
            target.append(np.full(idx.size, self._intern(name), dtype=np.int32))
        self._values.append(values.take(take).cast(STR))
        if isinstance(message, str):
            self._messages.append(pa.repeat(pa.scalar(message, STR), idx.size))
        else:
            msgs = message(src)
            self._messages.append(msgs.cast(STR))

    def extend(self, other: ProblemSink) -> None:
        """Take over ``other``'s problems (same row positions)."""
        remap = {i: self._intern(name) for name, i in other._names.items()}
        lookup = np.zeros(max(len(remap), 1), dtype=np.int32)
        for old, new in remap.items():
            lookup[old] = new
        self._rows += other._rows
        self._fields += [lookup[a] for a in other._fields]
        self._codes += [lookup[a] for a in other._codes]
        self._sev += [lookup[a] for a in other._sev]
        self._values += other._values
        self._messages += other._messages

    def frame(self) -> pd.DataFrame:
        if not self._rows:
            return empty_frame()
        names = pa.array(list(self._names), STR)

        def decode(parts: list[np.ndarray]) -> pd.Series:
            codes = pa.array(np.concatenate(parts), pa.int32())
            return to_series(pa.DictionaryArray.from_arrays(codes, names).dictionary_decode())

        frame = pd.DataFrame(
            {
                "row": np.concatenate(self._rows),
                "field": decode(self._fields),
                "code": decode(self._codes),
                "severity": decode(self._sev),
                "value": to_series(pa.concat_arrays(self._values)),
                "message": to_series(pa.concat_arrays(self._messages)),
            }
        )
        return order_frame(frame)


class SpreadSink:
    """The sink a check sees when it runs on a column's distinct values: each problem
    on a value becomes one problem per row holding it (``codes``: row -> value)."""

    def __init__(self, sink: ProblemSink, codes: np.ndarray):
        self.sink = sink
        self.codes = codes

    def add(self, mask: np.ndarray, field: str, code: str, severity: str, values: pa.Array,
            message: str | MessageFn) -> None:
        if mask.any():
            self.sink.add(mask[self.codes], field, code, severity, values, message, through=self.codes)


def empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in PROBLEM_COLUMNS})
    frame["row"] = frame["row"].astype("int64")
    return frame


def order_frame(frame: pd.DataFrame, field_order: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Sort by (row, field in canonical order, code in CODE_ORDER); index reset."""
    if len(frame) == 0:
        return frame.reset_index(drop=True)
    if field_order is None:
        from booking_desktop.schema import CANONICAL_FIELDS

        field_order = CANONICAL_FIELDS
    f_rank = _rank(frame["field"], field_order)
    c_rank = _rank(frame["code"], CODE_ORDER)
    order = np.lexsort((c_rank, f_rank, frame["row"].to_numpy()))
    return frame.take(order).reset_index(drop=True)


def _rank(column: pd.Series, order: tuple[str, ...]) -> np.ndarray:
    """Position of each value in ``order`` (unknown values last)."""
    ranks = pc.index_in(pa.array(column.astype("str").array), value_set=pa.array(list(order)))
    return np.asarray(pc.fill_null(ranks, len(order)).to_numpy(zero_copy_only=False), dtype=np.int64)
