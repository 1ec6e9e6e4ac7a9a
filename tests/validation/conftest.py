"""Fixtures for validation tests: canonical text frames built from small dicts."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from booking_desktop.schema import CANONICAL_FIELDS

sys.path.insert(0, str(Path(__file__).parent))  # gen.py

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


@pytest.fixture
def make_frame():
    return text_frame
