"""The built-in local database: start, find again, recover stale state, stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pymongo import MongoClient, WriteConcern
from pymongo.errors import OperationFailure

from booking_desktop.cli import main
from booking_desktop.storage.client import open_client
from booking_desktop.storage.localdb import KEYRING_ENTRY, KEYRING_SERVICE, LABEL, LocalDatabase, pid_alive, ping


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOKING_DESKTOP_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def keyring_store(memory_keyring):
    return memory_keyring.store


def test_start_writes_data_and_state_under_the_data_dir_and_stop_ends_it(data_root, keyring_store):
    ldb = LocalDatabase()
    st = ldb.start()
    try:
        assert st.running and ping(st.port)
        assert st.label == LABEL
        assert st.protected and not st.note
        state = json.loads((data_root / "localdb" / "state.json").read_text())
        assert state["pid"] == st.pid and state["port"] == st.port
        client = open_client(ldb.target_for(st))
        client.booking_desktop.t.insert_one({"x": 1})
        client.close()
        assert (data_root / "localdb" / "secantus" / "WiredTiger").exists()  # the server's files are in the data dir
        # a second user of the same data dir finds the running server instead of starting another
        again = LocalDatabase().start()
        assert (again.pid, again.port) == (st.pid, st.port)
    finally:
        ldb.stop_owned()
    assert not pid_alive(st.pid) or not ping(st.port)
    assert not (data_root / "localdb" / "state.json").exists()


def test_stale_state_of_a_dead_server_is_recovered(data_root):
    root = data_root / "localdb"
    root.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (root / "state.json").write_text(json.dumps({"pid": dead.pid, "port": 1}))
    (root / "server.pid").write_text(str(dead.pid))
    ldb = LocalDatabase()
    assert not ldb.status().running
    st = ldb.start()
    try:
        assert st.running and st.pid != dead.pid
    finally:
        ldb.stop_owned()


def test_a_recycled_pid_that_is_not_the_server_is_never_killed(data_root):
    root = data_root / "localdb"
    root.mkdir(parents=True)
    (root / "state.json").write_text(json.dumps({"pid": os.getpid(), "port": 1}))  # our own pid: not nx-27017
    ldb = LocalDatabase()
    st = ldb.start()
    try:
        assert st.running and st.pid != os.getpid()
    finally:
        ldb.stop_owned()


@pytest.mark.slow
def test_a_killed_server_leaves_data_that_the_next_start_serves(data_root, keyring_store):
    ldb = LocalDatabase()
    st = ldb.start()
    client = open_client(ldb.target_for(st))
    # journaled, as the commit engine writes each batch's bookmark: an unjournaled write acknowledged
    # less than about a second before a SIGKILL is lost (docs/STORAGE.md, server differences)
    journaled = client.booking_desktop.get_collection("t", write_concern=WriteConcern(j=True))
    journaled.insert_many([{"_id": i} for i in range(100)])
    client.close()
    os.kill(st.pid, 9)
    ldb._owned.proc.wait(10)
    ldb._owned = None
    assert not LocalDatabase().status().running
    st2 = LocalDatabase().start()
    try:
        client = open_client(LocalDatabase().target_for(st2))
        assert client.booking_desktop.t.count_documents({}) == 100
        client.close()
    finally:
        LocalDatabase().stop()


def test_cli_start_status_stop(data_root, capsys):
    assert main(["local-db", "start", "--json"]) == 0
    started = json.loads(capsys.readouterr().out)
    try:
        assert started["running"] and started["label"] == LABEL
        assert main(["local-db", "status"]) == 0
        assert f"running (pid {started['pid']})" in capsys.readouterr().out
    finally:
        assert main(["local-db", "stop"]) == 0
    assert "stopped" in capsys.readouterr().out
    assert main(["local-db", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["running"] is False


def test_two_processes_starting_at_once_share_one_server(data_root, tmp_path):
    code = (
        "from booking_desktop.storage.localdb import LocalDatabase\n"
        "st = LocalDatabase().start(detach=True)\n"
        "print(st.pid, st.port)\n"
    )
    env = {**os.environ, "BOOKING_DESKTOP_DATA_DIR": str(data_root)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]
    outs = {p.communicate(timeout=60)[0].strip() for p in procs}
    try:
        assert len(outs) == 1  # the same pid and port for both
    finally:
        LocalDatabase().stop()


def test_the_local_database_refuses_a_client_without_its_password(data_root, keyring_store):
    """Another local process that finds the port cannot read or write the bookings."""
    ldb = LocalDatabase()
    st = ldb.start()
    try:
        password = keyring_store[(KEYRING_SERVICE, KEYRING_ENTRY)]
        assert len(password) >= 32
        assert password not in (data_root / "localdb" / "state.json").read_text()
        anonymous = MongoClient(st.uri, serverSelectionTimeoutMS=3000)
        with pytest.raises(OperationFailure) as refused:
            anonymous.booking_desktop.bookings.find_one()
        assert refused.value.code == 13
        anonymous.close()
        wrong = MongoClient(st.uri, username="booking-desktop", password="guess", serverSelectionTimeoutMS=3000)
        with pytest.raises(OperationFailure):
            wrong.booking_desktop.bookings.find_one()
        wrong.close()
    finally:
        ldb.stop_owned()


def test_a_keyring_that_lost_the_password_gets_a_new_one_and_the_data_stays(data_root, keyring_store):
    ldb = LocalDatabase()
    st = ldb.start()
    client = open_client(ldb.target_for(st))
    client.booking_desktop.t.insert_one({"_id": 1})
    client.close()
    ldb.stop_owned()
    old = keyring_store.pop((KEYRING_SERVICE, KEYRING_ENTRY))
    ldb = LocalDatabase()
    st = ldb.start()
    try:
        assert st.protected and keyring_store[(KEYRING_SERVICE, KEYRING_ENTRY)] != old
        client = open_client(ldb.target_for(st))
        assert client.booking_desktop.t.count_documents({}) == 1
        client.close()
    finally:
        ldb.stop_owned()


def test_without_a_secure_keyring_the_local_database_runs_unprotected_and_says_so(data_root):
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    ldb = LocalDatabase()
    try:
        st = ldb.start()
        assert st.running and not st.protected
        assert "not password-protected" in st.note and "keyring" in st.note
        assert LocalDatabase().status().note == st.note  # other processes see it too
        client = MongoClient(st.uri, serverSelectionTimeoutMS=3000)
        client.booking_desktop.t.insert_one({"x": 1})
        client.close()
    finally:
        ldb.stop_owned()
        keyring.set_keyring(previous)
