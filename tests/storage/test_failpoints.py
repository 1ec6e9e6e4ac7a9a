"""Faults injected by the server itself (``configureFailPoint`` / ``failCommand``, as in mongod's own
test suite): dropped connections, shutdown errors, write-concern errors after the write happened,
transient transaction labels.  Each commit must end exactly once: every record in ``bookings`` or
``rejected_rows`` once, the import ``completed`` with the counts of an undisturbed run.

Needs a server started with test commands (the fixtures' SecantusDB is); skipped elsewhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo.errors import OperationFailure, PyMongoError

from booking_desktop.storage.client import CLIENT_OPTIONS, ensure_indexes
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.retry import RetryPolicy
from booking_desktop.storage.testing import booking_rows, make_result

APP = "booking-desktop-faulty"  # the engine's client only: the test's own client keeps working
BAD = [("nights", "range", "nights must be at least 1")]
N = 600
INVALID = {17: BAD, 333: BAD}


@pytest.fixture
def admin(mongo_server):
    client = mongo_server.client(appname="booking-desktop-tests")
    if not _fail_points_work(mongo_server, client):
        client.close()
        pytest.skip("the server has no fail points (start it with test commands; nx-27017 accepts and ignores them)")
    yield client
    client.admin.command("configureFailPoint", "failCommand", mode="off")
    client.close()


def _fail_points_work(server, client) -> bool:
    """configureFailPoint answered, and a fail point really fires (nx-27017 accepts it and does nothing)."""
    probe_app = "booking-desktop-probe"
    try:
        client.admin.command(
            "configureFailPoint",
            "failCommand",
            mode={"times": 1},
            data={"appName": probe_app, "failCommands": ["ping"], "errorCode": 2},
        )
    except OperationFailure:
        return False
    with server.client(appname=probe_app) as probe:
        try:
            probe.admin.command("ping")
        except OperationFailure:
            return True
    client.admin.command("configureFailPoint", "failCommand", mode="off")
    return False


@pytest.fixture
def engine_db(mongo_server, mongo_db):
    # the driver rediscovers a server it marked unknown (shutdown, step-down) at its next heartbeat:
    # frequent heartbeats keep these tests short; the engine's behaviour does not depend on them
    client = mongo_server.client(appname=APP, heartbeatFrequencyMS=500)
    db = client[mongo_db.name]
    ensure_indexes(db)
    yield db
    client.close()


@contextlib.contextmanager
def fail_point(admin, mode: Any, **data: Any) -> Iterator[None]:
    admin.admin.command("configureFailPoint", "failCommand", mode=mode, data={"appName": APP, **data})
    try:
        yield
    finally:
        admin.admin.command("configureFailPoint", "failCommand", mode="off")


def commit(db, **kw):
    result = make_result(booking_rows(N), INVALID)
    summary = CommitEngine(db, batch_size=100, retry=RetryPolicy(base=0.01, max_delay=0.1, budget=20), **kw).run(
        result
    )
    return result, summary


def assert_exactly_once(db, result, summary):
    assert summary.status == "completed", summary.error
    assert (summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (
        N - len(INVALID),
        0,
        0,
        len(INVALID),
    )
    refs = [d["booking_ref"] for d in db.bookings.find({}, {"booking_ref": 1})]
    assert len(refs) == len(set(refs)) == N - len(INVALID)
    assert set(refs) == set(result.text.loc[~result.error_rows, "booking_ref"])
    assert sorted(d["record"] for d in db.rejected_rows.find({}, {"record": 1})) == sorted(p + 1 for p in INVALID)
    doc = db.imports.find_one({"_id": summary.import_id})
    assert doc["status"] == "completed" and doc["next_position"] == N
    assert db.import_batches.count_documents({"import_id": summary.import_id}) == N // 100


@pytest.mark.parametrize("command", ["insert", "find", "update", "commitTransaction"])
def test_the_connection_dropped_on_a_command_is_retried_exactly_once(admin, engine_db, command):
    if command == "commitTransaction" and not CommitEngine(engine_db).traits.transactions:
        pytest.skip("no transactions on this server")
    with fail_point(admin, {"skip": 2, "times": 2}, failCommands=[command], closeConnection=True):
        result, summary = commit(engine_db)
    assert_exactly_once(engine_db, result, summary)


@pytest.mark.parametrize("code", [91, 11600, 189])  # ShutdownInProgress, InterruptedAtShutdown, PrimarySteppedDown
def test_a_server_shutting_down_or_stepping_down_is_waited_for(admin, engine_db, code):
    with fail_point(admin, {"times": 3}, failCommands=["insert", "update"], errorCode=code):
        result, summary = commit(engine_db)
    assert_exactly_once(engine_db, result, summary)


def test_a_write_concern_error_after_the_write_happened_is_replayed_idempotently(admin, engine_db):
    """The bookmark was written but its journaled acknowledgement failed: the batch runs again, nothing twice."""
    wce = {"code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting for the journal timed out"}
    commands = ["update", "commitTransaction"]
    with fail_point(admin, {"skip": 1, "times": 2}, failCommands=commands, writeConcernError=wce):
        result, summary = commit(engine_db)
    assert_exactly_once(engine_db, result, summary)


def test_a_transient_transaction_label_runs_the_batch_again(admin, engine_db):
    if not CommitEngine(engine_db).traits.transactions:
        pytest.skip("no transactions on this server")
    with fail_point(
        admin,
        {"skip": 1, "times": 2},
        failCommands=["insert"],
        errorCode=112,
        errorLabels=["TransientTransactionError"],
    ):
        result, summary = commit(engine_db)
    assert_exactly_once(engine_db, result, summary)


def test_a_refusal_that_does_not_go_away_ends_the_import_failed_with_nothing_lost(admin, engine_db):
    """After the import record is written every insert is refused for good (code 13, not authorized):
    the import ends ``failed`` at record 1 with the server's reason, nothing half-written, and the
    same file imported again later ends exactly once."""
    with fail_point(admin, {"skip": 1, "times": 1_000_000}, failCommands=["insert"], errorCode=13):
        result, summary = commit(engine_db)
    assert summary.status == "failed"
    assert "record 1" in summary.error and "OperationFailure" in summary.error
    assert engine_db.bookings.count_documents({}) == 0
    assert engine_db.rejected_rows.count_documents({}) == 0
    doc = engine_db.imports.find_one({"_id": summary.import_id})
    assert doc["status"] == "failed" and doc["next_position"] == 0
    # the file can be imported again once the server accepts it, and ends exactly once
    summary = CommitEngine(engine_db, batch_size=100).run(result)
    assert_exactly_once(engine_db, result, summary)


def test_fail_points_target_only_the_engine_client(admin, engine_db):
    """The fixture's scoping works (else the other tests prove nothing about the engine)."""
    with fail_point(admin, "alwaysOn", failCommands=["insert"], errorCode=91):
        admin[engine_db.name].other.insert_one({"x": 1})
        with pytest.raises(PyMongoError, match="failCommand"):  # 91 ShutdownInProgress: a NotPrimaryError
            engine_db.other.insert_one({"x": 2})
    assert admin[engine_db.name].other.count_documents({}) == 1


def test_client_options_name_the_app():
    assert CLIENT_OPTIONS["appname"] == "booking-desktop"
