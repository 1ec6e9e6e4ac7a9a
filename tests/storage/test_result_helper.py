"""The PipelineResult that storage tests commit (storage.testing.make_result) is the real validator's."""

from __future__ import annotations

import pandas as pd

from booking_desktop.storage.testing import booking_rows, make_result
from booking_desktop.validation import validate


def test_money_in_a_test_result_is_exact_past_float_precision():
    """Regression: the helper computed amount_minor as round(float(amount) * 100), so 90071992547409.93
    was committed as 9007199254740994 minor units (and storage tests could never see such a bug)."""
    text = booking_rows(3, amount="90071992547409.93")
    text.loc[1, "amount"] = "0.29"  # 28.999999999999996 in floating point
    text.loc[2, "amount"] = "12.345"  # KWD has three decimals
    text.loc[2, "currency"] = "KWD"
    result = make_result(text)
    assert result.typed["amount_minor"].tolist() == [9007199254740993, 29, 12345]


def test_the_typed_frame_is_what_validation_makes_of_the_text():
    text = booking_rows(4)
    text.loc[2, "check_in"] = "2024-02-30"  # no such day: validation leaves the typed cell missing
    result = make_result(text, errors={2: [("check_in", "date", "no such day")]})
    expected = validate(text).typed
    expected.loc[2, "amount_minor"] = pd.NA  # rows marked invalid keep no amount
    pd.testing.assert_frame_equal(result.typed, expected)
