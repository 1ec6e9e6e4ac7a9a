"""From the window to the database: fix, delete, commit with Ctrl+Enter, check the documents."""

from __future__ import annotations

import pytest
from gui_helpers import open_and_wait, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from booking_desktop.session import pending_journals
from booking_desktop.storage.client import ConnectionTarget

pytestmark = pytest.mark.gui


def name_the_vendor(qtbot, w, vendor):
    """The file has no profile: the window asks which vendor sent it; type it and press OK."""
    qtbot.waitUntil(lambda: w.commit_flow.vendor_dialog is not None, timeout=30_000)
    dlg = w.commit_flow.vendor_dialog
    qtbot.keyClicks(dlg.combo.lineEdit(), vendor)
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def commit_with_keyboard(qtbot, w, vendor=None):
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    if vendor is not None:
        name_the_vendor(qtbot, w, vendor)
    qtbot.waitUntil(lambda: w.commit_dialog is not None, timeout=30_000)
    dlg = w.commit_dialog
    qtbot.waitUntil(dlg.commit_button.isEnabled, timeout=30_000)
    with qtbot.waitSignal(dlg.committed, timeout=60_000) as blocker:
        qtbot.mouseClick(dlg.commit_button, Qt.MouseButton.LeftButton)
    dlg.close()
    qtbot.waitUntil(lambda: w.commit_dialog is None)
    return blocker.args[0]


def test_commit_from_the_window_writes_the_fixed_rows(qtbot, make_window, bookings_csv, db, server, tmp_path):
    w = make_window()
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    open_and_wait(qtbot, w, bookings_csv)
    type_into_cell(qtbot, w, 1, "booking_ref", "B002")  # fix the missing reference
    w.session.delete_rows([3])  # drop the row with the broken amount
    assert len(pending_journals(tmp_path / "journal")) == 1

    summary = commit_with_keyboard(qtbot, w, vendor="HOTELS-A")
    assert summary.status == "completed"
    assert (summary.inserted, summary.rejected) == (4, 1)  # row 5's e-mail is still wrong: rejected
    refs = sorted(d["booking_ref"] for d in db["bookings"].find({}, {"booking_ref": 1}))
    assert refs == ["B001", "B002", "B003", "B006"]
    assert db["rejected_rows"].count_documents({}) == 1
    assert not w.session.is_modified  # committed edits are no longer "unsaved"
    assert pending_journals(tmp_path / "journal") == []

    assert db["bookings"].distinct("vendor") == ["HOTELS-A"]  # never the file name
    again = commit_with_keyboard(qtbot, w)  # the vendor is known now: not asked again
    assert again.inserted == 0 and again.unchanged == 4
    assert db["bookings"].count_documents({}) == 4
    assert db["imports"].find_one({"_id": again.import_id})["db_user"] is None  # recorded (no auth here)


def test_the_vendor_is_asked_before_the_first_commit_with_the_known_ones_offered(
    qtbot, make_window, bookings_csv, db, server, tmp_path
):
    """Two exports of one vendor named differently must not become two vendors: the window asks."""
    from booking_desktop.storage.engine import CommitEngine
    from booking_desktop.storage.testing import booking_rows, make_result

    CommitEngine(db).run(make_result(booking_rows(1, vendor="ACME"), vendor="ACME"))  # a vendor the db knows
    w = make_window()
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    open_and_wait(qtbot, w, bookings_csv)
    w.commit()
    qtbot.waitUntil(lambda: w.commit_flow.vendor_dialog is not None, timeout=30_000)
    dlg = w.commit_flow.vendor_dialog
    assert [dlg.combo.itemText(i) for i in range(dlg.combo.count())] == ["ACME"]
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()  # nothing typed yet
    assert "bookings" not in dlg.vendor()  # the file name is not offered as the vendor
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.commit_flow.vendor_dialog is None)
    assert w.commit_dialog is None and db["bookings"].count_documents({}) == 1  # nothing committed
    assert w.session.needs_vendor


def test_quitting_stops_the_local_database_the_app_started(qtbot, make_window, bookings_csv, tmp_path):
    from booking_desktop.storage.localdb import LocalDatabase
    from booking_desktop.storage.server_process import pid_alive

    local = LocalDatabase(root=tmp_path / "localdb")
    w = make_window(local_db=local)
    open_and_wait(qtbot, w, bookings_csv)
    summary = commit_with_keyboard(qtbot, w, vendor="HOTELS-A")
    assert summary.status == "completed"
    st = local.status()
    assert st.running and local.owns_server
    w.close()
    qtbot.waitUntil(lambda: not pid_alive(st.pid), timeout=30_000)
    assert not local.status().running


def test_quitting_leaves_a_local_database_started_by_someone_else_running(
    qtbot, make_window, bookings_csv, tmp_path
):
    from booking_desktop.gui.commit_flow import prepare_commit
    from booking_desktop.storage.localdb import LocalDatabase

    other = LocalDatabase(root=tmp_path / "localdb")
    st = other.start()  # e.g. `booking-desktop-cli local-db start`
    try:
        local = LocalDatabase(root=tmp_path / "localdb")
        w = make_window(local_db=local)
        open_and_wait(qtbot, w, bookings_csv)
        prepared = prepare_commit(None, w.session, local)  # what Commit does first: the running one is used
        assert prepared.conn.target.uri == st.uri and prepared.needs_vendor
        prepared.conn.close()
        assert not local.owns_server
        w.close()
        assert other.status().running and other.status().pid == st.pid
    finally:
        other.stop_owned()


def test_a_file_whose_profile_names_the_vendor_is_committed_without_asking(
    qtbot, make_window, bookings_csv, vendor_profiles, db, server
):
    w = make_window(profiles_dir=vendor_profiles)
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    open_and_wait(qtbot, w, bookings_csv)
    assert w.session.result.vendor == "ACME" and not w.session.needs_vendor
    summary = commit_with_keyboard(qtbot, w)  # no vendor dialog: commit_with_keyboard would time out on it
    assert summary.status == "completed" and w.commit_flow.vendor_dialog is None
    assert db["bookings"].distinct("vendor") == ["ACME"]
