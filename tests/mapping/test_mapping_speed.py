"""A million rows map in whole-column operations (a per-row Python loop would take minutes)."""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from booking_desktop.mapping import apply_mapping

from ._helpers import profile, raw_table

N = 1_000_000


@pytest.mark.slow
def test_a_million_rows_with_every_kind_of_transform():
    rng = np.random.default_rng(3)
    d, m = rng.integers(1, 29, N), rng.integers(1, 13, N)
    cols = {
        "ref": [f"R{i:08d}" for i in range(N)],
        "arr": [f"{a:02d}/{b:02d}/2024" for a, b in zip(d, m)],
        "we": rng.integers(0, 3, N).astype(str).tolist(),
        "wk": rng.integers(1, 6, N).astype(str).tolist(),
        "rate": np.round(rng.uniform(50, 300, N), 2).astype(str).tolist(),
        "st": rng.choice(["CNF", "CXL", "NS"], N).tolist(),
        "tot": rng.choice(["1.234,56", "12,50", "999,00"], N).tolist(),
    }
    raw = raw_table(cols)
    p = profile(
        {
            "booking_ref": {"column": "ref"},
            "status": {"column": "st", "map": {"CNF": "confirmed", "CXL": "cancelled", "NS": "no_show"}},
            "check_in": {"column": "arr"},  # order detected from the whole column
            "nights": {"sum": ["we", "wk"]},
            "amount": {"product": ["rate", "@nights"]},
            "check_out": {"date_add": {"date": "@check_in", "days": "@nights"}},
            "customer_phone": {"column": "tot", "number_locale": {"decimal": ",", "thousands": "."}},
        }
    )
    start = time.perf_counter()
    mapped = apply_mapping(raw, p)
    elapsed = time.perf_counter() - start
    t = mapped.text
    assert len(t) == N and len(mapped.problems) == 0
    assert t["check_in"].str.fullmatch(r"2024-\d{2}-\d{2}").all()
    i = 12345
    assert t["amount"][i] == str(Decimal(cols["rate"][i]) * (int(cols["we"][i]) + int(cols["wk"][i])))
    assert set(pd.unique(t["status"])) == {"confirmed", "cancelled", "no_show"}
    assert elapsed < 60, f"mapping a million rows took {elapsed:.1f} s"
