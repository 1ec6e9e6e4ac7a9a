"""The review queue (storage/review.py) against the real test server: list, counts, show, fix,
resubmit, discard, reopen, assign; every answer checked against a plain find()."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pandas as pd
import pytest
from review_files import BAD_RECORDS, ROWS, write_file, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.imports import raw_as_dict
from booking_desktop.storage.review import (
    ConflictError,
    RefusedError,
    ReviewFilter,
    ReviewQueue,
    UnknownRowError,
)


@pytest.fixture()
def profiles(tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(d))
    write_profile(d)
    return d


@pytest.fixture()
def imported(mongo_db, tmp_path, profiles):
    f = write_file(tmp_path)
    summary = CommitEngine(mongo_db).run(run_to_end(f, profile="harbour"))
    assert (summary.inserted, summary.rejected) == (10 - len(BAD_RECORDS), len(BAD_RECORDS))
    return summary


def row_of(db, record):
    return db.rejected_rows.find_one({"record": record})


def plain(db, query=None):
    return pd.DataFrame(list(db.rejected_rows.find(query or {})))


def test_list_is_oldest_first_and_matches_a_plain_find(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    page = q.page(with_total=True)
    expected = plain(mongo_db, {"status": "open"}).sort_values(["created_at", "record"])
    assert page.total == len(expected) == len(BAD_RECORDS)
    assert [r["record"] for r in page.rows] == expected["record"].tolist() == BAD_RECORDS
    assert page.next is None
    first = page.rows[0]
    assert first["file"] == "harbour.csv" and first["vendor"] == "HARBOUR" and first["status"] == "open"
    assert first["location"] == "line 3"
    assert first["raw"] == {"Ref": "H2", "Guest": "Ben Okafor", "Arrive": "2024-05-02", "Leave": "2024-05-01",
                            "Pax": "1", "Total": "120.50", "Cur": "EUR"}
    assert first["mapped"]["booking_ref"] == "H2" and first["mapped"]["check_out"] == "2024-05-01"
    assert {e["code"] for e in first["errors"]} == {"date_order"}


def test_pages_follow_each_other_without_gaps_or_repeats(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    seen, token = [], None
    while True:
        page = q.page(limit=2, after=token)
        seen += [r["record"] for r in page.rows]
        token = page.next
        if token is None:
            break
    assert seen == BAD_RECORDS


@pytest.mark.parametrize(
    ("flt", "query"),
    [
        (ReviewFilter(code="range"), {"status": "open", "errors.code": "range"}),
        (ReviewFilter(field="check_in"), {"status": "open", "errors.field": "check_in"}),
        (ReviewFilter(vendor="HARBOUR", status="all"), {"vendor": "HARBOUR"}),
        (ReviewFilter(vendor="NOBODY"), {"vendor": "NOBODY"}),
        (ReviewFilter(code="duplicate_ref", field="booking_ref"), {"errors.code": "duplicate_ref"}),
        (ReviewFilter(older_than=timedelta(days=1)), {"_id": None}),
        (ReviewFilter(newer_than=timedelta(days=1)), {"status": "open"}),
    ],
)
def test_filters_give_what_a_plain_find_gives(mongo_db, imported, flt, query):
    q = ReviewQueue(mongo_db)
    expected = sorted(d["record"] for d in mongo_db.rejected_rows.find(query))
    assert [r["record"] for r in q.page(flt).rows] == expected
    assert q.count(flt) == len(expected)


def test_counts_by_vendor_and_code_match_pandas(mongo_db, imported, mongo_server):
    docs = list(mongo_db.rejected_rows.find({"status": "open"}))
    pairs = Counter(pair for d in docs for pair in {(d["vendor"], e["code"]) for e in d["errors"]})
    got = {(c["vendor"], c["code"]): c["rows"] for c in ReviewQueue(mongo_db).counts()}
    assert got == dict(pairs)
    assert got[("HARBOUR", "range")] == 2 and ("HARBOUR", "duplicate_ref") in got


def test_show_has_the_vendors_cells_in_their_order_and_the_history(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 5)["_id"]
    shown = q.show(rid)
    assert [c["column"] for c in shown["raw_cells"]] == ["Ref", "Guest", "Arrive", "Leave", "Pax", "Total", "Cur"]
    assert shown["raw"]["Pax"] == "9" and shown["mapped"]["adults"] == "9"
    assert shown["history"] == []
    q.fix(rid, {"adults": "2"})
    (entry,) = q.show(rid)["history"]
    assert entry["action"] == "rejected_row.fix"
    assert entry["before"] == {"adults": "9"} and entry["after"] == {"adults": "2"}
    assert entry["who"]["os_user"]


def test_unknown_row_is_one_clear_error(mongo_db, imported):
    with pytest.raises(UnknownRowError, match="no rejected row 'nope'"):
        ReviewQueue(mongo_db).show("nope")


def test_fix_revalidates_with_the_profile_rules_and_says_what_is_still_wrong(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 5)["_id"]
    still = q.fix(rid, {"adults": "8"})  # the schema allows 8, the vendor's profile at most 6
    assert [(e["field"], e["code"]) for e in still["errors"]] == [("adults", "range")]
    fixed = q.fix(rid, {"adults": "6"})
    assert fixed["errors"] == [] and fixed["version"] == 2
    stored = mongo_db.rejected_rows.find_one({"_id": rid})
    assert stored["valid"] is True and stored["mapped"]["adults"] == "6"
    assert stored["original"]["mapped"]["adults"] == "9"  # what the vendor sent is kept
    assert raw_as_dict(stored["raw"])["Pax"] == "9"


def test_fix_refuses_an_unknown_field_and_a_row_that_is_not_open(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 4)["_id"]
    with pytest.raises(RefusedError, match="unknown field 'pax'"):
        q.fix(rid, {"pax": "2"})
    q.discard([rid], "test")
    with pytest.raises(RefusedError, match="is discarded; only open rows can be fixed"):
        q.fix(rid, {"adults": "2"})


def test_a_reference_changed_to_an_existing_booking_is_a_duplicate(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 8)["_id"]  # repeats H1, which is a booking
    shown = q.fix(rid, {"booking_ref": "H3"})  # H3 is a booking too (record 3)
    (err,) = shown["errors"]
    assert err["code"] == "duplicate_ref" and "H3" in err["message"] and "record 3" in err["message"]
    assert q.fix(rid, {"booking_ref": "H8"})["errors"] == []


def test_resubmit_commits_each_fixed_row_once_and_resolves_it(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid2, rid5 = row_of(mongo_db, 2)["_id"], row_of(mongo_db, 5)["_id"]
    q.fix(rid2, {"check_out": "2024-05-05"})
    q.fix(rid5, {"adults": "3"})
    before = mongo_db.bookings.count_documents({})
    out = q.resubmit(flt=ReviewFilter(vendor="HARBOUR"))
    assert (out.resubmitted, out.inserted, out.still_invalid, out.conflicts) == (2, 2, 0, 0)
    assert mongo_db.bookings.count_documents({}) == before + 2
    booking = mongo_db.bookings.find_one({"booking_ref": "H2"})
    assert booking["source"]["record"] == 2 and booking["source"]["file_name"] == "harbour.csv"
    assert booking["check_out"].date().isoformat() == "2024-05-05"
    row = mongo_db.rejected_rows.find_one({"_id": rid2})
    assert row["status"] == "resolved" and row["resolution"] == "resubmitted" and row["booking_id"] == booking["_id"]
    assert "claim" not in row
    assert mongo_db.audit_log.count_documents({"target._id": rid2}) == 2  # the fix and the resubmit
    again = q.resubmit(flt=ReviewFilter(vendor="HARBOUR"))
    assert (again.resubmitted, again.inserted, again.updated) == (0, 0, 0)
    with pytest.raises(RefusedError, match="is resolved; only open rows can be resubmitted"):
        q.resubmit([rid2])
    assert mongo_db.bookings.count_documents({}) == before + 2


def test_a_row_still_invalid_is_not_committed(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 6)["_id"]
    out = q.resubmit([rid])
    assert (out.still_invalid, out.inserted) == (1, 0)
    assert mongo_db.rejected_rows.find_one({"_id": rid})["status"] == "open"
    assert mongo_db.bookings.find_one({"booking_ref": "H6"}) is None


def test_a_booking_committed_meanwhile_by_a_later_import_supersedes_the_row(mongo_db, imported, tmp_path):
    corrected = write_file(tmp_path, "harbour_fixed.csv", [ROWS[1].replace("2024-05-01,1", "2024-05-03,1")])
    later = CommitEngine(mongo_db).run(run_to_end(corrected, profile="harbour"))
    assert later.inserted == 1
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 2)["_id"]
    shown = q.fix(rid, {"check_out": "2024-05-04"})
    assert shown["errors"] == [] and [w["code"] for w in shown["warnings"]] == ["superseded"]
    out = q.resubmit([rid])
    assert (out.superseded, out.inserted, out.updated) == (1, 0, 0)
    row = mongo_db.rejected_rows.find_one({"_id": rid})
    assert row["status"] == "resolved" and row["resolution"] == "superseded"
    booking = mongo_db.bookings.find_one({"booking_ref": "H2"})
    assert booking["source"]["file_name"] == "harbour_fixed.csv"  # left as the later import wrote it
    assert mongo_db.bookings.count_documents({"booking_ref": "H2"}) == 1


def test_discard_reopen_assign_are_audited_and_delete_nothing(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    ids = [row_of(mongo_db, r)["_id"] for r in (4, 6)]
    n = mongo_db.rejected_rows.count_documents({})
    assert q.discard(ids, "cancelled").done == ids
    row = mongo_db.rejected_rows.find_one({"_id": ids[0]})
    assert row["status"] == "discarded" and row["discard"]["reason"] == "cancelled"
    free = q.discard([row_of(mongo_db, 9)["_id"]], "  the guest never existed ")
    assert free.done and mongo_db.rejected_rows.find_one({"record": 9})["discard"] == {
        **mongo_db.rejected_rows.find_one({"record": 9})["discard"], "reason": "other",
        "text": "  the guest never existed "}
    assert q.reopen([ids[0]]).done == [ids[0]]
    assert q.assign(ids, "maria").done == ids
    assert [r["record"] for r in q.page(ReviewFilter(assignee="maria", status="all")).rows] == [4, 6]
    assert mongo_db.rejected_rows.count_documents({}) == n
    actions = Counter(e["action"] for e in mongo_db.audit_log.find({"target.collection": "rejected_rows"}))
    assert actions == {"rejected_row.discard": 3, "rejected_row.reopen": 1, "rejected_row.assign": 2}
    with pytest.raises(RefusedError, match="needs a reason"):
        q.discard([ids[0]], " ")


def test_a_resolved_row_cannot_be_reopened_or_discarded(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    rid = row_of(mongo_db, 5)["_id"]
    q.fix(rid, {"adults": "2"})
    q.resubmit([rid])
    with pytest.raises(RefusedError, match="both a booking and an open row"):
        q.reopen([rid])
    with pytest.raises(RefusedError, match="is resolved"):
        q.discard([rid], "test")


def test_the_second_of_two_supervisors_sees_the_row_changed(mongo_db, mongo_server, imported):
    other_client = mongo_server.client()
    try:
        a = ReviewQueue(mongo_db)
        b = ReviewQueue(other_client[mongo_db.name])
        rid = row_of(mongo_db, 5)["_id"]
        seen_a, seen_b = a.show(rid)["version"], b.show(rid)["version"]
        a.fix(rid, {"adults": "2"}, expected=seen_a)
        with pytest.raises(ConflictError, match="changed since it was read"):
            b.fix(rid, {"adults": "3"}, expected=seen_b)
        assert b.discard([rid], "test", expected={rid: seen_b}).conflicts == [rid]
        row = mongo_db.rejected_rows.find_one({"_id": rid})
        assert row["mapped"]["adults"] == "2" and row["status"] == "open"
        assert mongo_db.audit_log.count_documents({"target._id": rid}) == 1
    finally:
        other_client.close()


def test_rows_queued_by_an_older_version_are_read_and_fixed(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    doc = row_of(mongo_db, 4)
    old = {**doc, "raw": raw_as_dict(doc["raw"])}  # an older version stored the raw cells as a document
    old.pop("version", None)
    mongo_db.rejected_rows.replace_one({"_id": doc["_id"]}, old)
    shown = q.show(doc["_id"])
    assert shown["raw"]["Pax"] == "0" and shown["version"] == 0
    assert q.fix(doc["_id"], {"adults": "1"}, expected=0)["errors"] == []
