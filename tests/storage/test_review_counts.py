"""The review queue's maintained counts (storage/review_counts.py) against the real test server: after
imports, fixes, a bulk fix and its undo, discards, a reopen, a resubmit and the engine resolving a
row, the maintained counts equal the counts rebuilt from the rows and a pandas count of a plain
find(); a writer that died half-way or is still writing never makes them wrong."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from review_files import ROWS, write_file, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.storage import imports as imp
from booking_desktop.storage import review_counts as rc
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.review import ReviewFilter, ReviewQueue
from booking_desktop.storage.review_bulk import SetValue, apply_bulk, undo_bulk


@pytest.fixture()
def two_imports(mongo_db, tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(d))
    write_profile(d)
    write_profile(d, "alpine", "ALPINE")
    CommitEngine(mongo_db).run(run_to_end(write_file(tmp_path), profile="harbour"))
    alpine = write_file(tmp_path, "alpine.csv", [r.replace("H", "A", 1) for r in ROWS])
    CommitEngine(mongo_db).run(run_to_end(alpine, profile="alpine"))
    return {(d["vendor"], d["record"]): d["_id"] for d in mongo_db.rejected_rows.find({})}


def by_pandas(db) -> Counter:
    frame = pd.DataFrame(list(db.rejected_rows.find({})))
    out: Counter = Counter()
    for vendor, status, errors in zip(frame["vendor"], frame["status"], frame["errors"]):
        out.update((vendor, status, code) for code in {e["code"] for e in errors})
    return out


def maintained_equals_rebuilt(db) -> Counter:
    got = rc.maintained(db)
    assert +got == +by_pandas(db)
    assert +rc.rebuild(db) == +got
    parts = [p for p in db.review_counts.find({}) if p["_id"] != "_built"]
    assert parts and all(rc._clean(p) for p in parts)
    assert +rc.maintained(db) == +got  # read from the partitions now, no row counted
    return got


def test_maintained_counts_equal_the_rows_through_every_action(mongo_db, two_imports):
    q = ReviewQueue(mongo_db)
    ids = two_imports
    first = maintained_equals_rebuilt(mongo_db)
    assert first[("HARBOUR", "open", "range")] == 2 and first[("ALPINE", "open", "date_order")] == 1
    clean = {p["_id"] for p in mongo_db.review_counts.find({}) if rc._clean(p)}
    q.fix(ids[("HARBOUR", 2)], {"check_out": "2024-05-05"})
    harbour = rc._key(mongo_db.rejected_rows.find_one({"_id": ids[("HARBOUR", 2)]})["import_id"])
    assert {p["_id"] for p in mongo_db.review_counts.find({}) if rc._clean(p)} == clean - {harbour}  # one import
    q.fix(ids[("HARBOUR", 5)], {"adults": "7"})  # still range, under the profile's 6
    maintained_equals_rebuilt(mongo_db)
    bulk = apply_bulk(q, SetValue("adults", "2"), flt=ReviewFilter(vendor="ALPINE"))
    maintained_equals_rebuilt(mongo_db)
    undo_bulk(q, bulk.bulk_id)
    maintained_equals_rebuilt(mongo_db)
    q.discard([ids[("ALPINE", 4)], ids[("ALPINE", 6)]], "test")
    q.reopen([ids[("ALPINE", 6)]])
    q.assign([ids[("HARBOUR", 9)]], "maria")
    maintained_equals_rebuilt(mongo_db)
    q.resubmit([ids[("HARBOUR", 2)]])
    imp.set_rejected_status(mongo_db, ids[("ALPINE", 9)], "resolved", note="as the engine does")
    got = maintained_equals_rebuilt(mongo_db)
    assert got[("ALPINE", "discarded", "range")] == 1
    expected = Counter()
    for (v, s, c), n in by_pandas(mongo_db).items():
        if s == "open":
            expected[(v, c)] += n
    assert {(r["vendor"], r["code"]): r["rows"] for r in q.counts()} == dict(+expected)
    assert q.counts(ReviewFilter(vendor="ALPINE", status="all")) == q.counts_from_rows(
        ReviewFilter(vendor="ALPINE", status="all"))
    some = mongo_db.rejected_rows.find_one({"vendor": "HARBOUR"})["import_id"]
    assert q.counts(ReviewFilter(import_id=some)) == q.counts_from_rows(ReviewFilter(import_id=some))
    assert q.counts(ReviewFilter(code="range")) == q.counts_from_rows(ReviewFilter(code="range"))


def test_a_write_in_flight_or_a_dead_writer_never_makes_them_wrong(mongo_db, two_imports, monkeypatch):
    q = ReviewQueue(mongo_db)
    maintained_equals_rebuilt(mongo_db)
    rid = two_imports[("HARBOUR", 4)]
    key = rc._key(mongo_db.rejected_rows.find_one({"_id": rid})["import_id"])
    # a writer that began and died before it ended: its row changed, its partition is not clean
    mongo_db.review_counts.update_one({"_id": key}, {"$inc": {"begun": 1}})
    doc = mongo_db.rejected_rows.find_one({"_id": rid})
    mongo_db.rejected_rows.replace_one({"_id": rid}, {**doc, "status": "discarded"})
    assert +rc.maintained(mongo_db) == +by_pandas(mongo_db)
    part = mongo_db.review_counts.find_one({"_id": key})
    assert part["begun"] == part["ended"] + 1  # not trusted: counted from the rows every time
    rc.rebuild(mongo_db)  # touched a moment ago: it may still be writing, left as it is
    assert mongo_db.review_counts.find_one({"_id": key})["begun"] != mongo_db.review_counts.find_one(
        {"_id": key})["ended"]
    monkeypatch.setattr(rc, "STUCK_AFTER", rc.timedelta(0))
    rc.rebuild(mongo_db)  # left so for longer than STUCK_AFTER: healed
    healed = mongo_db.review_counts.find_one({"_id": key})
    assert healed["begun"] == healed["ended"] == healed["counted"]
    assert +rc.maintained(mongo_db) == +by_pandas(mongo_db)
    q.reopen([rid])
    assert +rc.maintained(mongo_db) == +by_pandas(mongo_db)


def test_a_database_without_counts_builds_them_on_first_use(mongo_db, two_imports):
    mongo_db.review_counts.delete_many({})  # rows queued by an earlier version
    q = ReviewQueue(mongo_db)
    assert q.counts() == q.counts_from_rows()
    assert mongo_db.review_counts.find_one({"_id": "_built"}) is not None
