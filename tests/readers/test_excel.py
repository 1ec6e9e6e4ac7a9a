"""Workbooks: sheet choice, header detection, cell values as text, sheet-row locations."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from booking_desktop.errors import ReadError
from booking_desktop.readers import read_file

from ._helpers import cells, codes, locations


def _workbook(path, sheets: dict[str, list[list[object]]], start_row: int = 1):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=start_row):
            for c, v in enumerate(row, start=1):
                if v is not None:
                    ws.cell(row=r, column=c, value=v)
    wb.save(path)
    return path


BOOKINGS = [
    ["ref", "check_in", "booked_at", "amount", "nights", "typed_date"],
    ["00123", dt.date(2024, 3, 1), dt.datetime(2024, 2, 1, 14, 30, 5), 1234.5, 3, "01/03/2024"],
    ["B2", dt.datetime(2024, 3, 2), dt.datetime(2024, 2, 2), 42.0, 2.0, None],
]


def test_cells_become_the_text_a_person_sees(tmp_path):
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"Bookings": BOOKINGS}))
    assert raw.columns == BOOKINGS[0]
    assert cells(raw.frame) == [
        ["00123", "2024-03-01", "2024-02-01T14:30:05", "1234.5", "3", "01/03/2024"],
        ["B2", "2024-03-02", "2024-02-02", "42", "2", None],
    ]
    assert all(str(t) == "str" for t in raw.frame.dtypes)
    assert locations(raw) == ["Bookings!row 2", "Bookings!row 3"]
    assert (raw.source.format, raw.source.sheet, raw.source.header_row) == ("xlsx", "Bookings", 1)


def test_float_noise_and_large_integers(tmp_path):
    rows = [["a", "b", "c"], [0.1 + 0.2, 123456789012.0, -7.25]]
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"S": rows}))
    assert cells(raw.frame) == [["0.3", "123456789012", "-7.25"]]


def test_title_rows_above_the_header_are_detected(tmp_path):
    rows = [["Bookings export March 2024"], [None], ["Generated 2024-04-01"], *BOOKINGS]
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"Bookings": rows}, start_row=2))
    assert raw.columns == BOOKINGS[0]
    assert raw.source.header_row == 5
    assert locations(raw) == ["Bookings!row 6", "Bookings!row 7"]
    assert "title-rows" in codes(raw)


def test_header_row_option(tmp_path):
    rows = [["x", "y"], ["ref", "name"], ["B1", "Ann"]]
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"S": rows}), {"header_row": 2})
    assert raw.columns == ["ref", "name"]
    assert locations(raw) == ["S!row 3"]
    with pytest.raises(ReadError, match="header_row=40"):
        read_file(tmp_path / "b.xlsx", {"header_row": 40})


def test_default_sheet_is_the_first_with_data_and_all_sheets_are_listed(tmp_path):
    path = _workbook(tmp_path / "b.xlsx", {"Notes": [], "March 2024": BOOKINGS, "Other": [["z"], ["1"]]})
    raw = read_file(path)
    assert raw.source.sheet == "March 2024"
    assert raw.source.extra["sheets"] == ["Notes", "March 2024", "Other"]
    assert raw.locations[0] == "'March 2024'!row 2"


@pytest.mark.parametrize("sheet", ["Other", "other", 2, "2"])
def test_sheet_option_by_name_or_index(tmp_path, sheet):
    path = _workbook(tmp_path / "b.xlsx", {"Notes": [], "Main": BOOKINGS, "Other": [["z"], ["1"]]})
    raw = read_file(path, {"sheet": sheet})
    assert raw.source.sheet == "Other"
    assert cells(raw.frame) == [["1"]]


def test_unknown_sheet_names_the_sheets(tmp_path):
    path = _workbook(tmp_path / "b.xlsx", {"Main": BOOKINGS})
    with pytest.raises(ReadError, match=r"no sheet named 'Nope' \(sheets: Main\)") as exc:
        read_file(path, {"sheet": "Nope"})
    assert exc.value.problem.code == "sheet-not-found"


def test_totals_row(tmp_path):
    rows = [*BOOKINGS, ["Total", None, None, 1276.5, 5, None]]
    path = _workbook(tmp_path / "b.xlsx", {"S": rows})
    assert len(read_file(path)) == 3
    raw = read_file(path, {"drop_totals_row": True})
    assert len(raw) == 2
    (p,) = [p for p in raw.problems if p.code == "totals-row"]
    assert p.location == "b.xlsx S!row 4"


def test_sum_row_without_a_label_is_a_totals_row(tmp_path):
    rows = [*BOOKINGS, [None, None, None, 1276.5, 5, None]]
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"S": rows}), {"drop_totals_row": True})
    assert [r[0] for r in cells(raw.frame)] == ["00123", "B2"]


def test_empty_rows_inside_the_data_are_skipped_but_rows_keep_their_numbers(tmp_path):
    rows = [["ref", "n"], ["B1", 1], [None, None], ["B2", 2]]
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"S": rows}))
    assert cells(raw.frame) == [["B1", "1"], ["B2", "2"]]
    assert locations(raw) == ["S!row 2", "S!row 4"]


def test_duplicate_and_blank_headers(tmp_path):
    rows = [["ref", None, "ref"], ["B1", "x", "y"]]
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"S": rows}))
    assert raw.columns == ["ref", "column_2", "ref_2"]
    assert {"blank-header", "duplicate-header"} <= set(codes(raw))


def test_xlsm_extension(tmp_path):
    path = _workbook(tmp_path / "b.xlsx", {"S": BOOKINGS}).rename(tmp_path / "b.xlsm")
    raw = read_file(path)
    assert raw.source.format == "xlsm" and len(raw) == 2


def test_empty_sheet_gives_no_records(tmp_path):
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"S": []}))
    assert len(raw) == 0 and codes(raw) == ["no-records"]


def test_opendocument_spreadsheet(tmp_path):
    pytest.importorskip("odf", reason="odfpy writes the .ods fixture")
    import pandas as pd

    path = tmp_path / "b.ods"
    pd.DataFrame({"ref": ["00123", "B2"], "n": [1, 2.5]}).to_excel(path, engine="odf", index=False)
    raw = read_file(path)
    assert raw.source.format == "ods"
    assert cells(raw.frame) == [["00123", "1"], ["B2", "2.5"]]
    assert locations(raw) == ["Sheet1!row 2", "Sheet1!row 3"]


def test_sheet_names_with_quotes_and_braces_in_locations(tmp_path):
    raw = read_file(_workbook(tmp_path / "b.xlsx", {"Tom's {2024}": [["ref"], ["B1"]]}))
    assert raw.locations[0] == "'Tom''s {2024}'!row 2"
