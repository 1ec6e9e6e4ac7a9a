"""Copy and paste follow the columns as the grid shows them (the frozen key column first), so what a
spreadsheet receives and what a paste changes is what the operator sees, left to right."""

from __future__ import annotations

import pytest
from gui_helpers import cell_point, click_cell, open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def shown_fields(w) -> list[str]:
    hh = w.view.horizontalHeader()
    return [w.model.fields[hh.logicalIndex(v)] for v in range(w.model.columnCount())]


def test_copy_takes_the_columns_in_the_order_shown(qtbot, make_window, bookings_csv, vendor_profiles):
    w = make_window(profiles_dir=vendor_profiles)
    open_and_wait(qtbot, w, bookings_csv)
    s = w.session
    order = shown_fields(w)
    assert order[:3] == ["booking_ref", "vendor", "status"]  # the key column is first, the vendor after it
    click_cell(qtbot, w, 2, "booking_ref")
    QTest.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, SHIFT, cell_point(w, 3, "status"))
    qtbot.keyClick(w.view, Qt.Key.Key_C, CTRL)
    want = "".join(f"{s.value(r, 'booking_ref')}\t{s.value(r, 'vendor')}\t{s.value(r, 'status')}\n" for r in (2, 3))
    assert QApplication.clipboard().text() == want == "B003\tACME\tcancelled\nB004\tACME\tconfirmed\n"
    qtbot.keyClick(w.view, Qt.Key.Key_C, CTRL | SHIFT)
    assert QApplication.clipboard().text().splitlines()[0] == "Booking ref\tVendor\tStatus"


def test_paste_fills_the_columns_left_to_right_as_shown_in_one_undo_step(
    qtbot, make_window, bookings_csv, vendor_profiles
):
    w = make_window(profiles_dir=vendor_profiles)
    open_and_wait(qtbot, w, bookings_csv)
    s = w.session
    before = [(s.value(r, "booking_ref"), s.value(r, "vendor"), s.value(r, "status")) for r in (2, 3)]
    QApplication.clipboard().setText("Booking ref\tVendor\nX3\tOTHER\nX4\tOTHER\n")  # with its header row
    click_cell(qtbot, w, 2, "booking_ref")
    qtbot.keyClick(w.view, Qt.Key.Key_V, CTRL)
    assert [(s.value(r, "booking_ref"), s.value(r, "vendor")) for r in (2, 3)] == [("X3", "OTHER"), ("X4", "OTHER")]
    assert [s.value(r, "status") for r in (2, 3)] == [b[2] for b in before]  # the column after is untouched
    assert "header row was not pasted" in w.statusBar().currentMessage()
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert [(s.value(r, "booking_ref"), s.value(r, "vendor"), s.value(r, "status")) for r in (2, 3)] == before


def test_a_paste_that_does_not_fit_changes_nothing_and_says_why(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    s = w.session
    before = s.text.copy()
    QApplication.clipboard().setText("a\tb\nc\td\ne\tf\n")
    last = w.model.fields[w.view.horizontalHeader().logicalIndex(w.model.columnCount() - 1)]
    click_cell(qtbot, w, 4, last)
    qtbot.keyClick(w.view, Qt.Key.Key_V, CTRL)
    box = w.last_message
    assert box is not None and "nothing was pasted" in box.text() and "\n" not in box.text()
    assert s.text.equals(before) and not s.can_undo
    box.close()
