"""From the window to the database: fix, delete, commit with Ctrl+Enter, check the documents."""

from __future__ import annotations

import pytest
from gui_helpers import open_and_wait, type_into_cell
from PySide6.QtCore import Qt

from booking_desktop.session import pending_journals
from booking_desktop.storage.client import ConnectionTarget

pytestmark = pytest.mark.gui






def commit_with_keyboard(qtbot, w):
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(w, "commit_dialog", None) is not None, timeout=30_000)
    dlg = w.commit_dialog
    qtbot.waitUntil(dlg.commit_button.isEnabled, timeout=30_000)
    with qtbot.waitSignal(dlg.committed, timeout=60_000) as blocker:
        qtbot.mouseClick(dlg.commit_button, Qt.MouseButton.LeftButton)
    dlg.close()
    w.commit_dialog = None
    return blocker.args[0]


def test_commit_from_the_window_writes_the_fixed_rows(
    qtbot, make_window, bookings_csv, vendor_profiles, db, server, tmp_path
):
    w = make_window(profiles_dir=vendor_profiles)
    w.connection_target = ConnectionTarget(uri=server.uri, db_name=db.name, label="test server")
    open_and_wait(qtbot, w, bookings_csv)
    type_into_cell(qtbot, w, 1, "booking_ref", "B002")  # fix the missing reference
    w.session.delete_rows([3])  # drop the row with the broken amount
    assert len(pending_journals(tmp_path / "journal")) == 1

    assert w.session.result.vendor == "ACME"
    summary = commit_with_keyboard(qtbot, w)
    assert summary.status == "completed"
    assert (summary.inserted, summary.rejected) == (4, 1)  # row 5's e-mail is still wrong: rejected
    refs = sorted(d["booking_ref"] for d in db["bookings"].find({}, {"booking_ref": 1}))
    assert refs == ["B001", "B002", "B003", "B006"]
    assert db["rejected_rows"].count_documents({}) == 1
    assert not w.session.is_modified  # committed edits are no longer "unsaved"
    assert pending_journals(tmp_path / "journal") == []

    again = commit_with_keyboard(qtbot, w)
    assert again.inserted == 0 and again.unchanged == 4
    assert db["bookings"].count_documents({}) == 4
