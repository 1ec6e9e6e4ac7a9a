"""Compact views of a RawTable for assertions (cells, record locations, problem codes)."""

from __future__ import annotations

import pandas as pd


def cells(frame: pd.DataFrame) -> list[list[str | None]]:
    """Rows as lists with None for missing, for compact assertions."""
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


def locations(raw) -> list[str]:
    return [raw.locations[i] for i in range(len(raw))]


def codes(raw) -> list[str]:
    return [p.code for p in raw.problems]
