"""The connection dialog as an operator uses it: add with a password, test, remove, choose."""

from __future__ import annotations

import json
import socket

import keyring
import pytest
from gui_helpers import on_modal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from booking_desktop.gui.connection_dialog import AddConnectionDialog, ConnectionDialog
from booking_desktop.storage.connections import SERVICE, ConnectionStore
from booking_desktop.storage.localdb import LABEL as LOCAL_LABEL

pytestmark = pytest.mark.gui

SECRET = "s3cr3t-Passw0rd!"




@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    return ConnectionStore(tmp_path / "config")




def add_via_form(qtbot, dialog: ConnectionDialog, **values: str) -> None:
    """Click Add…, type into the form, click Save."""
    seen = {}

    def fill(form):
        assert isinstance(form, AddConnectionDialog)
        for key, text in values.items():
            qtbot.keyClicks(getattr(form, f"{key}_edit"), text)
        seen["echo"] = form.password_edit.echoMode()
        form.buttons.button(form.buttons.StandardButton.Save).click()
        seen["error"] = form.error.text()
        if form.isVisible():
            form.reject()

    on_modal(fill)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert not seen["error"], seen["error"]
    assert seen["echo"] == QLineEdit.EchoMode.Password  # the password is never readable on screen


def test_local_database_is_the_first_entry(qtbot, store, memory_keyring):
    dlg = ConnectionDialog(store=store)
    qtbot.addWidget(dlg)
    assert dlg.list.item(0).text() == LOCAL_LABEL
    assert dlg.selected_name() is None
    assert not dlg.remove_button.isEnabled()
    assert not dlg.keyring_label.isVisible() and dlg.keyring_label.text() == ""


def test_added_password_goes_to_the_keyring_and_never_to_disk(qtbot, store, memory_keyring):
    dlg = ConnectionDialog(store=store)
    qtbot.addWidget(dlg)
    dlg.show()
    add_via_form(qtbot, dlg, name="Office", uri="mongodb://db.example.com:27017", user="clerk",
                 password=SECRET, db="bookings_prod")
    assert memory_keyring.store[(SERVICE, "Office")] == SECRET
    on_disk = store.path.read_text(encoding="utf-8")
    assert SECRET not in on_disk
    saved = json.loads(on_disk)["connections"][0]
    assert saved["name"] == "Office" and saved["username"] == "clerk" and saved["db_name"] == "bookings_prod"
    # the new entry is selected; its details never show the password
    assert dlg.selected_name() == "Office"
    assert SECRET not in dlg.details.text()
    assert "keyring" in dlg.details.text()
    assert dlg.list.currentItem().text() == "Office"
    assert "mongodb://db.example.com:27017" in dlg.details.text() and "clerk" in dlg.details.text()


def test_a_password_in_the_uri_is_refused_with_advice(qtbot, store, memory_keyring):
    dlg = ConnectionDialog(store=store)
    qtbot.addWidget(dlg)
    seen = {}

    def fill(form):
        qtbot.keyClicks(form.name_edit, "Leaky")
        qtbot.keyClicks(form.uri_edit, f"mongodb://u:{SECRET}@h:27017")
        form.buttons.button(form.buttons.StandardButton.Save).click()
        seen["error"], seen["open"] = form.error.text(), form.isVisible()
        form.reject()

    on_modal(fill)
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    assert seen["open"] and "Password field" in seen["error"] and SECRET not in seen["error"]
    assert not store.path.exists() and memory_keyring.store == {}


def test_testing_a_connection_reports_round_trip_version_and_transactions(qtbot, store, memory_keyring, server):
    store.add("Test server", server.uri, db_name="bdgui_conn")
    dlg = ConnectionDialog(store=store, current="Test server")
    qtbot.addWidget(dlg)
    assert dlg.selected_name() == "Test server"
    qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.last_facts is not None, timeout=15000)
    text = dlg.test_result.text()
    with server.client() as client:
        version = client.admin.command("buildInfo")["version"]  # what the server says, asked directly
    assert "round trip" in text and f"server version {version}" in text and "transactions" in text
    if server.kind == "secantus":
        assert "SecantusDB" in text
    assert dlg.last_facts.round_trip_ms >= 0
    assert dlg.test_button.isEnabled()


def test_an_unreachable_server_gets_a_readable_message(qtbot, store, memory_keyring):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store.add("Gone", f"mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=300")
    dlg = ConnectionDialog(store=store, current="Gone")
    qtbot.addWidget(dlg)
    qtbot.mouseClick(dlg.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.test_result.text().startswith("✘"), timeout=20000)
    text = dlg.test_result.text()
    assert "Traceback" not in text and "Check the address" in text


def test_remove_deletes_the_profile_and_its_password(qtbot, store, memory_keyring):
    store.add("Old", "mongodb://old.example.com", password=SECRET)
    dlg = ConnectionDialog(store=store, current="Old")
    qtbot.addWidget(dlg)
    on_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(dlg.remove_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in store.list()] == []
    assert (SERVICE, "Old") not in memory_keyring.store
    assert dlg.list.count() == 1


def test_choosing_a_connection(qtbot, store, memory_keyring):
    store.add("A", "mongodb://a.example.com")
    store.add("B", "mongodb://b.example.com")
    dlg = ConnectionDialog(store=store)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.list.setCurrentRow(2)
    with qtbot.waitSignal(dlg.connection_chosen) as blocker:
        qtbot.mouseClick(dlg.use_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["B"] and dlg.chosen() == "B"
    dlg2 = ConnectionDialog(store=store, current="B")
    qtbot.addWidget(dlg2)
    dlg2.list.setCurrentRow(0)
    with qtbot.waitSignal(dlg2.connection_chosen) as blocker:
        qtbot.mouseClick(dlg2.use_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]  # the local database


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Looks like keyrings.alt's plaintext file backend (insecure, but it stores)."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


PlaintextKeyring.__module__ = "keyrings.alt.file"


@pytest.fixture
def insecure_keyring():
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_insecure_keyring_is_announced_and_asks_each_time_by_default(qtbot, store, insecure_keyring):
    dlg = ConnectionDialog(store=store)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.keyring_label.isVisible() and "not secure" in dlg.keyring_label.text()
    add_via_form(qtbot, dlg, name="Office", uri="mongodb://db.example.com", user="clerk", password=SECRET)
    assert insecure_keyring.store == {}  # nothing stored without the explicit choice
    assert store.get("Office").save_password is False
    assert "asked each time" in dlg.details.text()


def test_storing_in_an_insecure_keyring_needs_the_explicit_choice(qtbot, store, insecure_keyring):
    dlg = ConnectionDialog(store=store)
    qtbot.addWidget(dlg)

    def fill(form):
        assert form.ask_each_time.isChecked() and form.store_anyway.isEnabled()
        qtbot.keyClicks(form.name_edit, "Office")
        qtbot.keyClicks(form.uri_edit, "mongodb://db.example.com")
        qtbot.keyClicks(form.user_edit, "clerk")
        qtbot.keyClicks(form.password_edit, SECRET)
        qtbot.mouseClick(form.store_anyway, Qt.MouseButton.LeftButton)
        form.buttons.button(form.buttons.StandardButton.Save).click()

    on_modal(fill)
    qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    assert insecure_keyring.store[(SERVICE, "Office")] == SECRET
    assert SECRET not in store.path.read_text(encoding="utf-8")


def test_no_keyring_at_all_offers_only_asking_each_time(qtbot, store):
    from keyring.backends.fail import Keyring as FailKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        dlg = ConnectionDialog(store=store)
        qtbot.addWidget(dlg)
        assert "No secure password store" in dlg.keyring_label.text()

        def check(form):
            assert not form.store_anyway.isEnabled()
            form.reject()

        on_modal(check)
        qtbot.mouseClick(dlg.add_button, Qt.MouseButton.LeftButton)
    finally:
        keyring.set_keyring(previous)
