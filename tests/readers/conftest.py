"""Helpers that build small input files in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write("a.csv", "text")`` or ``write("a.bin", b"bytes")`` -> path."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode(encoding))
        else:
            path.write_bytes(content)
        return path

    return _write


def cells(frame: pd.DataFrame) -> list[list[str | None]]:
    """Rows as lists with None for missing, for compact assertions."""
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


def locations(raw) -> list[str]:
    return [raw.locations[i] for i in range(len(raw))]


def codes(raw) -> list[str]:
    return [p.code for p in raw.problems]
