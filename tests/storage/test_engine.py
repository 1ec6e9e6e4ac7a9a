"""CommitEngine against a real server over a socket."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking_desktop.storage import imports as imp
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import BookingMapper, booking_key
from booking_desktop.storage.testing import booking_rows, make_result

BAD_DATE = [("check_in", "format", "check_in '31/02/2024' is not a date")]


def counts(summary):
    return (summary.inserted, summary.updated, summary.unchanged, summary.rejected)


def booking_count(db):
    return db.bookings.count_documents({})


@pytest.fixture
def db(mongo_db):
    ensure_indexes(mongo_db)
    return mongo_db


def test_first_import_inserts_every_valid_row_and_queues_the_invalid(db):
    result = make_result(booking_rows(250), {3: BAD_DATE, 100: BAD_DATE})
    summary = CommitEngine(db, batch_size=100).run(result)
    assert summary.status == "completed"
    assert counts(summary) == (248, 0, 0, 2)
    assert booking_count(db) == 248
    assert db.rejected_rows.count_documents({}) == 2
    stored = db.imports.find_one({"_id": summary.import_id})
    assert stored["status"] == "completed"
    assert stored["counts"] == {"inserted": 248, "updated": 0, "unchanged": 0, "rejected": 2}
    assert stored["file_name"] == "bookings.csv" and stored["file_sha256"] == result.raw.source.sha256
    assert [b["last_record"] for b in imp.batches(db, summary.import_id)] == [100, 200, 250]


def test_stored_booking_keeps_money_exact_and_dates_as_utc(db, mongo_server):
    from bson.decimal128 import Decimal128

    text = booking_rows(1, amount="1234.50")
    engine = CommitEngine(db)
    engine.run(make_result(text))
    doc = db.bookings.find_one({"_id": booking_key("acme", "R0000001")})
    # Decimal128 where the server has it (decided once per connection), the exact text where it has not
    if mongo_server.kind == "nx-27017":
        assert not engine.mapper.decimal128 and doc["amount"] == "1234.50"
    else:
        assert engine.mapper.decimal128 and doc["amount"] == Decimal128("1234.50")
        assert str(doc["amount"]) == "1234.50"  # the scale is kept: 1234.50, not 1234.5
    assert BookingMapper.from_document(doc)["amount"] == "1234.50"
    assert doc["amount_minor"] == 123450 and doc["currency"] == "EUR"
    assert doc["check_in"] == datetime(2024, 3, 2, tzinfo=UTC)
    assert doc["booked_at"] == datetime(2024, 1, 5, 10, 30, tzinfo=UTC)
    assert doc["nights"] == 31 and doc["source"]["record"] == 1


def test_reimporting_the_same_file_inserts_nothing(db):
    result = make_result(booking_rows(120), {5: BAD_DATE})
    first = CommitEngine(db, batch_size=50).run(result)
    second = CommitEngine(db, batch_size=50).run(result)
    assert second.import_id != first.import_id
    assert counts(second) == (0, 0, 119, 1)
    assert booking_count(db) == 119
    assert db.rejected_rows.count_documents({}) == 1  # the same record is not queued twice


def test_changed_booking_is_updated_and_its_previous_values_audited(db):
    text = booking_rows(10)
    first = CommitEngine(db).run(make_result(text))
    changed = text.copy()
    changed.loc[4, "amount"] = "150.00"
    changed.loc[4, "customer_name"] = "New Name"
    preview = CommitEngine(db).preview(make_result(changed))
    assert (preview.new, preview.changed, preview.unchanged) == (0, 1, 9)
    summary = CommitEngine(db).run(make_result(changed))
    assert counts(summary) == (0, 1, 9, 0)
    doc = db.bookings.find_one({"_id": booking_key("acme", "R0000005")})
    assert doc["amount_minor"] == 15000 and doc["customer_name"] == "New Name"
    assert doc["created_import"] == first.import_id and doc["source"]["import_id"] == summary.import_id
    assert isinstance(doc["created_at"], datetime) and isinstance(doc["check_in"], datetime)
    (entry,) = list(db.audit_log.find({"import_id": summary.import_id}))
    assert entry["action"] == "booking.update"
    assert entry["target"]["booking_ref"] == "R0000005"
    assert entry["before"] == {"customer_name": "Guest 5", "amount": "100.00", "amount_minor": 10000}
    assert entry["after"] == {"customer_name": "New Name", "amount": "150.00", "amount_minor": 15000}
    assert entry["who"]["os_user"]


def test_preview_writes_nothing(db):
    result = make_result(booking_rows(30), {0: BAD_DATE})
    preview = CommitEngine(db).preview(result)
    assert (preview.records, preview.new, preview.changed, preview.unchanged, preview.rejected) == (30, 29, 0, 0, 1)
    assert booking_count(db) == 0 and db.imports.count_documents({}) == 0


def test_rejected_row_holds_what_a_supervisor_needs(db):
    result = make_result(booking_rows(5), {2: [*BAD_DATE, ("amount", "range", "amount must be positive")]})
    summary = CommitEngine(db).run(result)
    (row,) = list(db.rejected_rows.find())
    assert row["import_id"] == summary.import_id and row["vendor"] == "acme"
    assert row["record"] == 3 and row["location"] == "bookings.csv line 4"
    assert imp.raw_as_dict(row["raw"])["src_booking_ref"] == "R0000003"
    assert [c["column"] for c in row["raw"]][:2] == ["src_vendor", "src_booking_ref"]  # the file's column order
    assert row["mapped"]["booking_ref"] == "R0000003" and row["mapped"]["check_in"] == "2024-03-04"
    assert sorted((e["field"], e["code"]) for e in row["errors"]) == [("amount", "range"), ("check_in", "format")]
    assert all(e["message"] for e in row["errors"])
    assert row["status"] == "open" and isinstance(row["created_at"], datetime)


def test_duplicate_booking_in_one_file_is_committed_once_and_the_repeat_rejected(db):
    text = booking_rows(6)
    text.loc[5, "booking_ref"] = text.loc[1, "booking_ref"]
    summary = CommitEngine(db, batch_size=4).run(make_result(text))
    assert counts(summary) == (5, 0, 0, 1)
    (row,) = list(db.rejected_rows.find())
    assert row["record"] == 6 and row["errors"][0]["code"] == "duplicate_ref"
    assert "record 2" in row["errors"][0]["message"]


def test_cancel_then_resume_by_id_is_exactly_once(db):
    result = make_result(booking_rows(500), {7: BAD_DATE, 420: BAD_DATE})
    engine = CommitEngine(db, batch_size=100)
    gen = engine.commit(result, cancelled=lambda: seen[0] >= 2)
    seen = [0]
    summary = None
    while True:
        try:
            next(gen)
            seen[0] += 1
        except StopIteration as stop:
            summary = stop.value
            break
    assert summary.status == "interrupted"
    assert db.imports.find_one({"_id": summary.import_id})["status"] == "interrupted"
    assert booking_count(db) == 199
    resumed = CommitEngine(db, batch_size=100).run(result, resume=summary.import_id)
    assert resumed.import_id == summary.import_id and resumed.resumed
    assert resumed.status == "completed"
    assert counts(resumed) == (498, 0, 0, 2)  # the same totals as one uninterrupted run
    assert booking_count(db) == 498 and db.rejected_rows.count_documents({}) == 2


def test_running_the_same_file_again_resumes_the_interrupted_import(db):
    result = make_result(booking_rows(300))
    gen = CommitEngine(db, batch_size=100).commit(result)
    first = next(gen)
    gen.close()  # the GUI dropped the worker
    assert db.imports.find_one({"_id": first.import_id})["status"] == "interrupted"
    again = CommitEngine(db, batch_size=100).run(result)
    assert again.import_id == first.import_id and again.resumed
    assert counts(again) == (300, 0, 0, 0)


def test_a_batch_replayed_after_a_crash_counts_and_audits_once(db, monkeypatch):
    """The process dies after a batch was written but before its bookmark moved."""
    base = booking_rows(200)
    CommitEngine(db).run(make_result(base.iloc[:50]))  # 50 exist already
    text = base.copy()
    text.loc[10, "amount"] = "101.00"  # one existing booking changes
    result = make_result(text)

    real = imp.record_batch

    def dies_once(*a, **kw):
        monkeypatch.setattr(imp, "record_batch", real)
        raise KeyboardInterrupt  # anything that is not a database error: the process "dies"

    monkeypatch.setattr(imp, "record_batch", dies_once)
    with pytest.raises(KeyboardInterrupt):
        CommitEngine(db, batch_size=100).run(result)
    (crashed,) = list(db.imports.find({"next_position": 0}))
    summary = CommitEngine(db, batch_size=100).run(result, resume=crashed["_id"])
    assert counts(summary) == (150, 1, 49, 0)
    assert booking_count(db) == 200
    assert db.audit_log.count_documents({"import_id": crashed["_id"]}) == 1


def test_resume_refuses_an_import_of_another_file(db):
    first = CommitEngine(db).run(make_result(booking_rows(5)))
    other = make_result(booking_rows(5, start=100))
    with pytest.raises(imp.ResumeError, match="already completed"):
        CommitEngine(db).run(make_result(booking_rows(5)), resume=first.import_id)
    db.imports.update_one({"_id": first.import_id}, {"$set": {"status": "interrupted"}})
    with pytest.raises(imp.ResumeError, match="another file"):
        CommitEngine(db).run(other, resume=first.import_id)


def test_transaction_path_reaches_the_same_end_state(db, mongo_server):
    from booking_desktop.storage.client import supports_transactions

    if mongo_server.external and not supports_transactions(db.client):
        pytest.skip("a standalone MongoDB refuses transactions (nx-27017 accepts them)")
    result = make_result(booking_rows(230), {9: BAD_DATE})
    summary = CommitEngine(db, batch_size=100, use_transactions=True).run(result)
    assert counts(summary) == (229, 0, 0, 1)
    again = CommitEngine(db, batch_size=100, use_transactions=True).run(result)
    assert counts(again) == (0, 0, 229, 1)
    assert booking_count(db) == 229


def test_mixed_vendors_are_separate_bookings(db):
    a = booking_rows(3, vendor="acme")
    b = booking_rows(3, vendor="globex")
    import pandas as pd

    summary = CommitEngine(db).run(make_result(pd.concat([a, b], ignore_index=True), vendor=None))
    assert counts(summary) == (6, 0, 0, 0)
    assert db.imports.find_one()["vendor"] == "mixed"


def test_rejected_row_status_change_keeps_dates_and_is_audited(db):
    CommitEngine(db).run(make_result(booking_rows(3), {1: BAD_DATE}))
    row = db.rejected_rows.find_one()
    imp.set_rejected_status(db, row["_id"], "resolved", note="fixed at source")
    after = db.rejected_rows.find_one({"_id": row["_id"]})
    assert after["status"] == "resolved" and isinstance(after["updated_at"], datetime)
    assert isinstance(after["created_at"], datetime)
    entry = db.audit_log.find_one({"action": "rejected_row.status"})
    assert entry["before"] == {"status": "open"} and entry["after"] == {"status": "resolved"}
    with pytest.raises(ValueError, match="status must be one of"):
        imp.set_rejected_status(db, row["_id"], "gone")


def test_file_hash_is_computed_when_the_reader_gave_none(db, tmp_path):
    import hashlib

    path = tmp_path / "x.csv"
    path.write_bytes(b"some,bytes\n")
    result = make_result(booking_rows(2), path=path, sha256="")
    result.raw.source.sha256 = ""
    summary = CommitEngine(db).run(result)
    assert db.imports.find_one({"_id": summary.import_id})["file_sha256"] == hashlib.sha256(b"some,bytes\n").hexdigest()


def test_a_batch_of_mostly_new_bookings_with_a_few_existing_ones(db):
    """The probe misses the existing ones: the insert's duplicate-key errors route them to compare/update."""
    base = booking_rows(100)
    CommitEngine(db).run(make_result(base.iloc[[3, 7]].reset_index(drop=True)))
    text = base.copy()
    text.loc[7, "amount"] = "170.00"
    summary = CommitEngine(db, batch_size=100).run(make_result(text))
    assert counts(summary) == (98, 1, 1, 0)
    assert booking_count(db) == 100
    (entry,) = list(db.audit_log.find({"import_id": summary.import_id}))
    assert entry["target"]["booking_ref"] == "R0000008" and entry["after"]["amount"] == "170.00"


def test_a_file_changed_on_disk_after_reading_is_not_committed(db, tmp_path):
    from booking_desktop.readers import read_file
    from booking_desktop.storage.engine import StorageError

    path = tmp_path / "x.csv"
    path.write_bytes(b"some,bytes\n1,2\n")
    result = make_result(booking_rows(2), path=path, sha256="")
    result.raw.source = read_file(path).source  # as read: size and time recorded, not hashed yet
    path.write_bytes(b"other,bytes\n1,2,3\n")
    with pytest.raises(StorageError, match=r"x\.csv.*changed on disk"):
        CommitEngine(db).run(result)
    assert db.bookings.count_documents({}) == 0


def test_an_edit_in_place_with_the_same_size_and_time_is_noticed_and_nothing_is_written(db, tmp_path):
    """Noticed by content: a stat check once let this through, and the import recorded a sha256 of
    content it did not import."""
    import hashlib
    import os

    from booking_desktop.readers import read_file
    from booking_desktop.storage.engine import FileChangedError

    path = tmp_path / "x.csv"
    path.write_bytes(b"ref,n\nA1,1\n")
    before = path.stat()
    result = make_result(booking_rows(2), path=path, sha256="")
    result.raw.source = read_file(path).source
    path.write_bytes(b"ref,n\nA1,2\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(FileChangedError, match=r"x\.csv.*changed on disk"):
        CommitEngine(db).preview(result)
    with pytest.raises(FileChangedError):
        CommitEngine(db).run(result)
    assert db.bookings.count_documents({}) == 0 and db.imports.count_documents({}) == 0
    path.write_bytes(b"ref,n\nA1,1\n")  # back as it was read: the commit goes ahead, with the hash of what was read
    summary = CommitEngine(db).run(result)
    recorded = db.imports.find_one({"_id": summary.import_id})["file_sha256"]
    assert recorded == hashlib.sha256(b"ref,n\nA1,1\n").hexdigest()
