"""The engine's progress hooks for the window: the preview's progress and cancel, where each row of a
commit went (the grid's marks), and the last import of a file (the "already imported" notice)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from booking_desktop.pipeline import Cancelled
from booking_desktop.storage import imports as imp
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.engine import CommitEngine, PreviewProgress
from booking_desktop.storage.testing import booking_rows, make_result

BAD = [("check_in", "format", "bad")]


@pytest.fixture
def db(mongo_db):
    ensure_indexes(mongo_db)
    return mongo_db


def _with_duplicates(n: int, copies: dict[int, int]) -> pd.DataFrame:
    """``n`` rows where row ``p`` repeats the booking_ref of row ``copies[p]``."""
    text = booking_rows(n)
    for p, of in copies.items():
        text.loc[p, "booking_ref"] = text.loc[of, "booking_ref"]
    return text


def test_preview_steps_report_progress_up_to_every_row_and_agree_with_preview(db, monkeypatch):
    from booking_desktop.storage import engine as engine_module

    monkeypatch.setattr(engine_module, "PREVIEW_HASH_CHUNK", 100)  # the contents are hashed in chunks
    engine = CommitEngine(db)
    engine.run(make_result(booking_rows(30), path="earlier.csv"))
    text = _with_duplicates(450, {440: 2, 441: 3})
    text.loc[0:9, "amount"] = "999.00"  # 10 changed
    result = make_result(text, {100: BAD, 200: BAD}, path="now.csv")
    gen = engine.preview_steps(result)
    events = []
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            preview = stop.value
            break
    assert all(isinstance(e, PreviewProgress) for e in events)
    assert events[0].stage == "planning" and events[0].total == 0  # at once, before any long step
    hashed = [e for e in events if e.stage == "planning" and e.total]
    assert [e.done for e in hashed] == [100, 200, 300, 400, 446] and hashed[-1].total == 446
    looked = [e for e in events if e.stage == "looking up"]
    assert looked[-1].done == looked[-1].total == 446  # 450 - 2 invalid - 2 duplicates
    assert [e.done for e in looked] == sorted(e.done for e in looked)
    # the known answer, counted independently: 30 stored, 10 of them changed, 2 invalid, 2 duplicates
    assert (preview.new, preview.changed, preview.unchanged, preview.rejected, preview.duplicates) == (
        446 - 30, 10, 20, 4, 2
    )
    assert preview == engine.preview(result)


def test_preview_stops_between_chunks_when_cancelled(db):
    engine = CommitEngine(db)
    engine.traits  # noqa: B018  (learn the server's look-up chunk first)
    result = make_result(booking_rows(engine.lookup_chunk * 5), path="big.csv")
    asked = {"n": 0}

    def cancelled() -> bool:
        asked["n"] += 1
        return asked["n"] > 3  # the hash chunk's and the after-hashing checks pass, then one look-up chunk

    gen = engine.preview_steps(result, cancelled=cancelled)
    with pytest.raises(Cancelled):
        while True:
            next(gen)
    assert db.bookings.count_documents({}) == 0


def test_outcome_says_which_rows_were_rejected_and_how_far_a_cancelled_commit_got(db):
    engine = CommitEngine(db, batch_size=50)
    result = make_result(_with_duplicates(200, {120: 5}), {7: BAD, 160: BAD}, path="f.csv")
    gen = engine.commit(result, cancelled=lambda: stopped["yes"])
    stopped = {"yes": False}
    next(gen)
    next(gen)  # two batches: rows 0-99
    stopped["yes"] = True
    with pytest.raises(StopIteration) as stop:
        next(gen)
    summary = stop.value.value
    assert summary.status == "interrupted"
    out = engine.outcome(summary)
    assert out.done == 100 and out.rejected.tolist() == [7] and out.duplicates == 0
    # what the database holds agrees: the bookings of rows 0-99 but row 7
    refs = {d["booking_ref"] for d in db.bookings.find({}, {"booking_ref": 1})}
    assert refs == {f"R{k:07d}" for k in range(1, 101)} - {"R0000008"}

    summary = engine.run(result)
    out = engine.outcome(summary)
    assert summary.resumed and out.done == 200
    assert out.rejected.tolist() == [7, 120, 160] and out.duplicates == 1
    queued = sorted(d["record"] for d in db.rejected_rows.find({}, {"record": 1}))
    assert queued == [p + 1 for p in out.rejected.tolist()]


def test_outcome_includes_rows_the_server_refused(mongo_db, mongo_server):
    """A collection validator refuses two bookings: they are rejected rows the plan did not know of."""
    if mongo_server.kind == "nx-27017":
        pytest.skip("nx-27017 ignores collection validators (test_server_gaps)")
    refuse = {"$jsonSchema": {"properties": {"booking_ref": {"not": {"enum": ["R0000005", "R0000017"]}}}}}
    mongo_db.create_collection("bookings", validator=refuse)
    ensure_indexes(mongo_db)
    engine = CommitEngine(mongo_db, batch_size=10)
    summary = engine.run(make_result(booking_rows(20), {9: BAD}, path="s.csv"))
    assert summary.rejected == 3
    out = engine.outcome(summary)
    queued = sorted(d["record"] - 1 for d in mongo_db.rejected_rows.find({}, {"record": 1}))
    assert out.rejected.tolist() == queued == [4, 9, 16]


def test_last_import_of_a_file_is_the_latest_by_start_whatever_its_vendor(db):
    t = datetime(2026, 1, 1, tzinfo=UTC)
    docs = [
        {"_id": "a", "file_sha256": "S1", "vendor": "x", "started_at": t, "status": "completed"},
        {"_id": "b", "file_sha256": "S1", "vendor": "y", "started_at": t + timedelta(hours=2), "status": "failed"},
        {"_id": "c", "file_sha256": "S1", "vendor": "x", "started_at": t + timedelta(hours=1), "status": "completed"},
        {"_id": "d", "file_sha256": "S2", "vendor": "x", "started_at": t + timedelta(hours=5), "status": "completed"},
    ]
    db.imports.insert_many(docs)
    every = pd.DataFrame(list(db.imports.find({})))
    expected = every[every["file_sha256"] == "S1"].sort_values("started_at")["_id"].iloc[-1]
    assert imp.last_import_of(db, "S1")["_id"] == expected == "b"
    assert imp.last_import_of(db, "S3") is None


def test_a_commit_after_the_preview_of_the_same_result_reuses_its_plan_and_writes_the_same(db, monkeypatch):
    engine = CommitEngine(db, batch_size=40)
    result = make_result(_with_duplicates(100, {90: 1}), {5: BAD}, path="p.csv")
    engine.preview(result)
    planned = []
    real = CommitEngine._plan
    monkeypatch.setattr(CommitEngine, "_plan", lambda self, r: planned.append(r) or real(self, r))
    summary = engine.run(result)
    assert planned == []  # the preview's plan was used
    assert (summary.inserted, summary.rejected) == (98, 2)
    refs = sorted(d["booking_ref"] for d in db.bookings.find({}, {"booking_ref": 1}))
    assert refs == sorted(f"R{k:07d}" for k in range(1, 101) if k not in (6, 91))
    # another result (even with the same rows) is planned afresh, and a plan serves one commit only
    other = make_result(_with_duplicates(100, {90: 1}), {5: BAD}, path="p.csv")
    engine.run(other)
    engine.run(result)
    assert planned == [other, result]
