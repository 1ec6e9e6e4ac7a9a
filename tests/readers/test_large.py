"""A million-row CSV reads completely with the right record lines."""

from __future__ import annotations

import hashlib

import pytest

from booking_desktop.readers import read_file

pytestmark = pytest.mark.big

N = 1_000_000


def _write_big(path, multiline_every: int | None = None):
    middle = ",".join(f" v{i} " for i in range(10))
    plain = "BK{}," + middle + ",plain"
    multi = "BK{}," + middle + ',"two\nlines"'
    rows = [(multi if multiline_every and i % multiline_every == 0 else plain).format(i) for i in range(N)]
    path.write_text(",".join(f"c{i}" for i in range(12)) + "\n" + "\n".join(rows) + "\n")
    return path


def test_million_rows(tmp_path):
    path = _write_big(tmp_path / "big.csv")
    raw = read_file(path)
    assert raw.source.content_sha256() == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(raw) == N
    assert raw.frame["c0"].iloc[-1] == f"BK{N - 1}"
    assert raw.frame["c1"].iloc[5] == "v0"  # trimmed
    assert raw.locations[N - 1] == f"line {N + 1}"


def test_million_rows_with_multiline_values(tmp_path):
    raw = read_file(_write_big(tmp_path / "big.csv", multiline_every=1000))
    assert len(raw) == N
    assert raw.frame["c11"].iloc[0] == "two\nlines"
    # every 1000th record spans two lines, pushing later records down
    assert raw.locations[1] == "line 4"
    assert raw.locations[N - 1] == f"line {N + 1 + N // 1000}"
