"""A million realistic rows validate in whole-column operations, with every injected bad cell found.

The work is counted, not timed: the Python executed (tests/call_counts.py) must not grow with the
rows between a hundred thousand and a million (a per-row Python loop adds at least one step per
row), and an edit re-checks the edited row only.  How fast a million rows validate on this machine
is a timing figure: the ``perf`` test below and bench/bench_pipeline.py report it (about 1 s on an
idle 2-core machine).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from booking_frames import BAD, booking_frame
from call_counts import python_steps, steps_per_row

from booking_desktop.validation import revalidate_rows, validate, validator

pytestmark = pytest.mark.big

N = 1_000_000
SMALL = validator.PARALLEL_MIN_ROWS  # the smallest frame that takes the same (threaded) path as a million


@pytest.fixture(scope="module")
def million():
    return booking_frame(N, bad_share=0.02, seed=11)


def test_million_rows(million):
    validate(million.head(1000))  # warm-up (imports, pycountry)
    small_steps, _ = python_steps(validate, million.head(SMALL))
    steps, result = python_steps(validate, million)
    per_row = steps_per_row(small_steps, steps, SMALL, N)
    assert per_row < 0.001, f"{per_row:.4f} Python steps per extra row: something loops over the rows"
    counts = result.problems.frame.groupby("field")["row"].count()
    for field, bad in BAD.items():
        injected = million[field] == bad
        if field == "amount":  # 12.345 is fine in KWD (3 decimals)
            injected &= million["currency"].isin(["EUR", "USD", "GBP", "JPY"])
        assert counts.get(field, 0) >= int(injected.sum()) > 0, field
    assert 0.01 < result.error_rows.mean() < 0.05


def test_cell_edit_revalidation_checks_the_edited_row_only(million, monkeypatch):
    """Regression guard: re-validating a million rows for one edited cell took seconds per edit."""
    result = validate(million)
    edited = million.copy()
    edited.iloc[10, 1] = edited.iloc[20, 1]  # creates a duplicate ref
    checked: list[int] = []
    full: list[int] = []
    rows_checked, validate_all = validator._validate_rows, validator.validate

    def counted_rows(text, rows, *args, **kwargs):
        checked.append(len(rows))
        return rows_checked(text, rows, *args, **kwargs)

    def counted_full(text, *args, **kwargs):
        full.append(len(text))
        return validate_all(text, *args, **kwargs)

    monkeypatch.setattr(validator, "_validate_rows", counted_rows)
    monkeypatch.setattr(validator, "validate", counted_full)
    after = revalidate_rows(result, edited, [10])
    assert checked == [1] and full == []  # the cell checks ran on the edited row, nothing was validated again
    assert ((after.problems.frame["row"] == 20) & (after.problems.frame["code"] == "duplicate_ref")).any() or (
        (after.problems.frame["row"] == 10) & (after.problems.frame["code"] == "duplicate_ref")
    ).any()
    assert np.array_equal(after.error_rows[:10], result.error_rows[:10])


@pytest.mark.perf
def test_perf_a_million_rows_validate_in_seconds(million):
    validate(million.head(1000))
    t0 = time.perf_counter()
    result = validate(million)
    elapsed = time.perf_counter() - t0
    print(f"validate 1,000,000 x 18: {elapsed:.2f} s, {len(result.problems)} problems")
    assert elapsed < 20
