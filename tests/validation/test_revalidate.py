"""revalidate_rows after cell edits gives exactly what a full validate gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from booking_frames import BAD, booking_frame
from validation_frames import assert_same, text_frame, triples

from booking_desktop.validation import revalidate_rows, validate
from booking_desktop.validation import validator as validator_module


def _edit_values(frame: pd.DataFrame, col: str, rng: np.random.Generator) -> object:
    pool = [None, "", BAD.get(col, "???")]
    pool.append(frame[col].iloc[int(rng.integers(0, len(frame)))])  # another row's value: duplicates, fixes
    return pool[int(rng.integers(0, len(pool)))]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_match_full_validation(seed):
    rng = np.random.default_rng(seed)
    text = booking_frame(300, bad_share=0.3, seed=seed)
    # a few refs shared by several rows, across vendors, to exercise duplicate_ref
    text.loc[[5, 50, 120, 200], "booking_ref"] = "SHARED"
    text.loc[[50], "vendor"] = "globex"
    result = validate(text)
    for _ in range(12):
        text = text.copy()
        k = int(rng.integers(1, 4))
        rows = rng.choice(len(text), size=k, replace=False)
        for row in rows:
            col = ["booking_ref", "vendor", *text.columns][int(rng.integers(0, len(text.columns) + 2))]
            text.iloc[int(row), text.columns.get_loc(col)] = _edit_values(text, col, rng)
        result = revalidate_rows(result, text, rows)
        assert_same(result, validate(text))


def test_editing_a_ref_removes_and_creates_duplicates_elsewhere():
    text = text_frame({"booking_ref": "A"}, {"booking_ref": "A"}, {"booking_ref": "A"}, {"booking_ref": "B"})
    before = validate(text)
    assert triples(before) == [(1, "booking_ref", "duplicate_ref"), (2, "booking_ref", "duplicate_ref")]
    edited = text.copy()
    edited.loc[0, "booking_ref"] = "B"
    after = revalidate_rows(before, edited, [0])
    assert triples(after) == [(2, "booking_ref", "duplicate_ref"), (3, "booking_ref", "duplicate_ref")]
    assert "repeats record 2" in after.problems.frame.loc[0, "message"]
    assert "repeats record 1" in after.problems.frame.loc[1, "message"]
    assert after.error_rows.tolist() == [False, False, True, True]
    assert_same(after, validate(edited))
    assert triples(before) == [(1, "booking_ref", "duplicate_ref"), (2, "booking_ref", "duplicate_ref")]  # untouched


def test_fixing_a_cell_clears_its_problem():
    text = text_frame({"adults": "two"}, {})
    before = validate(text)
    edited = text.copy()
    edited.loc[0, "adults"] = "2"
    after = revalidate_rows(before, edited, [0])
    assert triples(after) == [] and not after.error_rows.any()
    assert after.typed.loc[0, "adults"] == 2
    assert pd.isna(before.typed.loc[0, "adults"]) and before.error_rows[0]  # the previous result is untouched


def test_changed_length_or_rules_fall_back_to_full_validation():
    from booking_desktop.schema import load_schema

    text = text_frame({"customer_name": None}, {})
    before = validate(text)
    relaxed = load_schema().rules({"customer_name": {"required": False}})
    assert triples(revalidate_rows(before, text, [1], relaxed)) == []
    longer = text_frame({"customer_name": None}, {}, {"adults": "x"})
    assert_same(revalidate_rows(before, longer, [2]), validate(longer))


def test_threaded_validation_equals_sequential(monkeypatch):
    text = booking_frame(500, bad_share=0.3, seed=7)
    sequential = validate(text)
    monkeypatch.setattr(validator_module, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(validator_module, "THREADS", 2)
    assert_same(validate(text), sequential)


def test_repeated_splicing_keeps_columns_bounded(monkeypatch):
    monkeypatch.setattr(validator_module, "MAX_CHUNKS", 8)
    text = booking_frame(100, bad_share=0.0, seed=3)
    result = validate(text)
    for i in range(30):
        text = text.copy()
        text.iloc[i, 3] = f"Name {i}"
        result = revalidate_rows(result, text, [i])
    assert_same(result, validate(text))
    assert result.typed["customer_name"].array._pa_array.num_chunks <= 8


def test_checking_each_distinct_value_once_equals_checking_every_row(monkeypatch):
    """Dates, statuses, codes and counts of a large file are checked once per distinct value and
    spread to the rows; problems, messages and typed values are those of a row-by-row check."""
    text = booking_frame(20_000, bad_share=0.3, seed=11)
    text["country"] = None  # an unmapped column: one distinct value (missing)
    text["currency"] = "eur"  # one value in every row (upper-cased in typed)
    text["children"] = "x"  # one bad value in every row
    text.loc[::7, "status"] = "  CNF "  # a synonym, not trimmed
    monkeypatch.setattr(validator_module, "BY_VALUE_MIN_ROWS", 10**9)
    row_by_row = validate(text)
    distinct = []
    few = validator_module._few_distinct

    def recorded(col):
        found = few(col)
        distinct.append(None if found is None else len(found[0]))
        return found

    monkeypatch.setattr(validator_module, "_few_distinct", recorded)
    monkeypatch.setattr(validator_module, "BY_VALUE_MIN_ROWS", 0)
    by_value = validate(text)
    assert sum(d is not None for d in distinct) >= 8  # dates, status, currency, country, counts
    assert_same(by_value, row_by_row)
    assert len(row_by_row.problems) > 3000
