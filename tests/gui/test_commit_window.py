"""The commit in the window: a panel beside the grid (not modal), the session locked meanwhile, the grid
marking what the commit did with each record, and a file opened again saying it was imported."""

from __future__ import annotations

import threading

import pytest
from gui_helpers import CSV_HEADER, CSV_ROWS, cell_point, click_cell, open_and_wait, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDockWidget

from booking_desktop.gui.commit_text import local_time
from booking_desktop.gui.grid_model import MARK_ERROR, MARK_OK
from booking_desktop.storage.client import ConnectionTarget
from booking_desktop.storage.connection import Connection
from booking_desktop.storage.engine import CommitEngine

pytestmark = pytest.mark.gui
BATCH = 50


class HeldEngine(CommitEngine):
    """The real engine, holding after its first batch until the test lets it go on (the operator acts
    while the commit runs, however fast or slow the machine is)."""

    go_on = threading.Event()

    def commit(self, result, **kw):
        inner = super().commit(result, **kw)
        first = True
        while True:
            try:
                item = next(inner)
            except StopIteration as stop:
                return stop.value
            yield item
            if first:
                first = False
                HeldEngine.go_on.wait(60)


@pytest.fixture
def held(monkeypatch):
    HeldEngine.go_on = threading.Event()
    monkeypatch.setattr(
        Connection, "engine", lambda self, **kw: HeldEngine(self.db, traits=self.traits, batch_size=BATCH)
    )
    yield HeldEngine.go_on
    HeldEngine.go_on.set()


@pytest.fixture
def many_csv(tmp_path):
    """300 bookings; records 10 and 200 have no booking_ref (errors)."""
    rows = []
    for i in range(1, 301):
        ref = "" if i in (10, 200) else f"M{i:04d}"
        rows.append(f"{ref},confirmed,Guest {i},g{i}@example.com,Hotel A,2024-05-01,2024-05-03,2,2,200.00,EUR,DE")
    p = tmp_path / "many.csv"
    p.write_text(CSV_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def _window(make_window, vendor_profiles, server, db):
    w = make_window(profiles_dir=vendor_profiles)
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    return w


def _panel(qtbot, w):
    w.commit()
    qtbot.waitUntil(lambda: w.commit_dialog is not None, timeout=30_000)
    panel = w.commit_dialog
    qtbot.waitUntil(panel.commit_button.isEnabled, timeout=30_000)
    return panel


def _close(qtbot, w, panel):
    qtbot.mouseClick(panel.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.commit_dialog is None and w.commit_flow._conn is None, timeout=30_000)


def _marks(w) -> dict[int, int]:
    """{frame row: mark} as the row header shows it (a colour) -- the rows with a mark."""
    m = w.model
    out = {}
    for r in range(m.rowCount()):
        if m.headerData(r, Qt.Orientation.Vertical, Qt.ItemDataRole.DecorationRole) is not None:
            out[m.frame_row(r)] = m.row_mark(m.frame_row(r))[0]
    return out


def test_the_commit_runs_beside_a_scrollable_grid_that_cannot_be_edited_meanwhile(
    qtbot, make_window, many_csv, vendor_profiles, bookings_csv, db, server, held
):
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, many_csv)
    panel = _panel(qtbot, w)
    assert QApplication.activeModalWidget() is None  # nothing modal: the window answers
    assert panel.window() is w and w.commit_flow.dock.isVisible()
    assert panel.lock_note.isVisible() and not w.mapping_panel.isEnabled()
    qtbot.mouseClick(panel.commit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=60_000)  # held after its first batch

    # the operator scrolls the grid meanwhile
    bar = w.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_PageDown)
    qtbot.keyClick(w.view, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    # ... but cannot edit it: no editor opens, the edit actions are off, no other file, no remap
    pos = cell_point(w, 2, "customer_name")
    QTest.mouseDClick(w.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    qtbot.wait(100)
    assert w.view.state() != QAbstractItemView.State.EditingState
    edits = ("actPaste", "actDeleteRows", "actClearCells", "actUndo", "actCommit")
    assert [a for a in edits if w.acts[a].isEnabled()] == []
    assert not w.open_file(bookings_csv) and w.session.source_path == many_csv
    assert "A commit is being prepared or runs" in w.statusBar().currentMessage()
    assert not w.session.is_modified

    # cancelled after its first batch: the summary says how far it got; the grid marks that far
    with qtbot.waitSignal(panel.committed, timeout=60_000) as blocker:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        held.set()
    summary = blocker.args[0]
    assert summary.status == "interrupted"
    done = summary.inserted + summary.rejected
    assert done == BATCH and panel.summary_status.text().startswith(
        f"Cancelled after {BATCH} of 300 records: {BATCH - 1} inserted, 1 rejected; {300 - BATCH} not committed."
    )
    marks = _marks(w)
    stored = {d["source"]["record"] - 1 for d in db.bookings.find({}, {"source": 1})}
    queued = {d["record"] - 1 for d in db.rejected_rows.find({}, {"record": 1})}
    assert {r for r, m in marks.items() if m == MARK_OK} == stored == set(range(BATCH)) - {9}
    assert {r for r, m in marks.items() if m == MARK_ERROR} == queued == {9}

    # the summary is up: the session may be edited again (while the panel still shows it)
    assert w.mapping_panel.isEnabled() and w.acts["actPaste"].isEnabled()
    type_into_cell(qtbot, w, 9, "booking_ref", "M0010")
    assert w.session.value(9, "booking_ref") == "M0010"
    _close(qtbot, w, panel)


def test_after_a_commit_the_grid_marks_committed_and_rejected_records(
    qtbot, make_window, bookings_csv, vendor_profiles, db, server
):
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, bookings_csv)
    w.session.delete_rows([2])  # B003 is not committed: it gets no mark, and the others keep their rows
    panel = _panel(qtbot, w)
    with qtbot.waitSignal(panel.committed, timeout=60_000) as blocker:
        qtbot.mouseClick(panel.commit_button, Qt.MouseButton.LeftButton)
    summary = blocker.args[0]
    assert summary.status == "completed"
    assert panel.summary_status.text().endswith(": 2 inserted, 3 rejected of 5 records.")

    stored = {d["source"]["record"] - 1 for d in db.bookings.find({}, {"source": 1})}
    queued = {d["record"] - 1 for d in db.rejected_rows.find({}, {"record": 1})}
    marks = _marks(w)
    assert {r for r, m in marks.items() if m == MARK_OK} == stored == {0, 5}
    assert {r for r, m in marks.items() if m == MARK_ERROR} == queued == {1, 3, 4}
    assert 2 not in marks
    tip = w.model.headerData(1, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
    assert f"Rejected by import {summary.import_id[:8]}" in tip and "line" in tip

    click_cell(qtbot, w, 5, "customer_name")
    assert w.details.commit_mark.isVisible()
    assert w.details.commit_mark.text().startswith(f"Committed by import {summary.import_id[:8]}")
    click_cell(qtbot, w, 2, "customer_name")
    assert not w.details.commit_mark.isVisible()
    _close(qtbot, w, panel)

    # the same file opened again says it was imported: when, the outcome, by whom
    assert w.close_file()
    assert _marks(w) == {}
    open_and_wait(qtbot, w, bookings_csv)
    qtbot.waitUntil(lambda: w.files.last_import is not None, timeout=30_000)
    record = db.imports.find_one({"_id": summary.import_id})
    assert w.files.last_import["_id"] == summary.import_id
    notes = w.page.notes.label.text()
    assert (
        f"This file was already imported on {local_time(record['started_at'])} by {record['user']}" in notes
    )
    assert ": 2 inserted, 3 rejected of 5 records." in notes
    assert w.page.notes.isVisible() and _marks(w) == {}


def test_a_file_never_imported_opens_without_the_notice(qtbot, make_window, bookings_csv, vendor_profiles, db, server):
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, bookings_csv)
    worker = w.files._history_worker
    qtbot.waitUntil(lambda: worker.is_done, timeout=30_000)
    assert w.files.last_import is None and "already imported" not in w.page.notes.label.text()


def test_a_second_file_with_the_same_rows_but_other_bytes_is_not_said_to_be_imported(
    qtbot, make_window, bookings_csv, vendor_profiles, db, server, tmp_path
):
    """The notice follows the file's content (sha256), not its name or its bookings."""
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, bookings_csv)
    panel = _panel(qtbot, w)
    with qtbot.waitSignal(panel.committed, timeout=60_000):
        qtbot.mouseClick(panel.commit_button, Qt.MouseButton.LeftButton)
    _close(qtbot, w, panel)
    other = tmp_path / "other" / "bookings.csv"
    other.parent.mkdir()
    other.write_text(CSV_HEADER + "\n".join(CSV_ROWS) + "\n\n", encoding="utf-8")  # one more blank line
    open_and_wait(qtbot, w, other)
    worker = w.files._history_worker
    qtbot.waitUntil(lambda: worker.is_done, timeout=30_000)
    assert w.files.last_import is None


def test_commit_again_while_the_summary_shows_starts_a_new_commit_and_quitting_closes_its_connection(
    qtbot, make_window, bookings_csv, vendor_profiles, db, server
):
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, bookings_csv)
    first = _panel(qtbot, w)
    with qtbot.waitSignal(first.committed, timeout=60_000):
        qtbot.mouseClick(first.commit_button, Qt.MouseButton.LeftButton)
    conn = w.commit_flow._conn
    second = _panel(qtbot, w)  # Commit again, the first summary still shown
    assert second is not first and w.commit_flow.panel is second and conn is not w.commit_flow._conn
    assert len(w.page.findChildren(QDockWidget, "commitDock")) == 1  # the first panel's dock went with it
    assert second.preview_labels["unchanged"].text() == "3" and second.preview_labels["new"].text() == "0"
    w.close()  # nothing runs (the preview is done): the window closes, the connection with it
    assert not w.isVisible()
    qtbot.waitUntil(lambda: w.commit_flow._conn is None, timeout=30_000)
    assert db.imports.count_documents({}) == 1


def test_the_window_does_not_close_while_a_commit_runs(
    qtbot, make_window, many_csv, vendor_profiles, db, server, held
):
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, many_csv)
    panel = _panel(qtbot, w)
    qtbot.mouseClick(panel.commit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=60_000)
    assert not w.close() and w.isVisible()
    assert "A commit is being prepared or runs" in w.statusBar().currentMessage()
    with qtbot.waitSignal(panel.committed, timeout=60_000) as blocker:
        held.set()
    assert blocker.args[0].status == "completed" and db.bookings.count_documents({}) == 298
    _close(qtbot, w, panel)


def test_opening_another_file_while_the_preview_waits_for_commit_closes_the_panel(
    qtbot, make_window, bookings_csv, many_csv, vendor_profiles, db, server
):
    w = _window(make_window, vendor_profiles, server, db)
    open_and_wait(qtbot, w, bookings_csv)
    _panel(qtbot, w)  # the preview's counts are shown; nothing runs, nothing is written
    open_and_wait(qtbot, w, many_csv)
    assert w.session.source_path == many_csv and w.commit_dialog is None
    qtbot.waitUntil(lambda: w.commit_flow._conn is None, timeout=30_000)
    assert not w.files.locked and w.mapping_panel.isEnabled()
    assert db.imports.count_documents({}) == 0 and db.bookings.count_documents({}) == 0
