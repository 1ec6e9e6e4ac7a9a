"""The status bar tells the operator where commits go and whether that server answers."""

from __future__ import annotations

import socket

import pytest
from pymongo import MongoClient

from booking_desktop.gui import theme
from booking_desktop.gui.status_widgets import LOCAL_LABEL, ConnectionStatusWidget, mongo_ping
from booking_desktop.gui.theme import Health

pytestmark = pytest.mark.gui


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_database_is_named_when_no_connection_is_chosen(qtbot):
    w = ConnectionStatusWidget()
    qtbot.addWidget(w)
    w.set_connection(None, None)
    assert w.label.text().startswith(LOCAL_LABEL)


def test_answering_server_shows_green_with_round_trip(qtbot):
    w = ConnectionStatusWidget()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.health_changed, timeout=5000, check_params_cb=lambda h: h == "ok"):
        w.set_connection("Production", lambda: 3.0)
    assert w.health is Health.OK
    assert "Production" in w.label.text() and "3 ms" in w.label.text()
    assert w.dot.color() == theme.health_color(Health.OK, w.palette())


def test_slow_server_shows_amber(qtbot):
    w = ConnectionStatusWidget()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.health_changed, timeout=5000, check_params_cb=lambda h: h == "slow"):
        w.set_connection("Far away", lambda: 1200.0)
    assert w.dot.color() == theme.health_color(Health.SLOW, w.palette())


def test_server_that_does_not_answer_shows_red_and_what_to_do(qtbot):
    port = _free_port()  # nothing listens there
    client = MongoClient(f"mongodb://127.0.0.1:{port}", serverSelectionTimeoutMS=300, connectTimeoutMS=300)
    w = ConnectionStatusWidget()
    qtbot.addWidget(w)
    try:
        with qtbot.waitSignal(w.health_changed, timeout=10000, check_params_cb=lambda h: h == "down"):
            w.set_connection("Office server", mongo_ping(client))
    finally:
        client.close()
    assert w.health is Health.DOWN
    assert "not answering" in w.label.text()
    assert "Traceback" not in w.toolTip()
    assert "Check that the server is running" in w.toolTip()
    assert w.dot.color() == theme.health_color(Health.DOWN, w.palette())


def test_periodic_check_notices_a_server_going_down(qtbot):
    state = {"up": True}

    def ping() -> float:
        if not state["up"]:
            raise ConnectionError("connection refused")
        return 2.0

    w = ConnectionStatusWidget(interval_ms=50)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.health_changed, timeout=5000, check_params_cb=lambda h: h == "ok"):
        w.set_connection("Office server", ping)
    state["up"] = False
    with qtbot.waitSignal(w.health_changed, timeout=5000, check_params_cb=lambda h: h == "down"):
        pass
    w.stop()


def test_result_of_an_old_connection_is_ignored_after_switching(qtbot):
    import threading

    release = threading.Event()

    def slow_ping() -> float:
        release.wait(5)
        return 1.0

    w = ConnectionStatusWidget()
    qtbot.addWidget(w)
    w.set_connection("Old", slow_ping)
    old_check = w._worker
    w.set_connection(None, None)
    # the old server's answer arrives (its slot runs before the blocker's: connected first) and is ignored
    with qtbot.waitSignal(old_check.signals.result, timeout=10_000) as answer:
        release.set()
    assert answer.args == [1.0]
    assert w.health is Health.UNKNOWN and w.label.text().startswith(LOCAL_LABEL)


def test_local_database_not_running_is_grey_not_red(qtbot, tmp_path):
    from booking_desktop.gui.status_widgets import NOT_STARTED_TEXT, local_database_ping
    from booking_desktop.storage.localdb import LocalDatabase

    w = ConnectionStatusWidget()
    qtbot.addWidget(w)
    w.set_connection(None, local_database_ping(LocalDatabase(root=tmp_path / "localdb")))
    qtbot.waitUntil(lambda: NOT_STARTED_TEXT in w.label.text(), timeout=10000)
    assert w.health is Health.UNKNOWN and w.label.text().startswith(LOCAL_LABEL)
    w.stop()


def test_running_local_database_is_green(qtbot, tmp_path):
    from booking_desktop.gui.status_widgets import local_database_ping
    from booking_desktop.storage.localdb import LocalDatabase

    local = LocalDatabase(root=tmp_path / "localdb")
    local.start()
    try:
        w = ConnectionStatusWidget()
        qtbot.addWidget(w)
        with qtbot.waitSignal(w.health_changed, timeout=15000, check_params_cb=lambda h: h in ("ok", "slow")):
            w.set_connection(None, local_database_ping(local))
        assert "ms" in w.label.text()
        w.stop()
    finally:
        local.stop()
