"""Canonical text frames built from small dicts, and comparisons of validation results.

Imported by name (``from validation_frames import ...``), not from ``conftest``: every test folder
has a conftest.py, and which one ``import conftest`` finds depends on the order of collection.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from booking_desktop.schema import CANONICAL_FIELDS

GOOD = {
    "vendor": "acme",
    "booking_ref": None,  # filled per row: R1, R2, ...
    "status": "confirmed",
    "customer_name": "Ann Lee",
    "customer_email": "ann@example.com",
    "customer_phone": "+44 20 7946 0958",
    "property_name": "Hotel Alpha",
    "room_type": "Double",
    "channel": "Direct",
    "check_in": "2024-03-01",
    "check_out": "2024-03-04",
    "nights": "3",
    "adults": "2",
    "children": "0",
    "amount": "300.00",
    "currency": "EUR",
    "booked_at": "2024-01-15T10:00:00Z",
    "country": "DE",
}


def text_frame(*changes: dict) -> pd.DataFrame:
    """One valid booking per dict, with the dict's cells replaced (None = missing)."""
    rows = []
    for i, change in enumerate(changes):
        row = dict(GOOD, booking_ref=f"R{i + 1}")
        row.update(change)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(CANONICAL_FIELDS))
    return frame.astype("str")


def triples(result) -> list[tuple[int, str, str]]:
    f = result.problems.frame
    return [(int(r), str(fl), str(c)) for r, fl, c in zip(f["row"], f["field"], f["code"])]


def assert_same(a, b):
    """Two ValidationResults are equal: problems, typed frame and row flags."""
    pd.testing.assert_frame_equal(a.problems.frame, b.problems.frame)
    pd.testing.assert_frame_equal(a.typed, b.typed)
    np.testing.assert_array_equal(a.error_rows, b.error_rows)
    np.testing.assert_array_equal(a.warning_rows, b.warning_rows)
