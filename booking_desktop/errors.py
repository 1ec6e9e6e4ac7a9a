"""Problems as values.

Every problem the core finds -- a cell that fails a check, a header that was
renamed, a file that cannot be read -- is a :class:`Problem` with a stable
kebab/snake code (see ``docs/ERROR_CODES.md``).  Cell problems in bulk live in
a columnar :class:`ProblemTable` so that validating a million rows never
creates a million Python objects; :class:`Problem` objects are made on demand.
A fatal problem is raised wrapped in :class:`ProblemError` (or a subclass).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from booking_desktop.readers.base import Locations


class Severity(StrEnum):
    ERROR = "error"  # keeps the row out of the commit
    WARNING = "warning"  # reported, the row is still committed


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    severity: Severity = Severity.ERROR
    row: int | None = None  # 1-based record number among data records
    field: str | None = None  # canonical field (or source column for file-level problems)
    value: str | None = None  # the raw value as text
    location: str | None = None  # e.g. "bookings.csv line 14", "Sheet1!row 7"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else (f"record {self.row}: " if self.row else "")
        return f"{where}{self.message}"


class ProblemError(Exception):
    """A fatal problem.  ``str(exc)`` is a one-line message fit for a user."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class ReadError(ProblemError):
    """The file could not be read at all."""


class ProfileError(ProblemError):
    """A mapping profile is invalid; ``problems`` lists every finding."""

    def __init__(self, problem: Problem, problems: Sequence[Problem] = ()):
        super().__init__(problem)
        self.problems = list(problems) or [problem]


PROBLEM_COLUMNS = ["row", "field", "code", "severity", "value", "message"]


class ProblemTable:
    """Cell problems in columns.

    ``frame`` has columns ``row`` (int64, **0-based position** in the working
    frame), ``field``, ``code``, ``severity`` ("error"/"warning"), ``value``
    (raw text or NA) and ``message``.  Record numbers reported to users are
    ``row + 1``.
    """

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame | None = None):
        if frame is None:
            frame = _empty_frame()
        else:
            missing = [c for c in PROBLEM_COLUMNS if c not in frame.columns]
            if missing:
                raise ValueError(f"ProblemTable frame lacks columns {missing}")
            frame = frame[PROBLEM_COLUMNS].reset_index(drop=True)
            frame["row"] = frame["row"].astype("int64")
        self.frame = frame

    # -- construction -------------------------------------------------
    @classmethod
    def from_mask(
        cls,
        mask: np.ndarray | pd.Series,
        field: str,
        code: str,
        message: str | pd.Series,
        values: pd.Series | None = None,
        severity: Severity = Severity.ERROR,
    ) -> ProblemTable:
        """One problem per True in ``mask`` (vectorized).  ``message`` may be a
        constant or a Series aligned with the frame."""
        m = np.asarray(mask, dtype=bool)
        rows = np.flatnonzero(m)
        if rows.size == 0:
            return cls()
        if values is not None:
            vals = pd.Series(values).iloc[rows].astype("object").to_numpy()
            vals = np.where(pd.isna(vals), np.array(None, dtype=object), vals)
        else:
            vals = np.full(rows.size, None, dtype=object)
        if isinstance(message, pd.Series):
            msgs = message.iloc[rows].astype("object").to_numpy()
        else:
            msgs = np.full(rows.size, message, dtype=object)
        frame = pd.DataFrame(
            {
                "row": rows.astype("int64"),
                "field": field,
                "code": code,
                "severity": str(severity),
                "value": vals,
                "message": msgs,
            }
        )
        return cls(frame)

    @classmethod
    def concat(cls, tables: Iterable[ProblemTable]) -> ProblemTable:
        frames = [t.frame for t in tables if len(t.frame)]
        if not frames:
            return cls()
        out = pd.concat(frames, ignore_index=True)
        out = out.sort_values(["row", "field"], kind="stable").reset_index(drop=True)
        return cls(out)

    # -- queries --------------------------------------------------------
    def __len__(self) -> int:
        return len(self.frame)

    def error_row_mask(self, n_rows: int) -> np.ndarray:
        """Boolean array: True where the row has at least one error."""
        mask = np.zeros(n_rows, dtype=bool)
        err = self.frame.loc[self.frame["severity"] == "error", "row"].to_numpy()
        mask[err] = True
        return mask

    def counts_by_code(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.frame["code"].value_counts().sort_index().items()}

    def for_rows(self, rows: Iterable[int]) -> ProblemTable:
        sel = self.frame["row"].isin(list(rows))
        return ProblemTable(self.frame[sel])

    def without_rows(self, rows: Iterable[int]) -> ProblemTable:
        sel = ~self.frame["row"].isin(list(rows))
        return ProblemTable(self.frame[sel])

    def problems(self, locations: Locations | None = None) -> Iterator[Problem]:
        """Materialize :class:`Problem` objects (1-based rows) lazily."""
        f = self.frame
        for r, fld, code, sev, val, msg in zip(
            f["row"].to_numpy(), f["field"], f["code"], f["severity"], f["value"], f["message"], strict=True
        ):
            yield Problem(
                code=str(code),
                message=str(msg),
                severity=Severity(sev),
                row=int(r) + 1,
                field=None if pd.isna(fld) else str(fld),
                value=None if val is None or (not isinstance(val, str) and pd.isna(val)) else str(val),
                location=locations[int(r)] if locations is not None else None,
            )


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series([], dtype="int64"),
            "field": pd.Series([], dtype="object"),
            "code": pd.Series([], dtype="object"),
            "severity": pd.Series([], dtype="object"),
            "value": pd.Series([], dtype="object"),
            "message": pd.Series([], dtype="object"),
        }
    )
