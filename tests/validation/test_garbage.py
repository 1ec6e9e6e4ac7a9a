"""Whatever text reaches validation, it reports problems and never raises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from validation_frames import assert_same

from booking_desktop.schema import CANONICAL_FIELDS
from booking_desktop.validation import revalidate_rows, validate

NASTY = [
    None, "", " ", "0", "-", "+", ".", "..", "-.5", "+0", "00", "-0", "1" * 40, "9" * 19, "٣", "€12", "ÄÖÜ",
    "\t", "a@b", "a@b.c", "2024-02-30T25:00", "2024-01-01T10:00:00+14:00", "2024-01-01T10:00:00+15:00",
    "2024-12-31T23:59:59.999999999Z", "2024-01-01T10:00:00.1234567890Z", "2024-01-01 ", "20240101", "NaN", "nan",
    "None", "1e3", "12.", "0.000", "+1.5", "00044 (0) 20", "x" * 300, "EUR", "JPY", "KWD", "DE", "DEU", "confirmed",
    "CXL", "2024-03-01", "2024-03-04", "3", "2", "100.5", "2024-02-29", "1900-01-01", "2199-12-31",
]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_garbage(seed):
    rng = np.random.default_rng(seed)
    n = 400
    data = {c: [NASTY[i] for i in rng.integers(0, len(NASTY), n)] for c in CANONICAL_FIELDS}
    text = pd.DataFrame(data, columns=list(CANONICAL_FIELDS)).astype("str")
    result = validate(text)
    f = result.problems.frame
    assert f["row"].between(0, n - 1).all()
    assert set(f["severity"]) <= {"error", "warning"}
    assert f["message"].notna().all()
    assert len(result.typed) == n and result.error_rows.shape == (n,)
    edited = text.copy()
    rows = rng.choice(n, size=5, replace=False)
    for r in rows:
        edited.iloc[int(r), int(rng.integers(0, len(CANONICAL_FIELDS)))] = NASTY[int(rng.integers(0, len(NASTY)))]
    assert_same(revalidate_rows(result, edited, rows), validate(edited))
