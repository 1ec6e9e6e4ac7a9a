"""A cell takes the file's own formats when the operator types into it: ``01.03.2024`` in a
``%d.%m.%Y`` column and ``1.250,00`` in a decimal-comma column are read by the mapping's own code,
canonical values typed directly still work, and a value neither reads stays as typed and is reported."""

from __future__ import annotations

import pytest
import yaml
from gui_helpers import click_cell, open_and_wait, type_into_cell
from PySide6.QtCore import Qt

from booking_desktop.mapping import MappingProfile, apply_mapping
from booking_desktop.readers import read_file

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier

PROFILE = """\
version: 1
name: dotted_vendor
vendor: DOTS
signature:
  columns: [Buchung, Status, Gast, Hotel, Anreise, Abreise, Erwachsene, Betrag, Waehrung]
  min_match: 0.9
fields:
  booking_ref: {column: Buchung}
  status: {column: Status}
  customer_name: {column: Gast}
  property_name: {column: Hotel}
  check_in: {column: Anreise, date_format: "%d.%m.%Y"}
  check_out: {column: Abreise, date_format: "%d.%m.%Y"}
  adults: {column: Erwachsene}
  amount: {column: Betrag, number_locale: {decimal: ",", thousands: "."}}
  currency: {column: Waehrung}
"""
CSV = """Buchung;Status;Gast;Hotel;Anreise;Abreise;Erwachsene;Betrag;Waehrung
D1;confirmed;Anna;Haus A;01.03.2024;04.03.2024;2;1.250,00;EUR
D2;confirmed;Bernd;Haus A;3/5/2024;08.03.2024;2;zwei;EUR
D3;confirmed;Carla;Haus B;10.03.2024;12.03.2024;1;99,90;EUR
"""


@pytest.fixture
def dotted(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "dotted_vendor.yaml").write_text(PROFILE, encoding="utf-8")
    path = tmp_path / "buchungen.csv"
    path.write_text(CSV, encoding="utf-8")
    return path, profiles


def codes(w, row: int, field: str) -> list[str]:
    f = w.session.result.problems.frame
    return f.loc[(f["row"] == row) & (f["field"] == field), "code"].tolist()


def mapped_like_the_file(path, profiles, field: str, text: str) -> str:
    """What the mapping makes of ``text`` written in the file itself (computed apart from the grid)."""
    raw = read_file(path)
    column = {"check_in": "Anreise", "amount": "Betrag"}[field]
    raw.frame.loc[1, column] = text
    profile = MappingProfile.from_dict(yaml.safe_load(PROFILE))
    return apply_mapping(raw, profile).text[field].iat[1]


def test_typed_values_are_read_in_the_files_own_formats(qtbot, make_window, dotted):
    path, profiles = dotted
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, path)
    s = w.session
    assert s.result.profile.name == "dotted_vendor"
    assert s.value(0, "check_in") == "2024-03-01" and s.value(0, "amount") == "1250.00"
    assert codes(w, 1, "check_in") == ["format"] and codes(w, 1, "amount") == ["type"]

    type_into_cell(qtbot, w, 1, "check_in", "05.03.2024")
    assert s.value(1, "check_in") == "2024-03-05" == mapped_like_the_file(path, profiles, "check_in", "05.03.2024")
    assert codes(w, 1, "check_in") == []
    assert "'05.03.2024' read as 2024-03-05" in w.statusBar().currentMessage()
    assert "%d.%m.%Y" in w.statusBar().currentMessage()

    type_into_cell(qtbot, w, 1, "amount", "1.250,00")
    assert s.value(1, "amount") == "1250.00" == mapped_like_the_file(path, profiles, "amount", "1.250,00")
    assert codes(w, 1, "amount") == [] and not s.result.error_rows[1]
    m = w.model
    assert m.data(m.index(1, m.fields.index("amount"))) == "1250.00"

    # one Ctrl+Z undoes the edit as typed (the journal and undo hold the value read)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert s.value(1, "amount") == "zwei"


def test_canonical_values_typed_directly_still_work(qtbot, make_window, dotted):
    path, profiles = dotted
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, path)
    s = w.session
    type_into_cell(qtbot, w, 1, "check_in", "2024-03-06")
    assert s.value(1, "check_in") == "2024-03-06" and codes(w, 1, "check_in") == []
    # 1250.00 read with thousands "." would be 125000: a canonical value keeps its meaning
    type_into_cell(qtbot, w, 2, "amount", "1300.00")
    assert s.value(2, "amount") == "1300.00" and codes(w, 2, "amount") == []
    type_into_cell(qtbot, w, 2, "adults", "3")
    assert s.value(2, "adults") == "3"


def test_a_value_neither_format_reads_stays_as_typed_and_is_reported(qtbot, make_window, dotted):
    path, profiles = dotted
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, path)
    s = w.session
    type_into_cell(qtbot, w, 0, "check_in", "31.02.2024")
    assert s.value(0, "check_in") == "31.02.2024"  # not invented, not dropped
    assert codes(w, 0, "check_in") == ["format"]
    m = w.model
    idx = m.index(0, m.fields.index("check_in"))
    assert m.data(idx) == "31.02.2024" and m.data(idx, Qt.ItemDataRole.BackgroundRole) is not None
    msg = w.statusBar().currentMessage()
    assert "'31.02.2024' kept as typed" in msg and "%d.%m.%Y" in msg and "YYYY-MM-DD" in msg
    type_into_cell(qtbot, w, 0, "amount", "12,3,4")
    assert s.value(0, "amount") == "12,3,4" and codes(w, 0, "amount") != []


def test_pasted_values_are_read_in_the_files_formats_too(qtbot, make_window, dotted):
    from PySide6.QtWidgets import QApplication

    path, profiles = dotted
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, path)
    s = w.session
    QApplication.clipboard().setText("07.03.2024\t09.03.2024\n")
    click_cell(qtbot, w, 1, "check_in")
    qtbot.keyClick(w.view, Qt.Key.Key_V, CTRL)
    assert [s.value(1, "check_in"), s.value(1, "check_out")] == ["2024-03-07", "2024-03-09"]
    assert "read as 2024-03-07" in w.statusBar().currentMessage()


def test_an_undeclared_date_column_is_read_in_the_order_the_mapping_detected(qtbot, make_window, tmp_path):
    """No date_format in the mapping: the column proves day-first (13/03/2024), so a typed 05/03/2024
    is the 5th of March, as the same text in the file."""
    path = tmp_path / "dayfirst.csv"
    path.write_text(
        "booking_ref,status,guest_name,hotel,check_in,check_out,adults,total,currency\n"
        "R1,confirmed,Ann,H,13/03/2024,15/03/2024,2,10.00,EUR\n"
        "R2,confirmed,Bob,H,soon,16/03/2024,2,10.00,EUR\n",
        encoding="utf-8",
    )
    w = make_window()
    open_and_wait(qtbot, w, path)
    assert w.session.value(0, "check_in") == "2024-03-13"
    type_into_cell(qtbot, w, 1, "check_in", "05/03/2024")
    assert w.session.value(1, "check_in") == "2024-03-05"
    assert "dmy" in w.statusBar().currentMessage()
    type_into_cell(qtbot, w, 1, "check_out", "16/03/2024, late")  # the mapping would ignore ", late"
    assert w.session.value(1, "check_out") == "16/03/2024, late"
    assert "kept as typed" in w.statusBar().currentMessage()


def test_letters_or_currency_signs_in_a_typed_number_are_never_dropped(qtbot, make_window, dotted):
    """The mapping drops 'EUR' from a vendor's '12,50 EUR'; from typed input that would change what the
    operator wrote (a letter O for a zero, another currency): such a value stays as typed."""
    path, profiles = dotted
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, path)
    s = w.session
    for typed in ("1.2O0,00", "$12,50"):
        type_into_cell(qtbot, w, 2, "amount", typed)
        assert s.value(2, "amount") == typed and codes(w, 2, "amount") != []
        assert f"{typed!r} kept as typed" in w.statusBar().currentMessage()
