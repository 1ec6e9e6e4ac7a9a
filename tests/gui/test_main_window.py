"""Drive the real main window as an operator would: open, fix, undo/redo, filter, replace, delete, navigate."""

from __future__ import annotations

import pytest
from gui_helpers import CSV_ROWS, cell_point, click_cell, on_modal, open_and_wait, type_into_cell
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.edit_dialogs import FindReplaceDialog

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def problems_at(window, row: int, field: str) -> list[str]:
    f = window.session.result.problems.frame
    return f.loc[(f["row"] == row) & (f["field"] == field), "code"].tolist()


def test_open_shows_rows_coloured_errors_and_counts(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    m = w.model
    assert m.rowCount() == len(CSV_ROWS)
    assert m.data(m.index(0, m.fields.index("booking_ref"))) == "B001"
    bad = m.index(1, m.fields.index("booking_ref"))
    assert m.data(bad, Qt.ItemDataRole.BackgroundRole).color() == theme.error_color()
    assert "required" in m.data(bad, Qt.ItemDataRole.ToolTipRole)
    assert m.data(m.index(0, m.fields.index("booking_ref")), Qt.ItemDataRole.BackgroundRole) is None
    assert "3 with errors" in w.error_panel.summary.text()
    assert m.headerData(1, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole) == "line 3"
    assert str(bookings_csv.resolve()) in recent_files.recent_files()
    assert "bookings.csv" in w.windowTitle()


def test_drop_a_file_onto_the_window_opens_it(qtbot, make_window, bookings_csv):
    w = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bookings_csv))])
    with qtbot.waitSignal(w.session_loaded, timeout=60_000):
        ev = QDropEvent(
            w.rect().center().toPointF(),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        w.dropEvent(ev)
    assert w.model.rowCount() == len(CSV_ROWS)


def test_fixing_a_cell_revalidates_its_row_and_undo_redo_by_keyboard(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    assert w.session.result.invalid == 3
    type_into_cell(qtbot, w, 1, "booking_ref", "B002")
    assert w.session.value(1, "booking_ref") == "B002"
    assert w.session.result.invalid == 2
    assert "2 with errors" in w.error_panel.summary.text()
    idx = w.model.index(1, w.model.fields.index("booking_ref"))
    assert w.model.data(idx, Qt.ItemDataRole.BackgroundRole) is None
    assert "*" in w.windowTitle()

    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert w.session.value(1, "booking_ref") is None
    assert w.session.result.invalid == 3
    assert w.model.data(idx, Qt.ItemDataRole.BackgroundRole) is not None
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert w.session.value(1, "booking_ref") == "B002"
    assert w.session.result.invalid == 2


def test_errors_only_filter_by_keyboard(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_E, CTRL)
    m = w.model
    assert m.rowCount() == 3
    shown = [m.frame_row(r) for r in range(m.rowCount())]
    assert shown == [1, 3, 4]
    assert w.error_panel.current_filter() == ("errors", None)
    qtbot.keyClick(w.view, Qt.Key.Key_E, CTRL)
    assert m.rowCount() == len(CSV_ROWS)


def test_field_filter_and_search_narrow_rows(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    w.error_panel.set_filter("field", "customer_email")
    assert [w.model.frame_row(r) for r in range(w.model.rowCount())] == [4]
    w.error_panel.set_filter("all")
    qtbot.keyClicks(w.error_panel.search, "hotel c")
    qtbot.keyClick(w.error_panel.search, Qt.Key.Key_Return)
    assert [w.model.frame_row(r) for r in range(w.model.rowCount())] == [4, 5]


def test_sorting_by_header_click_orders_rows(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    hh = w.view.horizontalHeader()
    col = w.model.fields.index("customer_name")
    x = hh.sectionViewportPosition(col) + hh.sectionSize(col) // 2
    QTest.mouseClick(hh.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 5))
    names = [w.model.data(w.model.index(r, col)) for r in range(w.model.rowCount())]
    assert names == sorted(names)
    QTest.mouseClick(hh.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(x, 5))
    names = [w.model.data(w.model.index(r, col)) for r in range(w.model.rowCount())]
    assert names == sorted(names, reverse=True)


def test_bulk_replace_through_the_dialog_is_one_undo_step(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    click_cell(qtbot, w, 0, "property_name")

    def fill(dlg):
        assert isinstance(dlg, FindReplaceDialog)
        assert dlg.field_combo.currentText() == "property_name"
        qtbot.keyClicks(dlg.find_edit, "Hotel")
        qtbot.keyClicks(dlg.replace_edit, "Grand Hotel")
        qtbot.mouseClick(dlg.buttons.buttons()[0], Qt.MouseButton.LeftButton)

    on_modal(fill)
    qtbot.keyClick(w.view, Qt.Key.Key_F, CTRL)
    assert w.session.text["property_name"].tolist() == [
        "Grand Hotel A",
        "Grand Hotel A",
        "Grand Hotel B",
        "Grand Hotel B",
        "Grand Hotel C",
        "Grand Hotel C",
    ]
    assert w.model.data(w.model.index(5, w.model.fields.index("property_name"))) == "Grand Hotel C"
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert w.session.text["property_name"].tolist()[0] == "Hotel A"
    assert not w.session.can_undo


def test_regex_replace_fixes_the_bad_email(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    n = w.edits.replace("customer_email", r"@example$", "@example.com", regex=True, only_selected=False, rows=[])
    assert n == 1
    assert problems_at(w, 4, "customer_email") == []
    assert w.session.result.invalid == 2


def test_delete_clears_the_selected_cells_and_ctrl_minus_deletes_the_rows(qtbot, make_window, bookings_csv):
    """As in a spreadsheet: Delete empties cells (one undo step); deleting rows is its own command."""
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    before = [w.session.value(r, "amount") for r in (3, 4)]
    assert all(before)
    click_cell(qtbot, w, 3, "amount")
    QTest.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, SHIFT, cell_point(w, 4, "amount"))
    qtbot.keyClick(w.view, Qt.Key.Key_Delete)
    assert [w.session.value(r, "amount") for r in (3, 4)] == [None, None]
    assert not w.session.deleted.any()
    assert w.session.is_edited(3, "amount") and w.session.undo_label == "Clear cells"
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert [w.session.value(r, "amount") for r in (3, 4)] == before

    qtbot.keyClick(w.view, Qt.Key.Key_Minus, CTRL)
    assert w.session.deleted.tolist() == [False, False, False, True, True, False]
    assert w.session.committable().records == 4
    assert w.model.data(w.model.index(3, 0), Qt.ItemDataRole.FontRole).strikeOut()
    assert "2 deleted" in w.error_panel.summary.text()
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert not w.session.deleted.any()


def test_fill_down_with_ctrl_d(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    click_cell(qtbot, w, 0, "currency")
    QTest.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, SHIFT, cell_point(w, 2, "currency"))
    qtbot.keyClick(w.view, Qt.Key.Key_D, CTRL)
    assert w.session.text["currency"].tolist()[:3] == ["EUR", "EUR", "EUR"]
    assert w.session.undo_label == "Fill down"


def test_f8_walks_through_problem_cells_and_shift_f8_goes_back(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    w.view.setFocus()
    seen = []
    for _ in range(4):
        qtbot.keyClick(w.view, Qt.Key.Key_F8)
        cur = w.view.currentIndex()
        seen.append((w.model.frame_row(cur.row()), w.model.fields[cur.column()]))
    assert seen == [(1, "booking_ref"), (3, "check_out"), (3, "amount"), (4, "customer_email")]
    qtbot.keyClick(w.view, Qt.Key.Key_F8)  # wraps around
    cur = w.view.currentIndex()
    assert (w.model.frame_row(cur.row()), w.model.fields[cur.column()]) == (1, "booking_ref")
    qtbot.keyClick(w.view, Qt.Key.Key_F8, SHIFT)
    cur = w.view.currentIndex()
    assert (w.model.frame_row(cur.row()), w.model.fields[cur.column()]) == (4, "customer_email")
    assert "record 5" in w.details.location.text().lower()


def test_clicking_a_count_in_the_error_panel_selects_those_cells(qtbot, make_window, bookings_csv):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    tree = w.error_panel.tree
    item = next(
        tree.topLevelItem(i).child(0)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).text(0) == "amount"
    )
    rect = tree.visualItemRect(item)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert w.view.selected_cells() == [(3, "amount")]


def test_unreadable_file_gives_a_readable_message_not_a_traceback(qtbot, make_window, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    w = make_window()
    with qtbot.waitSignal(w.load_failed, timeout=30_000) as blocker:
        w.open_file(bad)
    msg = blocker.args[0]
    assert "broken.xlsx" in msg and "Traceback" not in msg
    assert w.last_message is not None and "Traceback" not in w.last_message.text()
    assert w.session is None


def test_cancel_while_loading_leaves_no_session(qtbot, make_window, bookings_csv):
    import time

    def slow_run(path, profile=None, vendor=None, profiles_dir=None, cancelled=lambda: False):
        from booking_desktop.pipeline import Cancelled, Progress

        for i in range(200):
            yield Progress("read", i, 200, "reading")
            time.sleep(0.01)
            if cancelled():
                raise Cancelled()
        raise AssertionError("not cancelled")

    w = make_window(pipeline_run=slow_run)
    w.open_file(bookings_csv)
    qtbot.waitUntil(lambda: w.cancel_button.isVisible())
    qtbot.mouseClick(w.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.cancel_button.isVisible(), timeout=10_000)
    assert w.session is None
    assert "cancelled" in w.statusBar().currentMessage().lower()


def test_every_frequent_action_has_a_shortcut_and_controls_have_names(qtbot, make_window):
    w = make_window()
    for act in (
        w.acts["actOpen"],
        w.acts["actUndo"],
        w.acts["actRedo"],
        w.acts["actFind"],
        w.acts["actFillDown"],
        w.acts["actDeleteRows"],
        w.acts["actErrorsOnly"],
        w.acts["actNextProblem"],
        w.acts["actPrevProblem"],
        w.acts["actCommit"],
    ):
        assert not act.shortcut().isEmpty(), act.text()
    for widget in (w.view, w.error_panel.search, w.error_panel.filter_combo, w.error_panel.tree, w.cancel_button):
        assert widget.accessibleName()


def test_window_state_is_remembered(qtbot, make_window, isolated_settings, bookings_csv):
    """Regression guard: the window came back at its default size with every panel where it starts,
    losing the operator's layout on each run.  (The panels show while a file is open.)"""
    w = make_window()
    assert not w.page.errors_dock.isVisible()  # no file: no empty panels
    open_and_wait(qtbot, w, bookings_csv)
    w.resize(761, 553)  # neither the default size (1400 x 900) nor the fixture's; fits the screen
    w.page.details_dock.close()  # the Record details panel closed
    assert w.page.mapping_dock.isVisible()  # (its tab neighbour shows instead)
    w.close()

    w2 = make_window(size=None)  # as the window restores itself
    assert (w2.width(), w2.height()) == (761, 553)
    assert not w2.page.errors_dock.isVisible()  # no file yet: no empty panels
    open_and_wait(qtbot, w2, bookings_csv)
    assert w2.page.errors_dock.isVisible() and w2.page.mapping_dock.isVisible()
    assert not w2.page.details_dock.isVisible()


def test_settings_stay_in_the_test_folder_not_the_users_config(qtbot, make_window, bookings_csv, isolated_settings):
    """Regression: QSettings(org, app) used the native format and wrote test runs into ~/.config."""
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    path = recent_files.settings().fileName()
    assert path.startswith(str(isolated_settings)), path
