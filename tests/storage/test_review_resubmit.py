"""Resubmitting from the review queue is exactly once, however it is interrupted, and the end
state of a reviewed file has every record once: a booking, or a discarded row."""

from __future__ import annotations

from collections import Counter

import pytest
from review_files import BAD_RECORDS, write_file, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.storage import review_resubmit
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.review import RefusedError, ReviewFilter, ReviewQueue

FIXES = {2: {"check_out": "2024-05-05"}, 4: {"adults": "1"}, 5: {"adults": "3"}, 6: {"check_in": "2024-02-28"},
         8: {"booking_ref": "H8"}}


@pytest.fixture()
def queue(mongo_db, tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(d))
    write_profile(d)
    CommitEngine(mongo_db).run(run_to_end(write_file(tmp_path), profile="harbour"))
    return ReviewQueue(mongo_db)


def ids_of(db, records):
    by = {d["record"]: d["_id"] for d in db.rejected_rows.find({})}
    return [by[r] for r in records]


def fix_all(queue, db):
    for record, change in FIXES.items():
        assert queue.fix(ids_of(db, [record])[0], change)["errors"] == []


def assert_each_record_once(db):
    bookings = Counter(b["source"]["record"] for b in db.bookings.find({}))
    assert all(n == 1 for n in bookings.values())
    rows = {d["record"]: d for d in db.rejected_rows.find({})}
    for record in range(1, 11):
        row = rows.get(record)
        if record in bookings:
            assert row is None or row["status"] == "resolved", record
        else:
            assert row is not None and row["status"] in ("discarded", "open"), record
    return bookings, rows


def test_a_cancelled_resubmit_run_again_commits_each_row_once(queue, mongo_db):
    fix_all(queue, mongo_db)
    calls = {"n": 0}

    def cancel_after_two_batches() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    first = queue.resubmit(flt=ReviewFilter(), batch_size=1, cancelled=cancel_after_two_batches)
    assert (first.resubmitted, first.inserted, first.not_committed) == (2, 2, 3)
    claimed = [d["_id"] for d in mongo_db.rejected_rows.find({"status": "open"}) if d.get("claim")]
    assert len(claimed) == 3
    with pytest.raises(RefusedError, match="is being resubmitted"):
        queue.discard(claimed[:1], "test")
    second = queue.resubmit(claimed)
    assert (second.resubmitted, second.inserted, second.not_committed) == (3, 3, 0)
    bookings, rows = assert_each_record_once(mongo_db)
    assert len(bookings) == 9  # 4 valid at import + 5 fixed; record 9 is still open
    assert rows[9]["status"] == "open"
    resubmits = Counter(e["target"]["_id"] for e in mongo_db.audit_log.find({"action": "rejected_row.resubmit"}))
    assert sorted(resubmits.values()) == [1] * 5


def test_a_resubmit_that_dies_after_the_commit_is_finished_by_the_next_without_a_second_insert(
    queue, mongo_db, monkeypatch
):
    fix_all(queue, mongo_db)
    real = review_resubmit._resolve

    def die(*a, **k):
        raise RuntimeError("killed")

    monkeypatch.setattr(review_resubmit, "_resolve", die)
    with pytest.raises(RuntimeError):
        queue.resubmit(flt=ReviewFilter())
    assert mongo_db.bookings.count_documents({}) == 9  # the engine committed them
    monkeypatch.setattr(review_resubmit, "_resolve", real)
    again = queue.resubmit(ids_of(mongo_db, list(FIXES)))
    assert (again.resubmitted, again.inserted, again.unchanged) == (5, 0, 5)
    assert mongo_db.bookings.count_documents({}) == 9
    assert_each_record_once(mongo_db)


def test_the_whole_review_of_a_file_ends_with_each_record_once_and_one_audit_entry_per_action(queue, mongo_db):
    for record in (2, 5, 8):
        queue.fix(ids_of(mongo_db, [record])[0], FIXES[record])
    summary = queue.resubmit(flt=ReviewFilter(valid=True))
    assert (summary.resubmitted, summary.inserted) == (3, 3)
    rest = [d["_id"] for d in mongo_db.rejected_rows.find({"status": "open"})]
    assert sorted(d["record"] for d in mongo_db.rejected_rows.find({"_id": {"$in": rest}})) == [4, 6, 9]
    queue.discard(rest, "resent")
    bookings, rows = assert_each_record_once(mongo_db)
    assert sorted(bookings) == [1, 2, 3, 5, 7, 8, 10]
    assert {r for r, d in rows.items() if d["status"] == "discarded"} == {4, 6, 9}
    assert len(rows) == len(BAD_RECORDS)
    actions = Counter(e["action"] for e in mongo_db.audit_log.find({"target.collection": "rejected_rows"}))
    assert actions == {"rejected_row.fix": 3, "rejected_row.resubmit": 3, "rejected_row.discard": 3}
    again = queue.resubmit(flt=ReviewFilter())
    assert again.as_dict()["resubmitted"] == 0 and mongo_db.bookings.count_documents({}) == 7


def test_resubmitted_bookings_reach_the_analytics_rollup_once(queue, mongo_db):
    """The charts count a booking fixed in the review queue as soon as it is resubmitted, once, even when
    the resubmit is interrupted and run again: the maintained rollup equals one rebuilt from ``bookings``."""
    from booking_desktop.analytics import facts, rollup

    def counted() -> int:
        rows = rollup.stored_rows(mongo_db)
        return sum(r["bookings"] for r in rows if (r.get("kind"), r.get("grain")) == ("check_in", "month"))

    before = counted()
    assert before == mongo_db.bookings.count_documents({}) == 4
    fix_all(queue, mongo_db)
    calls = {"n": 0}

    def cancel_after_two() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    queue.resubmit(flt=ReviewFilter(), batch_size=1, cancelled=cancel_after_two)
    queue.resubmit(flt=ReviewFilter())
    queue.resubmit(flt=ReviewFilter())  # nothing left to do: counts nothing again
    assert mongo_db.bookings.count_documents({}) == 9
    assert counted() == 9
    fresh = facts.partition_rows(rollup.rows_from_bookings(mongo_db, rollup.rollup_zone(mongo_db)))
    key = ("kind", "grain", "day", "vendor", "channel", "property", "status", "currency", "bookings", "nights")
    assert sorted(tuple(r.get(k) for k in key) for r in rollup.stored_rows(mongo_db)) == sorted(
        tuple(r.get(k) for k in key) for r in fresh
    )


def test_a_row_another_supervisor_changes_before_the_claim_is_a_conflict_and_not_committed(
        queue, mongo_db, mongo_server, monkeypatch):
    fix_all(queue, mongo_db)
    rid, other_rid = ids_of(mongo_db, [5, 2])
    other = mongo_server.client()
    try:
        second = ReviewQueue(other[mongo_db.name])
        real = queue._get_many

        def read_then_changed(ids):
            docs = real(ids)
            second.assign([rid], "maria")  # after this resubmit read the row, before it claims it
            return docs

        monkeypatch.setattr(queue, "_get_many", read_then_changed)
        out = queue.resubmit([rid, other_rid])
    finally:
        other.close()
    assert (out.conflicts, out.resubmitted, out.inserted) == (1, 1, 1) and out.rows[rid] == "conflict"
    row = mongo_db.rejected_rows.find_one({"_id": rid})
    assert row["status"] == "open" and row["assignee"] == "maria" and "claim" not in row
    assert mongo_db.bookings.find_one({"booking_ref": "H5"}) is None
    assert mongo_db.rejected_rows.find_one({"_id": other_rid})["status"] == "resolved"
