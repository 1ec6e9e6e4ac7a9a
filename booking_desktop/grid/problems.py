"""Per-cell problems as arrays, so that a grid's ``data()`` colours a cell in O(1) and finds its
tooltip in O(log n), at a million rows.  Qt-free.

The index holds every problem, also those of deleted rows (undo brings a row back with its
problems); what is *counted* -- error rows, the counts by field and code, the rows a problem
filter shows -- leaves the deleted rows out (:meth:`ProblemIndex.live_counts`,
:func:`live_rows`): a deleted row is excluded from the commit, so its problems are no longer
the operator's to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from booking_desktop.errors import ProblemTable

SEV_NONE, SEV_WARNING, SEV_ERROR = 0, 1, 2


@dataclass
class ProblemIndex:
    """Per-cell problems in arrays: O(1) colour, O(log n) tooltip."""

    severity: np.ndarray  # int8 (n_rows, n_cols)
    keys: np.ndarray  # int64 sorted, row * n_cols + col
    messages: np.ndarray  # object, aligned with keys: "code: message"
    row_keys: np.ndarray  # int64 sorted rows of *all* problems (also row-level ones)
    row_order: np.ndarray  # positions into the problem frame, aligned with row_keys
    counts_field_code: pd.DataFrame = field(default_factory=pd.DataFrame)  # of all rows, deleted ones too
    row_any: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # row has a cell problem
    warning_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # row has a warning
    problem_group: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per problem: its
    # row of counts_field_code, so that counting without the deleted rows is one bincount

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
            counts, groups = _counts(f)
            return cls(severity, empty, np.zeros(0, dtype=object), empty, empty, counts, no, no.copy(), groups)
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
        counts, groups = _counts(f)
        return cls(
            severity, keys[order], msgs[order], rows_all[row_order], row_order, counts, row_any, warning_rows, groups
        )

    def live_counts(self, problem_rows: np.ndarray, deleted: np.ndarray | None) -> pd.DataFrame:
        """``counts_field_code`` without the problems of deleted rows (groups left empty are dropped).

        ``problem_rows`` is the problem frame's ``row`` column (what the index was built from)."""
        counts = self.counts_field_code
        rows = np.asarray(problem_rows, dtype=np.int64)
        if deleted is None or not deleted.any() or len(counts) == 0 or rows.size != self.problem_group.size:
            return counts
        inside = (rows >= 0) & (rows < deleted.size)
        gone = np.zeros(rows.size, dtype=bool)
        gone[inside] = deleted[rows[inside]]
        live = np.bincount(self.problem_group[~gone], minlength=len(counts))
        out = counts.assign(count=live)
        return out[out["count"] > 0].reset_index(drop=True)

    def messages_at(self, row: int, col: int, n_cols: int) -> list[str]:
        k = row * n_cols + col
        lo = int(np.searchsorted(self.keys, k, "left"))
        hi = int(np.searchsorted(self.keys, k, "right"))
        return [str(m) for m in self.messages[lo:hi]]

    def problem_positions_of_row(self, row: int) -> np.ndarray:
        lo = int(np.searchsorted(self.row_keys, row, "left"))
        hi = int(np.searchsorted(self.row_keys, row, "right"))
        return self.row_order[lo:hi]


def live_rows(mask: np.ndarray, deleted: np.ndarray | None) -> np.ndarray:
    """``mask`` (error rows, warning rows...) without the deleted rows."""
    if deleted is None or deleted.size != mask.size or not deleted.any():
        return mask
    return mask & ~deleted


def _counts(f: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Problems by field, code and severity, and each problem's group (row of that table)."""
    if len(f) == 0:
        empty = pd.DataFrame({"field": [], "code": [], "severity": [], "count": [], "example": []})
        return empty, np.zeros(0, dtype=np.int64)
    g = f.assign(field=f["field"].astype(object).fillna("(row)"), message=f["message"].astype(object))
    grouped = g.groupby(["field", "code", "severity"], sort=True, dropna=False, observed=True)
    out = grouped["message"].agg(["size", "first"]).reset_index()
    out = out.rename(columns={"size": "count", "first": "example"})  # example: the first problem's message
    return out, grouped.ngroup().to_numpy(dtype=np.int64)
