"""Bulk fixes of the review queue (storage/review_bulk.py) against the real test server: which rows
change, the errors they have afterwards, the audit entries, an undo that restores every row exactly,
and a second supervisor on another client whose change is never overwritten."""

from __future__ import annotations

from collections import Counter

import pytest
from review_files import BAD_RECORDS, write_file, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.storage import review_bulk as rb
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.review import RefusedError, ReviewFilter, ReviewQueue
from booking_desktop.storage.review_bulk import FindReplace, SetValue, ValueMap, apply_bulk, plan_bulk, undo_bulk

VOLATILE = {"version", "updated_at", "write_id"}


@pytest.fixture()
def imported(mongo_db, tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    monkeypatch.setenv("BOOKING_DESKTOP_PROFILES", str(d))
    write_profile(d)
    CommitEngine(mongo_db).run(run_to_end(write_file(tmp_path), profile="harbour"))
    return {d["record"]: d["_id"] for d in mongo_db.rejected_rows.find({})}


def rows(db):
    return {d["record"]: d for d in db.rejected_rows.find({})}


def codes(doc):
    return sorted((e["field"], e["code"]) for e in doc["errors"])


def stable(doc):
    return {k: v for k, v in doc.items() if k not in VOLATILE}


def test_set_value_on_named_rows_revalidates_each_with_the_profile_rules(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    before = rows(mongo_db)
    out = apply_bulk(q, SetValue("adults", "8"), ids=[imported[4], imported[5]])
    after = rows(mongo_db)
    assert sorted(out.changed) == sorted([imported[4], imported[5]])
    assert (out.still_invalid, out.valid_now, out.unchanged, out.conflicts) == (2, 0, 0, [])
    for r in (4, 5):  # the schema allows 8 adults, the vendor's profile at most 6
        assert after[r]["mapped"]["adults"] == "8" and codes(after[r]) == [("adults", "range")]
        assert after[r]["version"] == int(before[r].get("version") or 0) + 1
    for r in set(BAD_RECORDS) - {4, 5}:
        assert after[r] == before[r]
    out = apply_bulk(q, SetValue("adults", "2"), ids=[imported[4], imported[5]])
    assert (len(out.changed), out.valid_now, out.still_invalid) == (2, 2, 0)
    assert all(rows(mongo_db)[r]["errors"] == [] and rows(mongo_db)[r]["valid"] is True for r in (4, 5))


def test_one_audit_entry_per_row_with_the_bulk_id_and_one_summary(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    out = apply_bulk(q, ValueMap("adults", {"0": "1", "9": "6", "7": "3"}), flt=ReviewFilter(vendor="HARBOUR"))
    assert sorted(out.changed) == sorted([imported[4], imported[5]])
    assert out.unchanged == len(BAD_RECORDS) - 2
    entries = list(mongo_db.audit_log.find({"bulk_id": out.bulk_id}))
    assert Counter(e["action"] for e in entries) == {"rejected_row.fix": 2, "rejected_row.bulk": 1}
    per_row = {e["target"]["_id"]: e for e in entries if e["action"] == "rejected_row.fix"}
    assert per_row[imported[4]]["before"] == {"adults": "0"} and per_row[imported[4]]["after"] == {"adults": "1"}
    assert per_row[imported[5]]["before"] == {"adults": "9"} and per_row[imported[5]]["after"] == {"adults": "6"}
    (summary,) = [e for e in entries if e["action"] == "rejected_row.bulk"]
    assert summary["after"]["changed"] == 2 and summary["after"]["op"]["kind"] == "ValueMap"
    assert summary["who"]["os_user"]
    assert mongo_db.audit_log.count_documents({}) == 3  # rows not changed are not audited
    history = q.show(imported[5])["history"]
    assert [h["action"] for h in history] == ["rejected_row.fix"]


def test_find_replace_on_a_filter_whole_cell_and_case(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    out = apply_bulk(q, FindReplace("check_out", "05-01", "05-05"), flt=ReviewFilter(code="date_order"))
    assert out.changed == [imported[2]] and out.valid_now == 1
    assert rows(mongo_db)[2]["mapped"]["check_out"] == "2024-05-05" and rows(mongo_db)[2]["errors"] == []
    out = apply_bulk(q, FindReplace("adults", "9", "3", whole_cell=True), flt=ReviewFilter(field="adults"))
    assert out.changed == [imported[5]] and out.unchanged == 1  # record 4's "0" is not "9"
    out = apply_bulk(q, FindReplace("customer_name", "=hyperlink", "Link", case=False), ids=[imported[9]])
    assert rows(mongo_db)[9]["mapped"]["customer_name"] == "Link(x)"
    assert out.still_invalid == 1 and codes(rows(mongo_db)[9]) == [("currency", "required")]


def test_plan_says_what_apply_does_and_writes_nothing(mongo_db, imported, monkeypatch):
    q = ReviewQueue(mongo_db)
    op = ValueMap("adults", {"0": "1", "9": "7"})
    before = rows(mongo_db)
    monkeypatch.setattr(rb, "CHUNK", 2)  # chunks of two rows: the rows of the filter come in three
    plan = plan_bulk(q, op, flt=ReviewFilter())
    assert rows(mongo_db) == before and mongo_db.audit_log.count_documents({}) == 0
    assert (plan.matched, plan.changes, plan.unchanged, plan.valid_now, plan.still_invalid) == (6, 2, 4, 1, 1)
    by_record = {r["record"]: r for r in plan.rows}
    assert by_record[4]["before"] == {"adults": "0"} and by_record[4]["errors"] == []
    assert [e["code"] for e in by_record[5]["errors"]] == ["range"]  # 7 is above the profile's 6
    sizes = []
    fix_rows = q.fix_rows
    monkeypatch.setattr(q, "fix_rows", lambda items, *a, **kw: sizes.append(len(items)) or fix_rows(items, *a, **kw))
    out = apply_bulk(q, op, flt=ReviewFilter(), expected={r["id"]: r["version"] for r in plan.rows})
    assert (len(out.changed), out.unchanged, out.valid_now, out.still_invalid) == (2, 4, 1, 1)
    assert len(sizes) == 3 and max(sizes) <= 2  # a chunk at a time: what bounds the memory of a big filter


def test_rows_a_bulk_gives_the_same_reference_are_duplicates(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    apply_bulk(q, SetValue("booking_ref", "H77"), ids=[imported[4], imported[5]])
    assert codes(rows(mongo_db)[4]) == [("adults", "range")]
    assert codes(rows(mongo_db)[5]) == [("adults", "range"), ("booking_ref", "duplicate_ref")]
    (dup,) = [e for e in rows(mongo_db)[5]["errors"] if e["code"] == "duplicate_ref"]
    assert "repeats record 4" in dup["message"]  # the record of the file, not the row's place in the chunk


def test_undo_restores_every_row_exactly_and_only_once(mongo_db, imported):
    q = ReviewQueue(mongo_db)
    q.fix(imported[2], {"check_out": "2024-05-03"})  # a row fixed before the bulk keeps that fix
    before = {r: stable(d) for r, d in rows(mongo_db).items()}
    out = apply_bulk(q, SetValue("currency", "GBP"), flt=ReviewFilter())
    assert len(out.changed) == len(BAD_RECORDS)
    assert all(d["mapped"]["currency"] == "GBP" for d in rows(mongo_db).values())
    undone = undo_bulk(q, out.bulk_id)
    assert sorted(undone.changed) == sorted(out.changed) and undone.conflicts == []
    assert {r: stable(d) for r, d in rows(mongo_db).items()} == before
    actions = Counter(e["action"] for e in mongo_db.audit_log.find({}))
    assert actions == {"rejected_row.fix": 1 + len(BAD_RECORDS), "rejected_row.bulk": 1,
                       "rejected_row.undo": len(BAD_RECORDS), "rejected_row.bulk_undo": 1}
    with pytest.raises(RefusedError, match=f"bulk fix {out.bulk_id} was undone already"):
        undo_bulk(q, out.bulk_id)
    with pytest.raises(rb.UnknownBulkError, match="no bulk fix 'nope'"):
        undo_bulk(q, "nope")


def test_a_second_supervisor_on_another_client_is_never_overwritten(mongo_db, mongo_server, imported):
    other = mongo_server.client()
    try:
        a, b = ReviewQueue(mongo_db), ReviewQueue(other[mongo_db.name])
        ids = [imported[4], imported[5]]
        plan = plan_bulk(a, SetValue("adults", "2"), ids=ids)
        b.fix(imported[5], {"adults": "3"})  # between the plan and the apply
        out = apply_bulk(a, SetValue("adults", "2"), ids=ids, expected={r["id"]: r["version"] for r in plan.rows})
        assert out.changed == [imported[4]] and out.conflicts == [imported[5]]
        assert rows(mongo_db)[5]["mapped"]["adults"] == "3"
        b.fix(imported[4], {"adults": "4"})  # after the apply: the undo leaves it
        undone = undo_bulk(a, out.bulk_id)
        assert undone.changed == [] and undone.conflicts == [imported[4]]
        assert rows(mongo_db)[4]["mapped"]["adults"] == "4"
    finally:
        other.close()


def test_refusals_are_one_line_and_write_nothing(mongo_db, imported, tmp_path):
    q = ReviewQueue(mongo_db)
    q.discard([imported[6]], "test")
    before = rows(mongo_db)
    cases = [
        (SetValue("pax", "2"), {"ids": [imported[4]]}, "unknown field 'pax'"),
        (FindReplace("adults", "", "2"), {"ids": [imported[4]]}, "needs the text to find"),
        (ValueMap("adults", {}), {"ids": [imported[4]]}, "the value map is empty"),
        (SetValue("adults", "2"), {"ids": [imported[4], imported[6]]}, "is discarded; only open rows"),
        (SetValue("adults", "2"), {"ids": [imported[4], "nope"]}, "no rejected row 'nope'"),
        (SetValue("adults", "2"), {}, "not both nor neither"),
        (SetValue("adults", "2"), {"flt": ReviewFilter(status="discarded")}, "changes open rows"),
    ]
    for op, target, message in cases:
        with pytest.raises(RefusedError if "no rejected" not in message else Exception, match=message) as info:
            apply_bulk(q, op, **target)
        assert "\n" not in str(info.value)
    assert rows(mongo_db) == before and mongo_db.review_bulks.count_documents({}) == 0


def test_value_map_files(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("from,to\nDbl, 2\nn/a,\n", encoding="utf-8")
    assert rb.load_value_map(f) == {"Dbl": " 2", "n/a": None}  # kept as typed; an empty cell clears
    f.write_text("from,to\nA,1\nA,2\n", encoding="utf-8")
    with pytest.raises(RefusedError, match="line 3: 'A' is mapped twice"):
        rb.load_value_map(f)
    f.write_text("from,to\nA,1,x\n", encoding="utf-8")
    with pytest.raises(RefusedError, match="line 2: 3 cell"):
        rb.load_value_map(f)
    j = tmp_path / "m.json"
    j.write_text('{"Dbl": "2", "n/a": null}', encoding="utf-8")
    assert rb.load_value_map(j) == {"Dbl": "2", "n/a": None}
    j.write_text('["Dbl"]', encoding="utf-8")
    with pytest.raises(RefusedError, match="object of text"):
        rb.load_value_map(j)


def test_a_cancelled_bulk_keeps_what_it_did_and_is_undone_as_one(mongo_db, imported, monkeypatch):
    monkeypatch.setattr(rb, "CHUNK", 2)
    q = ReviewQueue(mongo_db)
    before = {r: stable(d) for r, d in rows(mongo_db).items()}
    seen = []
    out = apply_bulk(q, SetValue("currency", "GBP"), flt=ReviewFilter(),
                     progress=lambda done, changed: seen.append((done, changed)), cancelled=lambda: len(seen) >= 2)
    assert out.cancelled and seen == [(2, 2), (4, 4)] and len(out.changed) == 4
    assert sorted(r for r, d in rows(mongo_db).items() if d["mapped"]["currency"] == "GBP") == BAD_RECORDS[:4]
    assert mongo_db.review_bulks.find_one({"_id": out.bulk_id})["counts"]["cancelled"] is True
    assert len(undo_bulk(q, out.bulk_id).changed) == 4
    assert {r: stable(d) for r, d in rows(mongo_db).items()} == before
