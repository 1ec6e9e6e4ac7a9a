"""Shortcuts for columns that are already clean must give what the full work gives."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from booking_desktop.mapping import apply_mapping, dates
from booking_desktop.readers.cleaning import is_clean_text

from ._helpers import profile, raw_table

SPACES = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000", "\u2009",
          "\u2028", "\u202f", "\u205f", "\u3000"]


def _slow_clean(values: list[str | None]) -> list[str | None]:
    s = pd.Series(values, dtype="str").str.strip()
    return [None if pd.isna(v) or v == "" else v for v in s.tolist()]


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("where", ["start", "end"])
def test_unicode_and_ascii_spaces_are_still_trimmed(space, where):
    cell = f"{space}A1" if where == "start" else f"A1{space}"
    values = ["B2", cell, None, "Zoë", "€5", "°"]
    assert not is_clean_text(pa.array(values, pa.large_string()))
    m = apply_mapping(raw_table({"Ref": values}), profile({"booking_ref": {"column": "Ref"}}))
    got = [None if pd.isna(v) else v for v in m.text["booking_ref"].tolist()]
    assert got == _slow_clean(values)


def test_clean_column_is_recognised_and_kept():
    values = ["Zoë", "José", "Łódź", "東京", "x", None, "naïve café"]
    assert is_clean_text(pa.array(values, pa.large_string()))
    m = apply_mapping(raw_table({"Name": values}), profile({"customer_name": {"column": "Name"}}))
    assert [None if pd.isna(v) else v for v in m.text["customer_name"].tolist()] == values


def test_empty_string_is_not_clean():
    assert not is_clean_text(pa.array(["a", ""], pa.large_string()))
    assert is_clean_text(pa.chunked_array([pa.array(["a"], pa.large_string()), pa.array([None], pa.large_string())]))


@pytest.mark.parametrize(
    "column",
    [
        ["2024-03-01", None, "2024-02-30"],  # shaped but unreal: left for validation
        ["2024-03-01", "01/03/2024", "13/03/2024"],
        ["2024-03-01", "2024-03-01 10:00", None],
        ["2024-03-01", " 2024-03-02", "2024-3-1"],
        ["2024-03-01", "", "2024-03-02"],
    ],
)
def test_iso_shortcut_matches_the_general_path(column, monkeypatch):
    s = pd.Series(column, dtype="str", name="Arrival")
    fast, decision = dates.normalize_dates_auto(s)
    monkeypatch.setattr(dates, "_all_plain_iso", lambda _s: False)
    slow, slow_decision = dates.normalize_dates_auto(s)
    pd.testing.assert_series_equal(fast.text, slow.text)
    assert fast.failed.tolist() == slow.failed.tolist()
    assert decision == slow_decision


def test_plain_iso_column_takes_the_shortcut():
    s = pd.Series(["2024-03-01", None, "1999-12-31"], dtype="str")
    assert dates._all_plain_iso(s)
    assert not dates._all_plain_iso(pd.Series(["2024-03-01", "2024-03-1x"], dtype="str"))
    assert not dates._all_plain_iso(pd.Series(["2024/03/01"], dtype="str"))


@pytest.mark.parametrize("space", SPACES)
def test_cells_a_reader_cleaned_are_mapped_without_a_second_probe(space, tmp_path):
    """read_file marks its cells clean, so mapping skips its own probe: the readers' trimming
    must then be exactly the mapping's (Python's str.strip, blank -> missing)."""
    from booking_desktop.readers import read_file

    values = ["B2", f"{space}A1", f"A1{space}", f"{space}", "Zoë", "N/A"]
    lines = ["Ref,Other", *[f'"{v}",x' for v in values]]
    path = tmp_path / "padded.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    raw = read_file(path)
    assert raw.cells_clean
    m = apply_mapping(raw, profile({"booking_ref": {"column": "Ref"}}))
    got = [None if pd.isna(v) else v for v in m.text["booking_ref"].tolist()]
    assert got == [*_slow_clean(values[:-1]), None]


def test_blank_cells_kept_by_the_reader_are_still_missing_after_mapping(tmp_path):
    from booking_desktop.readers import read_file

    path = tmp_path / "blanks.csv"
    path.write_text('Ref,Other\n"",x\nB2,y\n', encoding="utf-8")
    raw = read_file(path, {"null_values": ["NULL"]})  # "" is not a null token here: the cell stays ""
    assert not raw.cells_clean and raw.frame["Ref"].tolist()[0] == ""
    m = apply_mapping(raw, profile({"booking_ref": {"column": "Ref"}}))
    assert pd.isna(m.text["booking_ref"].iloc[0]) and m.text["booking_ref"].iloc[1] == "B2"
