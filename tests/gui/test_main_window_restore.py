"""Session safety: edits survive a crash and the next window restores them exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gui_helpers import on_modal, open_and_wait, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from booking_desktop.session import pending_journals

pytestmark = pytest.mark.gui


def click_button_named(qtbot, name: str):
    def fill(dlg):
        assert isinstance(dlg, QMessageBox)
        button = dlg.findChild(QPushButton, name)
        assert button is not None, f"no {name} in {dlg.text()}"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    on_modal(fill)


def make_edits(qtbot, w) -> None:
    type_into_cell(qtbot, w, 1, "booking_ref", "B002")
    w.edits.replace("customer_email", r"@example$", "@example.com", regex=True, only_selected=False, rows=[])
    w.session.delete_rows([5])
    w.session.set_value([0, 2], "status", "no_show")
    w.session.undo()  # the operator changed their mind about the status...
    type_into_cell(qtbot, w, 3, "amount", "120.00")  # ...and fixed an amount instead


def test_edits_are_restored_exactly_after_a_crash(qtbot, make_window, bookings_csv, tmp_path):
    w1 = make_window()
    open_and_wait(qtbot, w1, bookings_csv)
    make_edits(qtbot, w1)
    expected_text = w1.session.text.copy()
    expected_deleted = w1.session.deleted.copy()
    expected_invalid = w1.session.result.invalid
    assert expected_invalid == 1  # only the date order is still wrong
    # the crash: the window is abandoned without closing, nothing is cleaned up
    w1.files.ask_keep_edits = lambda _name: "keep"
    w1.hide()

    w2 = make_window()
    click_button_named(qtbot, "restoreButton")
    with qtbot.waitSignal(w2.session_loaded, timeout=60_000):
        assert w2.files.check_pending_journals() == 1
    s = w2.session
    pd.testing.assert_frame_equal(s.text, expected_text)
    np.testing.assert_array_equal(s.deleted, expected_deleted)
    assert s.result.invalid == expected_invalid
    assert "Restored" in w2.page.notes.label.text()
    assert w2.model.data(w2.model.index(1, w2.model.fields.index("booking_ref"))) == "B002"
    # the undo history came back too
    assert s.undo_label == "Edit amount" and s.redo_label is None
    s.undo()
    assert s.value(3, "amount") == "abc"


def test_discarding_the_offer_forgets_the_edits(qtbot, make_window, bookings_csv, tmp_path):
    w1 = make_window()
    open_and_wait(qtbot, w1, bookings_csv)
    type_into_cell(qtbot, w1, 1, "booking_ref", "B002")
    w1.files.ask_keep_edits = lambda _name: "keep"
    w1.hide()
    assert len(pending_journals(tmp_path / "journal")) == 1

    w2 = make_window()
    click_button_named(qtbot, "discardButton")
    w2.files.check_pending_journals()
    assert w2.session is None
    assert pending_journals(tmp_path / "journal") == []


def test_reopening_the_file_offers_its_unsaved_edits(qtbot, make_window, bookings_csv, tmp_path):
    w1 = make_window()
    open_and_wait(qtbot, w1, bookings_csv)
    type_into_cell(qtbot, w1, 1, "booking_ref", "B002")
    w1.files.ask_keep_edits = lambda _name: "keep"
    w1.hide()

    w2 = make_window()
    click_button_named(qtbot, "restoreButton")
    open_and_wait(qtbot, w2, bookings_csv)
    assert w2.session.value(1, "booking_ref") == "B002"


def test_a_changed_file_is_not_patched_with_old_edits(qtbot, make_window, bookings_csv, tmp_path):
    w1 = make_window()
    open_and_wait(qtbot, w1, bookings_csv)
    type_into_cell(qtbot, w1, 1, "booking_ref", "B002")
    w1.files.ask_keep_edits = lambda _name: "keep"
    w1.hide()
    pj = pending_journals(tmp_path / "journal")[0]
    bookings_csv.write_text(bookings_csv.read_text().replace("Ann Smith", "Anne Smith"))

    w2 = make_window()
    with qtbot.waitSignal(w2.session_loaded, timeout=60_000):
        w2.open_file(bookings_csv, restore=pj)
    assert w2.session.value(1, "booking_ref") is None
    assert "has changed" in w2.page.notes.label.text()


def test_closing_with_unsaved_edits_can_keep_them_for_later(qtbot, make_window, bookings_csv, tmp_path):
    w1 = make_window()
    open_and_wait(qtbot, w1, bookings_csv)
    type_into_cell(qtbot, w1, 1, "booking_ref", "B002")
    w1.files.ask_keep_edits = lambda _name: "cancel"
    w1.close()
    assert w1.isVisible() and w1.session is not None  # cancel keeps the window open
    w1.files.ask_keep_edits = lambda _name: "keep"
    w1.close()
    assert not w1.isVisible()
    assert len(pending_journals(tmp_path / "journal")) == 1
