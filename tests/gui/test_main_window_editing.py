"""More editing paths through the window: mapping changes, value maps, set value, details pane, context menu."""

from __future__ import annotations

import pytest
from gui_helpers import cell_point, click_cell, on_modal, open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from booking_desktop.gui.edit_dialogs import SetValueDialog, ValueMapDialog

pytestmark = pytest.mark.gui
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_a_mapping_change_from_the_panel_remaps_and_undoes_as_one_step(qtbot, make_window, bookings_csv):
    from booking_desktop.mapping import MappingProfile

    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    w.session.set_cell(1, "booking_ref", "B002")
    suggestion = getattr(w.session.result, "suggestion", None)
    assert suggestion is not None  # no profile matches these headers: the mapping was suggested
    d = suggestion.to_profile(name="bookings", vendor="ACME").to_dict()
    d["fields"]["property_name"] = {"column": "guest_name"}  # a (wrong) change made in the panel
    with qtbot.waitSignal(w.model.modelReset, timeout=30_000):
        w.mapping_panel.profile_changed.emit(MappingProfile.from_dict(d))
    assert w.session.text["property_name"].tolist()[0] == "Ann Smith"
    assert w.session.value(1, "booking_ref") == "B002"  # the edit survived
    assert w.session.undo_label == "Change mapping"
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert w.session.text["property_name"].tolist()[0] == "Hotel A"
    assert w.model.data(w.model.index(0, w.model.fields.index("property_name"))) == "Hotel A"


def test_value_map_dialog_maps_whole_values(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    click_cell(qtbot, w, 0, "country")

    def fill(dlg):
        assert isinstance(dlg, ValueMapDialog)
        t = dlg.table
        for i in range(t.rowCount()):
            if t.item(i, 0).text() == "DE":
                t.item(i, 2).setText("AT")
        dlg.accept()

    on_modal(fill)
    w.acts["actValueMap"].trigger()
    assert w.session.text["country"].tolist() == ["AT", "FR", "US", "GB", "AT", "ES"]
    assert w.session.undo_label == "Map values in country"


def test_set_value_for_a_selection(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    click_cell(qtbot, w, 2, "status")
    QTest.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, SHIFT, cell_point(w, 4, "status"))

    def fill(dlg):
        assert isinstance(dlg, SetValueDialog)
        qtbot.keyClicks(dlg.edit, "no_show")
        dlg.accept()

    on_modal(fill)
    qtbot.keyClick(w.view, Qt.Key.Key_V, CTRL | SHIFT)
    assert w.session.text["status"].tolist()[2:5] == ["no_show", "no_show", "no_show"]
    w.session.undo()
    assert w.session.text["status"].tolist()[2:5] == ["cancelled", "confirmed", "confirmed"]


def test_details_pane_shows_the_source_line_cells_and_problems(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    click_cell(qtbot, w, 3, "amount")
    assert "bookings.csv, line 5" in w.details.location.text()
    raw = {
        w.details.raw_table.item(i, 0).text(): w.details.raw_table.item(i, 1).text()
        for i in range(w.details.raw_table.rowCount())
    }
    assert raw["total"] == "abc" and raw["guest_name"] == "Di Prince"
    assert "date_order" in w.details.problems.text() and "amount" in w.details.problems.text()
    assert "line 5" in w.statusBar().currentMessage()


def test_grid_context_menu_offers_the_edit_actions(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    names = {a.objectName() for a in w.grid_context_actions()}
    assert {"actFillDown", "actSetValue", "actFind", "actValueMap", "actDeleteRows", "actRestoreRows"} <= names


PROFILE_YAML = """version: 1
name: acme
vendor: ACME
signature:
  columns: [Ref, Status, Guest, Email, Hotel, Arrive, Depart, Total, Cur]
  min_match: 0.6
fields:
  booking_ref: {column: Ref}
  status: {column: Status}
  customer_name: {column: Guest}
  customer_email: {column: Email}
  property_name: {column: Hotel}
  check_in: {column: Arrive}
  check_out: {column: Depart}
  amount: {column: Total}
  currency: {column: Cur}
"""


def test_header_drift_of_a_known_vendor_is_shown_in_the_banner(qtbot, make_window, tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "acme.yaml").write_text(PROFILE_YAML, encoding="utf-8")
    csv = tmp_path / "acme_export.csv"
    csv.write_text(
        "Ref,Status,Guest Name,Email,Hotel,Arrive,Depart,Total,Cur\n"
        "A1,confirmed,Ann,ann@example.com,H1,2024-05-01,2024-05-03,200.00,EUR\n",
        encoding="utf-8",
    )
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, csv)
    assert w.session.result.profile.name == "acme"
    assert w.page.notes.isVisible()
    assert "'Guest' -> 'Guest Name'" in w.page.notes.label.text()
    qtbot.mouseClick(w.page.notes.close_button, Qt.MouseButton.LeftButton)
    assert not w.page.notes.isVisible()
