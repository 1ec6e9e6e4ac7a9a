"""Faults: the server killed mid-commit, down at start, refusing a batch."""

from __future__ import annotations

import threading
import time

import pytest
from pymongo.collection import Collection
from pymongo.errors import DocumentTooLarge, OperationFailure

from booking_desktop.storage.client import ConnectionTarget, ensure_indexes, open_client
from booking_desktop.storage.engine import CommitEngine, StorageError
from booking_desktop.storage.localdb import free_port
from booking_desktop.storage.retry import RetryPolicy
from booking_desktop.storage.testing import booking_rows, make_result

BAD = [("nights", "range", "nights must be at least 1")]
N = 4000
INVALID = {17: BAD, 1999: BAD, 3500: BAD}


def assert_exact_end_state(db, result, import_id):
    """Every record in bookings or rejected_rows exactly once; nothing duplicated or lost."""
    valid_refs = set(result.text.loc[~result.error_rows, "booking_ref"])
    refs = [d["booking_ref"] for d in db.bookings.find({}, {"booking_ref": 1})]
    assert len(refs) == len(set(refs)) == len(valid_refs)
    assert set(refs) == valid_refs
    rejected = sorted(d["record"] for d in db.rejected_rows.find({}, {"record": 1}))
    assert rejected == sorted(p + 1 for p in INVALID)
    doc = db.imports.find_one({"_id": import_id})
    assert doc["status"] == "completed"
    assert doc["counts"] == {"inserted": N - len(INVALID), "updated": 0, "unchanged": 0, "rejected": len(INVALID)}


def run_in_thread(engine, result, **kw):
    out: dict = {"progress": 0}

    def work():
        gen = engine.commit(result, **kw)
        try:
            while True:
                out["progress"] = next(gen).records_done
        except StopIteration as stop:
            out["summary"] = stop.value
        except Exception as exc:  # noqa: BLE001 - handed to the test thread
            out["error"] = exc

    t = threading.Thread(target=work, daemon=True)
    t.start()
    return t, out


def wait_for(pred, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.mark.slow
def test_server_killed_mid_commit_then_resumed_is_exactly_once(own_server):
    client = own_server.client(serverSelectionTimeoutMS=500)
    db = client.faults
    ensure_indexes(db)
    result = make_result(booking_rows(N), INVALID)
    engine = CommitEngine(db, batch_size=200, retry=RetryPolicy(base=0.05, budget=2.0))
    thread, out = run_in_thread(engine, result)
    wait_for(lambda: out["progress"] >= 1000 or "summary" in out)
    own_server.process.kill()  # SIGKILL, most likely in the middle of a batch
    thread.join(60)
    summary = out["summary"]
    assert summary.status == "interrupted"
    assert "stopped answering" in summary.error
    own_server.process.start()  # same data directory, same port
    stored = db.imports.find_one({"_id": summary.import_id})
    assert stored["status"] in ("running", "interrupted")  # the server may have died before we could say
    assert 990 <= db.bookings.count_documents({}) < N
    resumed = CommitEngine(db, batch_size=200).run(result, resume=summary.import_id)
    assert resumed.status == "completed"
    assert_exact_end_state(db, result, summary.import_id)
    client.close()


@pytest.mark.slow
def test_server_restarted_within_the_retry_budget_the_commit_just_continues(own_server):
    client = own_server.client(serverSelectionTimeoutMS=500)
    db = client.faults
    ensure_indexes(db)
    result = make_result(booking_rows(N), INVALID)
    engine = CommitEngine(db, batch_size=200, retry=RetryPolicy(base=0.05, max_delay=0.5, budget=30.0))
    thread, out = run_in_thread(engine, result)
    wait_for(lambda: out["progress"] >= 800 or "summary" in out)
    own_server.process.kill()
    time.sleep(0.5)
    own_server.process.start()
    thread.join(90)
    assert out["summary"].status == "completed"
    assert_exact_end_state(db, result, out["summary"].import_id)
    client.close()


def test_server_down_at_start_is_one_clear_error(tmp_path):
    port = free_port()
    client = open_client(ConnectionTarget(uri=f"mongodb://127.0.0.1:{port}/"), serverSelectionTimeoutMS=300)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    engine = CommitEngine(client.booking_desktop, retry=RetryPolicy(base=0.05, budget=1.0, sleep=sleep))
    try:
        with pytest.raises(StorageError, match="cannot reach the database"):
            engine.run(make_result(booking_rows(3)))
    finally:
        client.close()
    assert sum(waits) <= 1.0  # it gave up within its retry budget instead of retrying on and on


REFUSALS = {
    "server": lambda: OperationFailure("Document failed validation", code=121),
    "pymongo": lambda: DocumentTooLarge("Document failed validation: BSON document too large"),
}


@pytest.mark.parametrize("who", sorted(REFUSALS))
def test_a_batch_the_server_refuses_goes_to_rejected_rows_not_lost(mongo_db, monkeypatch, who):
    """A whole insert is refused because of one document: the engine isolates it.

    (nx-27017 refuses nothing -- see test_server_gaps -- so the refusal is injected.)
    """
    ensure_indexes(mongo_db)
    real = Collection.insert_many

    def refusing(self, docs, *a, **kw):
        docs = list(docs)
        if self.name == "bookings" and any(d.get("booking_ref") == "R0000042" for d in docs):
            raise REFUSALS[who]()
        return real(self, docs, *a, **kw)

    monkeypatch.setattr(Collection, "insert_many", refusing)
    result = make_result(booking_rows(100), {3: BAD})
    summary = CommitEngine(mongo_db, batch_size=50).run(result)
    assert summary.status == "completed"
    assert (summary.inserted, summary.rejected) == (98, 2)
    failed = mongo_db.rejected_rows.find_one({"record": 42})
    assert failed["errors"][0]["code"] == "commit_failed"
    assert "Document failed validation" in failed["errors"][0]["message"]
    assert failed["mapped"]["booking_ref"] == "R0000042"
    assert mongo_db.bookings.count_documents({}) == 98


REFUSE_R7 = {"$jsonSchema": {"properties": {"booking_ref": {"not": {"enum": ["R0000007", "R0000013"]}}}}}


@pytest.mark.parametrize("transactions", [True, False], ids=["transaction", "no-transaction"])
def test_documents_refused_one_by_one_go_to_rejected_rows(mongo_db, mongo_server, transactions):
    """The server refuses two documents of an unordered insert (a collection validator): the others
    are committed, the two are queued with the server's reason -- on both commit paths (inside a
    transaction a refusal aborts the whole batch; it once read as a concurrent insert)."""
    if transactions and not CommitEngine(mongo_db).traits.transactions:
        pytest.skip("the server has no transactions")
    if mongo_server.kind == "nx-27017":
        pytest.skip("nx-27017 ignores collection validators (test_server_gaps)")
    mongo_db.create_collection("bookings", validator=REFUSE_R7)
    ensure_indexes(mongo_db)
    summary = CommitEngine(mongo_db, use_transactions=transactions).run(make_result(booking_rows(20)))
    assert summary.status == "completed"
    assert (summary.inserted, summary.rejected) == (18, 2)
    assert sorted(d["booking_ref"] for d in mongo_db.bookings.find()) == [
        f"R{k:07d}" for k in range(1, 21) if k not in (7, 13)
    ]
    rows = {d["record"]: d for d in mongo_db.rejected_rows.find()}
    assert sorted(rows) == [7, 13]
    assert rows[7]["errors"][0]["code"] == "commit_failed"
    assert "refused" in rows[7]["errors"][0]["message"]
    again = CommitEngine(mongo_db, use_transactions=transactions).run(make_result(booking_rows(20)))
    assert (again.unchanged, again.rejected, again.inserted) == (18, 2, 0)  # a re-run: same outcome, nothing twice
    assert mongo_db.rejected_rows.count_documents({}) == 2


@pytest.mark.parametrize(
    ("collection", "method"),
    [("bookings", "insert_many"), ("imports", "replace_one"), ("rejected_rows", "insert_many")],
)
def test_connection_dropped_after_the_server_applied_a_write(mongo_db, monkeypatch, collection, method):
    """The write happened but its reply was lost (connection reset): the retry must not double anything."""
    from pymongo.errors import AutoReconnect

    ensure_indexes(mongo_db)
    real = getattr(Collection, method)
    calls = {"n": 0}

    def lossy(self, *a, **kw):
        out = real(self, *a, **kw)
        if self.name == collection:
            calls["n"] += 1
            if calls["n"] in (2, 3):
                raise AutoReconnect("connection reset by peer")
        return out

    monkeypatch.setattr(Collection, method, lossy)
    result = make_result(booking_rows(N // 4), {17: BAD, 500: BAD, 990: BAD})
    summary = CommitEngine(mongo_db, batch_size=200, retry=RetryPolicy(base=0.01, budget=10)).run(result)
    assert calls["n"] >= 3
    assert summary.status == "completed"
    assert (summary.inserted, summary.updated, summary.unchanged, summary.rejected) == (N // 4 - 3, 0, 0, 3)
    assert mongo_db.bookings.count_documents({}) == N // 4 - 3
    assert mongo_db.rejected_rows.count_documents({}) == 3
    assert mongo_db.import_batches.count_documents({}) == 5


@pytest.mark.slow
def test_resuming_after_the_app_died_inside_a_transaction_does_not_hang(mongo_server, mongo_db):
    """The app was killed in the middle of a batch's transaction: the server keeps that transaction
    (and the documents it wrote) until it is reaped.  Resuming must wait for it and finish exactly
    once -- not block forever on a document the dead transaction holds."""
    probe = CommitEngine(mongo_db)
    if not probe.traits.transactions:
        pytest.skip("no transactions on this server")
    ensure_indexes(mongo_db)
    result = make_result(booking_rows(N), INVALID)
    gen = CommitEngine(mongo_db, batch_size=500).commit(result)
    first = next(gen)  # one batch committed
    gen.close()  # the import is marked interrupted ...
    dead = mongo_server.client()  # ... and then a process died inside its next batch's transaction:
    s = dead.start_session()
    s.start_transaction()
    ddb = dead[mongo_db.name]
    stale = ddb.imports.find_one({"_id": first.import_id})
    ddb.imports.replace_one({"_id": first.import_id}, {**stale, "x": 1}, session=s)
    ddb.bookings.insert_one({"_id": "half-written", "vendor": "acme", "booking_ref": "ZZ"}, session=s)
    # (never committed, never aborted, its client still open: nothing tells the server it is gone)
    out: dict = {}

    def resume():
        try:
            out["summary"] = CommitEngine(mongo_db, batch_size=500, retry=RetryPolicy(budget=120)).run(
                result, resume=first.import_id
            )
        except Exception as exc:  # noqa: BLE001 - handed to the test thread
            out["error"] = exc

    t = threading.Thread(target=resume, daemon=True)
    t.start()
    t.join(240)
    try:
        assert not t.is_alive(), "resuming hung behind the dead process's transaction"
        assert "error" not in out, out.get("error")
        assert out["summary"].status == "completed"
        assert_exact_end_state(mongo_db, result, first.import_id)
        assert mongo_db.bookings.count_documents({"_id": "half-written"}) == 0  # the dead batch left nothing
    finally:
        dead.close()
