"""The vendor's error report (review_export.py): their layout, every bad cell marked, text never a
formula, and the corrected file imports cleanly with the same profile."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from review_files import BAD_RECORDS, HEADER, write_file, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.review_export import ERROR_FILL, export_report
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.review import ReviewFilter, ReviewQueue

COLUMNS = HEADER.strip().split(",")


@pytest.fixture()
def queue(mongo_db, tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(d))
    write_profile(d)
    CommitEngine(mongo_db).run(run_to_end(write_file(tmp_path), profile="harbour"))
    return ReviewQueue(mongo_db)


def test_the_report_is_the_vendors_layout_with_each_bad_cell_marked(queue, mongo_db, tmp_path):
    out = tmp_path / "report.xlsx"
    summary = export_report(queue, ReviewFilter(), out)
    assert summary["rows"] == len(BAD_RECORDS)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "harbour"] and wb.active.title == "Summary"  # the summary first
    ws = wb["harbour"]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert [r[0] for r in rows[1:]] == ["H2", "H4", "H5", "H6", "H1", "H9"]
    # every value as the vendor sent it, as text: a formula-looking name stays inert
    name = ws.cell(row=7, column=2)
    assert name.value == "=HYPERLINK(x)" and name.data_type == "s"
    assert ws.cell(row=2, column=4).value == "2024-05-01"
    expected = {}  # (sheet row, column) -> codes, from the stored errors and the profile's columns
    column_of = {"booking_ref": "Ref", "check_in": "Arrive", "check_out": "Leave", "adults": "Pax",
                 "amount": "Total", "currency": "Cur", "customer_name": "Guest"}
    for i, record in enumerate(BAD_RECORDS):
        doc = mongo_db.rejected_rows.find_one({"record": record})
        for e in doc["errors"]:
            expected.setdefault((i + 2, COLUMNS.index(column_of[e["field"]]) + 1), []).append(e["message"])
    marked = {}
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if c.comment is not None:
                assert c.fill.fgColor.rgb.endswith(ERROR_FILL)
                marked[(c.row, c.column)] = c.comment.text.split("\n")
            else:
                assert c.fill.fgColor.rgb in (None, "00000000")
    assert marked == expected
    summary_rows = list(wb["Summary"].iter_rows(values_only=True))
    by_code = {r[0]: r[2] for r in summary_rows if r and r[1] == "error"}
    stored = {}
    for d in mongo_db.rejected_rows.find({}):
        for code in {e["code"] for e in d["errors"]}:
            stored[code] = stored.get(code, 0) + 1
    assert by_code == stored


def test_the_corrected_report_imports_cleanly_with_the_same_profile(queue, tmp_path):
    out = tmp_path / "report.xlsx"
    export_report(queue, ReviewFilter(), out)
    wb = openpyxl.load_workbook(out)
    ws = wb["harbour"]
    fixes = {"H2": {"Leave": "2024-05-04"}, "H4": {"Pax": "1"}, "H5": {"Pax": "4"}, "H6": {"Arrive": "2024-02-28"},
             "H1": {"Ref": "H8"}, "H9": {"Cur": "EUR"}}
    for row in ws.iter_rows(min_row=2):
        for col, value in fixes[row[0].value].items():
            row[COLUMNS.index(col)].value = value
    corrected = tmp_path / "harbour_corrected.xlsx"
    wb.save(corrected)
    result = run_to_end(corrected, profile="harbour")
    assert len(result.text) == len(BAD_RECORDS)
    errors = result.problems.frame[result.problems.frame["severity"] == "error"]
    assert errors.empty, errors.to_dict("records")
    assert result.text["customer_name"].tolist()[-1] == "=HYPERLINK(x)"


def test_the_csv_report_has_the_layout_and_defuses_formulas(queue, tmp_path):
    out = tmp_path / "report.csv"
    assert export_report(queue, ReviewFilter(), out)["rows"] == len(BAD_RECORDS)
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == COLUMNS and len(rows) == len(BAD_RECORDS) + 1
    assert rows[1] == ["H2", "Ben Okafor", "2024-05-02", "2024-05-01", "1", "120.50", "EUR"]
    assert rows[-1][1] == "'=HYPERLINK(x)" and rows[-1][6] == ""


def test_an_empty_queue_gives_a_report_that_says_so(queue, tmp_path):
    out = tmp_path / "none.xlsx"
    assert export_report(queue, ReviewFilter(vendor="NOBODY"), out)["rows"] == 0
    assert "0 record(s)" in str(list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))[1][0])


def test_warnings_are_the_second_colour_and_the_report_opens_with_its_summary(queue, mongo_db, tmp_path):
    from booking_desktop.readers import read_file
    from booking_desktop.review_export import WARNING_FILL

    doc = mongo_db.rejected_rows.find_one({"record": 2})
    warning = {"field": "customer_name", "code": "format", "value": "Ben Okafor", "message": "check the name"}
    mongo_db.rejected_rows.replace_one({"_id": doc["_id"]}, {**doc, "warnings": [warning]})
    out = tmp_path / "report.xlsx"
    export_report(queue, ReviewFilter(), out)
    wb = openpyxl.load_workbook(out)
    assert wb.worksheets[0].title == "Summary" and wb.active.title == "Summary"
    cell = wb["harbour"].cell(row=2, column=COLUMNS.index("Guest") + 1)
    assert cell.value == "Ben Okafor" and cell.fill.fgColor.rgb.endswith(WARNING_FILL)
    assert cell.comment.text == "Warning: check the name"
    summary = list(wb["Summary"].iter_rows(values_only=True))
    assert ("format", "warning", 1) in {tuple(r[:3]) for r in summary}
    raw = read_file(out)  # the file as written (not re-saved): the reader takes the data sheet
    assert raw.source.sheet == "harbour" and raw.columns == COLUMNS and len(raw.frame) == len(BAD_RECORDS)


def test_sheet_names_follow_excels_rules():
    from booking_desktop.review_export import _SheetNames

    names = _SheetNames()
    assert names.new("a\x01[b]:c.csv") == "a__b__c"
    assert names.new("summary.csv") == "summary (2)"  # the summary sheet's name is taken
    assert names.new("'quoted'.csv") == "quoted"
    assert names.new("QUOTED.xlsx") == "QUOTED (2)"  # unique whatever the case
    assert len(names.new("x" * 60 + ".csv")) <= 31


def test_text_bson_cannot_hold_is_exported_as_its_escape_not_a_crash(queue, mongo_db, tmp_path):
    from booking_desktop.storage.imports import storable

    doc = mongo_db.rejected_rows.find_one({"record": 2})
    raw = [dict(c) for c in doc["raw"]]
    raw[1]["value"] = storable("Ben \udcff Okafor")  # a lone surrogate, stored reversibly
    mongo_db.rejected_rows.replace_one({"_id": doc["_id"]}, {**doc, "raw": raw})
    out = tmp_path / "report.xlsx"
    export_report(queue, ReviewFilter(), out)
    assert openpyxl.load_workbook(out)["harbour"].cell(row=2, column=2).value == "Ben \\udcff Okafor"
    csv_out = tmp_path / "report.csv"
    export_report(queue, ReviewFilter(), csv_out)
    with csv_out.open(encoding="utf-8", newline="") as fh:
        assert list(csv.reader(fh))[1][1] == "Ben \\udcff Okafor"
