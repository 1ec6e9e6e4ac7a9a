"""Dates written with month names, with any separator, in the languages vendors write
(issue 9), and US month-first dates without leading zeros."""

from __future__ import annotations

import pandas as pd
import pytest

from booking_desktop.mapping import apply_mapping
from booking_desktop.mapping.dates import normalize_dates_auto
from booking_desktop.mapping.suggest import suggest_mapping

from .vendor_files import table


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["17-Jan-2023", "3-Feb-2023"], ["2023-01-17", "2023-02-03"]),
        (["17-Jan-23", "03-Feb-23"], ["2023-01-17", "2023-02-03"]),
        (["17.Jan.2023", "3.Feb.2023"], ["2023-01-17", "2023-02-03"]),
        (["17/Jan/2023", "3/FEB/23"], ["2023-01-17", "2023-02-03"]),
        (["17. Januar 2023", "3. März 2023", "1. Mai 2024", "24. Dez. 2024"],
         ["2023-01-17", "2023-03-03", "2024-05-01", "2024-12-24"]),
        (["17 janv. 2023", "3 févr. 2023", "1 août 2023"], ["2023-01-17", "2023-02-03", "2023-08-01"]),
        (["17 ene 2023", "5 ago 2024", "9-dic-2024"], ["2023-01-17", "2024-08-05", "2024-12-09"]),
        (["17 gennaio 2023", "3 maart 2023", "2 outubro 2023"], ["2023-01-17", "2023-03-03", "2023-10-02"]),
    ],
)  # fmt: skip
def test_month_names_with_any_separator_and_language(values, expected):
    parse, _ = normalize_dates_auto(pd.Series(values, dtype="str"))
    assert parse.text.tolist() == expected and parse.n_failed == 0


def test_a_month_name_that_is_none_or_an_impossible_day_keeps_its_text():
    parse, _ = normalize_dates_auto(pd.Series(["17 Foo 2023", "31 févr. 2023", "3 Mar 2023"], dtype="str"))
    assert parse.text.tolist() == ["17 Foo 2023", "31 févr. 2023", "2023-03-03"]
    assert parse.failed.tolist() == [True, True, False]


@pytest.mark.parametrize(
    ("values", "spec"),
    [
        (["17-Jan-2023", "3-Feb-2023", "28-Dec-2023"], {"date_format": "%d-%b-%Y"}),
        (["17.Jan.2023", "3.Feb.2023"], {"date_format": "%d.%b.%Y"}),
        (["17-Jan-23", "03-Feb-23"], {"date_format": "%d-%b-%y"}),
        (["17. Januar 2023", "3. März 2023"], {}),  # read by the mapping's own month names
        (["1/3/2024", "12/25/2024", "7/4/2024"], {"date_format": "%m/%d/%Y"}),  # US, no leading zeros
    ],
)
def test_suggested_date_columns_read_every_value(values, spec):
    n = 30
    raw = table({"Ref": [f"R{i:04d}" for i in range(n)], "Arrival": [values[i % len(values)] for i in range(n)]})
    sug = suggest_mapping(raw)
    fs = sug.fields["check_in"]
    assert fs.spec == {"column": "Arrival", **spec} and not fs.ambiguous
    mapped = apply_mapping(raw, sug.to_profile("x", vendor="V"))
    assert len(mapped.problems) == 0
    assert mapped.text["check_in"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_us_dates_without_leading_zeros_keep_the_whole_column_decision():
    """'1/3/2024' alone is either; '12/25/2024' in the same column proves month-first."""
    parse, decision = normalize_dates_auto(pd.Series(["1/3/2024", "12/25/2024", "2/1/2024"], dtype="str"))
    assert decision is not None and decision.order == "mdy"
    assert parse.text.tolist() == ["2024-01-03", "2024-12-25", "2024-02-01"]
