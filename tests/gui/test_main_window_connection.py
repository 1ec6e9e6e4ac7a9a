"""The connection chosen in one run is the one in use in the next."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from booking_desktop.gui import recent_files
from booking_desktop.storage.connections import ConnectionStore

pytestmark = pytest.mark.gui


@pytest.fixture
def store(tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("BOOKING_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    return ConnectionStore()


def test_the_connection_chosen_last_time_is_used_again(qtbot, make_window, store, server):
    store.add("Office", server.uri, db_name="bd_office")
    recent_files.settings().setValue("connection/name", "Office")
    w = make_window()
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    assert w.connection_target.label == "Office"
    assert w.connection_target.db_name == "bd_office"
    qtbot.waitUntil(lambda: "Office" in w.connection_status.label.text(), timeout=10_000)


def test_a_removed_connection_falls_back_to_the_local_database_and_says_so(qtbot, make_window, store):
    recent_files.settings().setValue("connection/name", "Gone")
    w = make_window()
    qtbot.waitUntil(lambda: getattr(w, "last_message", None) is not None, timeout=10_000)
    box: QMessageBox = w.last_message
    assert "Gone" in box.text() and "local database" in box.text()
    assert w.connection_target is None
    assert not recent_files.settings().value("connection/name")
    qtbot.waitUntil(lambda: "Local database" in w.connection_status.label.text(), timeout=10_000)
