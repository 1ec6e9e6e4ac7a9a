"""The streaming XLSX writer of the error report (xlsx_stream.py): every value reads back exactly as
written — by openpyxl and by our own reader — as a text cell, never a formula; fills and comments
where they were put; more comments than one VML id block holds; the report's summary sheet is
passed over by the reader, and only that sheet."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from booking_desktop.readers import read_file
from booking_desktop.readers.excel_reader import REPORT_SUMMARY_MARK
from booking_desktop.xlsx_stream import BOLD, ERROR, NORMAL, WARNING, StreamingWorkbook, column_letters

TRICKY = ["=1+1", "+31 6 1234", "-2", "@SUM(A1)", "_x0041_", " lead", "trail ", "a\r\nb", "tab\there", "<&>\"'",
          "ünïcödé ✓", "a_x", "=HYPERLINK(\"http://x\")"]


def excel_text(v):
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), v)


def test_column_letters():
    assert [column_letters(c) for c in (0, 25, 26, 27, 701, 702, 16383)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]


def test_values_read_back_exactly_as_text(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = StreamingWorkbook(path)
    ws = wb.add_sheet("data")
    ws.append([(f"col{i}", BOLD) for i in range(len(TRICKY))])
    ws.append([(v, NORMAL) for v in TRICKY])
    ws.append([(None, NORMAL), ("", ERROR), (7, NORMAL), (2.5, WARNING)])
    wb.close()
    assert zipfile.ZipFile(path).testzip() is None
    book = openpyxl.load_workbook(path)
    sheet = book["data"]
    row = [c for c in sheet[2]]
    # Excel and calamine read "_xHHHH_" as an escaped character (a vendor's literal "_x0041_" is
    # written "_x005F_x0041_", a carriage return "_x000D_", as Excel writes them); openpyxl alone
    # leaves the escapes as they are: decoded here as Excel decodes them
    assert [excel_text(c.value) for c in row] == TRICKY
    assert all(c.data_type == "s" for c in row)  # never a formula
    assert sheet["A1"].font.b
    assert sheet["B3"].fill.fgColor.rgb == "FFFFC7CE" and sheet["D3"].fill.fgColor.rgb == "FFFFEB9C"
    assert sheet["A3"].value is None and sheet["C3"].value == 7 and sheet["D3"].value == 2.5
    raw = read_file(path)
    assert list(raw.frame.iloc[0]) == [v.strip() for v in TRICKY]  # our reader too (it trims every cell)


def test_control_characters_and_lone_surrogates_never_break_the_file(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = StreamingWorkbook(path)
    wb.add_sheet("s").append([("a\x01b", NORMAL), ("bad \udcff", NORMAL), ("\ufffe", NORMAL)])
    wb.close()
    values = [c.value for c in openpyxl.load_workbook(path)["s"][1]]
    assert values == ["a\\x01b", "bad \\udcff", "\\xfffe"]


def test_comments_beyond_one_id_block_are_all_there(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = StreamingWorkbook(path)
    first, second = wb.add_sheet("first"), wb.add_sheet("second")
    second.append([("x", NORMAL)])
    for r in range(1100):
        at = first.append([(f"v{r}", ERROR), ("ok", NORMAL)])
        first.comment(at, 0, f"note {r}\nsecond line")
    second.comment(0, 0, "on the second sheet")
    wb.close()
    with zipfile.ZipFile(path) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
        assert 'data="1,2"' in vml and vml.count("<v:shape ") == 1100
        assert 'data="2049"' in z.read("xl/drawings/vmlDrawing2.vml").decode()  # its own ids
    book = openpyxl.load_workbook(path)
    notes = {c.row: c.comment.text for row in book["first"].iter_rows() for c in row if c.comment}
    assert len(notes) == 1100 and notes[1100] == "note 1099\nsecond line"
    assert book["second"]["A1"].comment.text == "on the second sheet"
    assert book.active.title == "first"


def test_the_file_appears_only_when_whole(tmp_path, monkeypatch):
    path = tmp_path / "t.xlsx"
    wb = StreamingWorkbook(path)
    wb.add_sheet("s").append([("x", NORMAL)])
    monkeypatch.setattr(StreamingWorkbook, "_write", lambda self, zf: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        wb.close()
    assert list(tmp_path.iterdir()) == []


def test_the_reader_passes_over_the_reports_summary_and_only_it(tmp_path):
    path = tmp_path / "report.xlsx"
    wb = StreamingWorkbook(path)
    wb.add_sheet("Summary").append([(REPORT_SUMMARY_MARK, BOLD)])
    data = wb.add_sheet("harbour")
    data.append([("Ref", NORMAL), ("Guest", NORMAL)])
    data.append([("H2", NORMAL), ("Ben", NORMAL)])
    wb.close()
    raw = read_file(path)
    assert raw.columns == ["Ref", "Guest"] and raw.source.sheet == "harbour"
    other = tmp_path / "notes.xlsx"  # a first sheet that merely mentions the words is read as it is
    wb = StreamingWorkbook(other)
    wb.add_sheet("Notes").append([("Notes", NORMAL), (REPORT_SUMMARY_MARK, NORMAL)])
    wb.add_sheet("harbour").append([("Ref", NORMAL)])
    wb.close()
    assert read_file(other).source.sheet == "Notes"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_report_and_keeps_every_comment(tmp_path):
    """Another spreadsheet program than the libraries: LibreOffice opens the file, and saved again by it
    the cells, fills and comments are there, and our reader takes the data sheet."""
    path = tmp_path / "r.xlsx"
    wb = StreamingWorkbook(path)
    wb.add_sheet("Summary").append([(REPORT_SUMMARY_MARK, BOLD)])
    data = wb.add_sheet("harbour")
    data.append([("Ref", NORMAL), ("Guest", NORMAL), ("Leave", NORMAL)])
    for r in range(1, 1200):  # past one block of 1,024 comment shapes
        at = data.append([(f"H{r}", NORMAL), ("=HYPERLINK(x)", WARNING), ("2024-05-01", ERROR)])
        data.comment(at, 2, f"check_out is before check_in ({r})")
    wb.close()
    out = tmp_path / "out"
    run = subprocess.run(["soffice", "--headless", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                          "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180,
                         env={**os.environ, "HOME": str(tmp_path)})
    assert (out / "r.xlsx").is_file(), run.stdout + run.stderr
    ws = openpyxl.load_workbook(out / "r.xlsx")["harbour"]
    assert [c.value for c in ws[1200]] == ["H1199", "=HYPERLINK(x)", "2024-05-01"] and ws["B1200"].data_type == "s"
    assert ws["C2"].fill.fgColor.rgb == "FFFFC7CE" and ws["B2"].fill.fgColor.rgb == "FFFFEB9C"
    notes = [c.comment.text for row in ws.iter_rows() for c in row if c.comment]
    assert len(notes) == 1199 and notes[-1] == "check_out is before check_in (1199)"
    assert read_file(out / "r.xlsx").source.sheet == "harbour"
