"""A million rows map in whole-column operations (a per-row Python loop would take minutes).

The Python work is counted (tests/call_counts.py), not timed: it must be the same for a tenth
of the rows."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from call_counts import python_steps, steps_per_row

from booking_desktop.mapping import apply_mapping

from ._helpers import profile, raw_table

N = 1_000_000


def _raw_and_columns(n: int):
    rng = np.random.default_rng(3)
    d, m = rng.integers(1, 29, n), rng.integers(1, 13, n)
    cols = {
        "ref": [f"R{i:08d}" for i in range(n)],
        "arr": [f"{a:02d}/{b:02d}/2024" for a, b in zip(d, m)],
        "we": rng.integers(0, 3, n).astype(str).tolist(),
        "wk": rng.integers(1, 6, n).astype(str).tolist(),
        "rate": np.round(rng.uniform(50, 300, n), 2).astype(str).tolist(),
        "st": rng.choice(["CNF", "CXL", "NS"], n).tolist(),
        "tot": rng.choice(["1.234,56", "12,50", "999,00"], n).tolist(),
    }
    return raw_table(cols), cols


PROFILE = {
    "booking_ref": {"column": "ref"},
    "status": {"column": "st", "map": {"CNF": "confirmed", "CXL": "cancelled", "NS": "no_show"}},
    "check_in": {"column": "arr"},  # order detected from the whole column
    "nights": {"sum": ["we", "wk"]},
    "amount": {"product": ["rate", "@nights"]},
    "check_out": {"date_add": {"date": "@check_in", "days": "@nights"}},
    "customer_phone": {"column": "tot", "number_locale": {"decimal": ",", "thousands": "."}},
}


@pytest.mark.big
def test_a_million_rows_with_every_kind_of_transform():
    p = profile(PROFILE)
    small_steps, _ = python_steps(apply_mapping, _raw_and_columns(N // 10)[0], p)
    raw, cols = _raw_and_columns(N)
    steps, mapped = python_steps(apply_mapping, raw, p)
    assert steps_per_row(small_steps, steps, N // 10, N) < 0.001, (small_steps, steps)
    t = mapped.text
    assert len(t) == N and len(mapped.problems) == 0
    assert t["check_in"].str.fullmatch(r"2024-\d{2}-\d{2}").all()
    i = 12345
    assert t["amount"][i] == str(Decimal(cols["rate"][i]) * (int(cols["we"][i]) + int(cols["wk"][i])))
    assert set(pd.unique(t["status"])) == {"confirmed", "cancelled", "no_show"}
