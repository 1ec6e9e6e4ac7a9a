"""A tiny stand-in core for session tests: whole-frame checks that behave like validation.

The real pipeline is exercised in tests/session/test_session_real.py; these
fakes keep the session's own logic (undo, overlay, journal) testable on its
own.  A test about what validation finds (e.g. which rows a duplicate flags)
belongs there, on the real validator: a stand-in rule proves nothing about it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from booking_desktop.errors import ProblemTable, Severity
from booking_desktop.pipeline import PipelineResult
from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.session import Revalidated

FIELDS = ["booking_ref", "status", "amount", "country"]


def fake_validate(text: pd.DataFrame) -> Revalidated:
    n = len(text)
    tables = [
        ProblemTable.from_mask(text["booking_ref"].isna(), "booking_ref", "required", "booking_ref is required"),
        ProblemTable.from_mask(
            text["booking_ref"].duplicated(keep="first") & text["booking_ref"].notna(),  # as the validator
            "booking_ref",
            "duplicate_ref",
            "duplicate booking_ref",
            values=text["booking_ref"],
        ),
        ProblemTable.from_mask(
            text["amount"].notna() & ~text["amount"].str.fullmatch(r"\d+(\.\d+)?").fillna(False),
            "amount",
            "format",
            "amount is not a number",
            values=text["amount"],
        ),
        ProblemTable.from_mask(
            text["country"].notna() & ~text["country"].isin(["DE", "FR", "GB"]),
            "country",
            "unknown_country",
            "unknown country",
            values=text["country"],
            severity=Severity.WARNING,
        ),
    ]
    problems = ProblemTable.concat(tables)
    typed = text.copy()
    return Revalidated(typed, problems, problems.error_row_mask(n))


class FakeEngine:
    """Re-validates the whole (small) frame; remaps with ``{canonical: raw column}`` dicts."""

    def __init__(self) -> None:
        self.revalidated: list[np.ndarray] = []

    def revalidate(self, result, text, positions):
        self.revalidated.append(np.asarray(positions))
        return fake_validate(text)

    def remap(self, result, profile):
        text = map_raw(result.raw.frame, profile)
        rv = fake_validate(text)
        return dataclasses.replace(
            result, text=text, typed=rv.typed, problems=rv.problems, error_rows=rv.error_rows, profile=profile
        )


IDENTITY = {f: f for f in FIELDS}


def map_raw(raw: pd.DataFrame, profile: dict[str, str]) -> pd.DataFrame:
    cols = {}
    for f in FIELDS:
        src = profile.get(f)
        cols[f] = raw[src] if src in raw.columns else pd.Series([pd.NA] * len(raw), dtype="str")
    return pd.DataFrame(cols).astype("str")


def make_result(rows: list[dict[str, str | None]], path: Path | None = None, profile=None) -> PipelineResult:
    raw_frame = pd.DataFrame(rows, columns=[*FIELDS, "ref2"] if any("ref2" in r for r in rows) else FIELDS)
    raw_frame = raw_frame.astype("str")
    profile = profile or IDENTITY
    text = map_raw(raw_frame, profile)
    rv = fake_validate(text)
    raw = RawTable(
        frame=raw_frame,
        locations=Locations("line {}", np.arange(2, len(rows) + 2, dtype=np.int64)),
        source=SourceInfo(path=path or Path("bookings.csv"), format="csv", sha256="ab" * 32),
    )
    return PipelineResult(
        raw=raw,
        text=text,
        typed=rv.typed,
        problems=rv.problems,
        error_rows=rv.error_rows,
        vendor="acme",
        profile=profile,
        mapping=dict(profile),
    )


ROWS = [
    {"booking_ref": "A1", "status": "confirmed", "amount": "10.50", "country": "DE", "ref2": "X1"},
    {"booking_ref": None, "status": "confirmed", "amount": "abc", "country": "FR", "ref2": "X2"},
    {"booking_ref": "A3", "status": "cancelled", "amount": "7", "country": "ZZ", "ref2": "X3"},
    {"booking_ref": "A3", "status": "confirmed", "amount": "1,5", "country": "GB", "ref2": "X4"},
    {"booking_ref": "A5", "status": "CONF", "amount": "3", "country": "DE", "ref2": "X5"},
]
