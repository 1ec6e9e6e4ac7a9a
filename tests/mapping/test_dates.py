"""Whole-column date reading: formats, day/month order evidence, date parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from call_counts import python_steps, steps_per_row

from booking_desktop.mapping.dates import (
    assemble_date_parts,
    detect_date_order,
    normalize_dates_auto,
    normalize_datetimes_auto,
    parse_by_order,
    parse_dates,
    parse_datetimes,
    valid_strptime_format,
)


def S(*values):
    return pd.Series(list(values), dtype="str")


def test_detect_day_first_from_one_unambiguous_value():
    d = detect_date_order(S("03/04/2024", "05/06/2024", "25/04/2024", None))
    assert d.order == "dmy" and not d.ambiguous
    assert (d.dmy_evidence, d.mdy_evidence) == (1, 0)


def test_detect_month_first():
    d = detect_date_order(S("03/04/2024", "12/31/2024", "1/13/2025"))
    assert d.order == "mdy" and not d.ambiguous
    assert (d.dmy_evidence, d.mdy_evidence) == (0, 2)


def test_detect_ambiguous_when_no_day_above_12():
    d = detect_date_order(S("03/04/2024", "05/06/2024", "11/12/2024"))
    assert d.order is None and d.ambiguous
    assert "both fit" in d.explain()


def test_detect_ambiguous_when_column_mixes_orders():
    d = detect_date_order(S("25/04/2024", "04/25/2024"))
    assert d.order is None and d.ambiguous
    assert (d.dmy_evidence, d.mdy_evidence) == (1, 1)
    assert "mixes" in d.explain()


def test_detect_year_first():
    d = detect_date_order(S("2024/04/03", "2024.12.01"))
    assert d.order == "ymd" and not d.ambiguous


def test_detect_nothing_numeric_is_ambiguous():
    d = detect_date_order(S("tomorrow", None))
    assert d.ambiguous and d.order is None and d.checked == 0


def test_parse_dates_with_format_keeps_unreadable_text():
    r = parse_dates(S(" 31/12/2024 ", "31/02/2024", None, "soon"), "%d/%m/%Y")
    assert r.text.tolist()[:2] == ["2024-12-31", "31/02/2024"]
    assert pd.isna(r.text[2])
    assert r.text[3] == "soon"
    assert r.failed.tolist() == [False, True, False, True]


def test_parse_dates_month_name_format():
    r = parse_dates(S("03 Mar 2024", "3 March 2024"), "%d %b %Y")
    assert r.text.tolist() == ["2024-03-03", "3 March 2024"]


def test_parse_by_order_two_digit_years_and_separators():
    r = parse_by_order(S("5/6/24", "05-06-1999", "5.6.70"), "dmy")
    assert r.text.tolist() == ["2024-06-05", "1999-06-05", "1970-06-05"]
    r = parse_by_order(S("12/31/2024", "13/01/2024"), "mdy")
    assert r.text.tolist() == ["2024-12-31", "13/01/2024"]
    assert r.failed.tolist() == [False, True]


def test_parse_datetimes_plain_and_with_offset():
    r = parse_datetimes(S("2024-01-01 10:11", "bad"), "%Y-%m-%d %H:%M")
    assert r.text.tolist() == ["2024-01-01T10:11:00", "bad"]
    r = parse_datetimes(S("01/02/2024 10:11 +0100"), "%d/%m/%Y %H:%M %z")
    assert r.text.tolist() == ["2024-02-01T09:11:00Z"]


def test_date_parts_month_names_numbers_and_impossible_dates():
    r = assemble_date_parts(
        S("2017", "2017", "2016", "2015", "2017", None),
        S("February", "feb", "2", "JULY", "Febtober", None),
        S("28", "30", "29", "1", "3", None),
    )
    assert r.text.tolist()[:5] == ["2017-02-28", "2017-02-30", "2016-02-29", "2015-07-01", "2017-Febtober-03"]
    assert pd.isna(r.text[5])
    assert r.failed.tolist() == [False, True, False, False, True, False]


def test_date_parts_leap_year_rule():
    r = assemble_date_parts(S("2018", "2000", "1900"), S("2", "2", "2"), S("29", "29", "29"))
    assert r.failed.tolist() == [True, False, True]


def test_auto_dates_iso_and_detected_order():
    r, decision = normalize_dates_auto(S("2024-01-01 00:00:00", "03/04/2024", "13/04/2024", None))
    assert decision is not None and decision.order == "dmy"
    assert r.text.tolist()[:3] == ["2024-01-01", "2024-04-03", "2024-04-13"]


def test_auto_dates_ambiguous_left_alone():
    r, decision = normalize_dates_auto(S("2024-01-01", "03/04/2024", "12/04/2024"))
    assert decision is not None and decision.ambiguous
    assert r.text.tolist() == ["2024-01-01", "03/04/2024", "12/04/2024"]
    assert r.failed.tolist() == [False, True, True]


def test_auto_dates_all_iso_needs_no_decision():
    r, decision = normalize_dates_auto(S("2024-01-01", "2024-02-01T00:00:00"))
    assert decision is None
    assert r.text.tolist() == ["2024-01-01", "2024-02-01"]


def test_auto_datetimes():
    r = normalize_datetimes_auto(S("2024-01-01 10:11", "2024-01-01", "2024-01-01T10:11:12+01:00", "01/01/2024"))
    assert r.text.tolist() == ["2024-01-01T10:11:00", "2024-01-01", "2024-01-01T10:11:12+01:00", "01/01/2024"]
    assert r.failed.tolist() == [False, False, False, True]


@pytest.mark.parametrize(
    ("fmt", "problem"),
    [
        ("%d/%m/%Y", None),
        ("%d/%m", "year"),
        ("%Q", "not a valid"),
        ("dd/mm/yyyy", "no % directives"),
        ("", "non-empty"),
    ],
)
def test_valid_strptime_format(fmt, problem):
    got = valid_strptime_format(fmt)
    if problem is None:
        assert got is None
    else:
        assert problem in got


def _detect_and_parse(n: int):
    rng = np.random.default_rng(1)
    d = rng.integers(1, 29, n)
    m = rng.integers(1, 13, n)
    s = pd.Series([f"{a:02d}/{b:02d}/2024" for a, b in zip(d, m)], dtype="str")

    def run():
        decision = detect_date_order(s)
        return decision, parse_by_order(s, decision.order)

    return python_steps(run)


@pytest.mark.big
def test_detect_is_vectorized_enough_for_a_million_rows():
    """The Python work (tests/call_counts.py) is the same for a tenth of the rows: no per-row loop."""
    small_steps, _ = _detect_and_parse(100_000)
    steps, (decision, parsed) = _detect_and_parse(1_000_000)
    assert steps_per_row(small_steps, steps, 100_000, 1_000_000) < 0.001, (small_steps, steps)
    assert decision.order == "dmy"
    assert parsed.n_failed == 0


def test_auto_dates_read_month_names_and_compact_dates():
    r, decision = normalize_dates_auto(S("12 Mar 2024", "Mar 3, 2024", "20240312", "3-Feb-24", "Friday, 1 March 2024"))
    assert r.text.tolist() == ["2024-03-12", "2024-03-03", "2024-03-12", "2024-02-03", "2024-03-01"]
    assert decision is None  # nothing numeric needed a day/month decision


def test_a_bad_value_among_iso_dates_is_not_an_ambiguity():
    r, decision = normalize_dates_auto(S("2024-03-01", "soon"))
    assert decision is None
    assert r.failed.tolist() == [False, True]


def test_datetimes_in_the_order_the_column_proves():
    from booking_desktop.mapping.dates import normalize_datetimes_ordered

    r, decision = normalize_datetimes_ordered(
        S("03/04/2024 14:05", "25/04/2024 2:05 PM", "25/04/2024", "01/05/2024 12:30 am", "03/04/2024 25:00")
    )
    assert decision.order == "dmy"
    assert r.text.tolist() == [
        "2024-04-03T14:05:00",
        "2024-04-25T14:05:00",
        "2024-04-25",
        "2024-05-01T00:30:00",
        "03/04/2024 25:00",  # no such hour: kept for validation to report
    ]
    r, decision = normalize_datetimes_ordered(S("03/04/2024 14:05", "05/04/2024 10:00"))
    assert decision.ambiguous and r.failed.all()


def test_formats_with_utc_offsets_are_accepted_and_converted_to_utc():
    """Regression: every %z format was refused because the check used a naive datetime."""
    from booking_desktop.mapping.dates import parse_datetimes, valid_strptime_format

    assert valid_strptime_format("%Y-%m-%d %H:%M%z", with_time=True) is None
    parsed = parse_datetimes(pd.Series(["2024-05-01 10:30+0200", "garbage"], dtype="str"), "%Y-%m-%d %H:%M%z")
    assert parsed.text.tolist()[0] == "2024-05-01T08:30:00Z"
    assert parsed.text.tolist()[1] == "garbage"
