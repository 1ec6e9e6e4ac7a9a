"""A record is a booking or an open rejected row, never both, and keeps its record number
whatever the operator did in the session (fixes, deleted rows)."""

from __future__ import annotations

from pathlib import Path

import pytest
from acme_files import write_acme

from booking_desktop.pipeline import run_to_end
from booking_desktop.session import WorkSession
from booking_desktop.storage.engine import CommitEngine


@pytest.fixture()
def session(tmp_path: Path) -> WorkSession:
    f, p = write_acme(tmp_path)
    return WorkSession.from_result(run_to_end(f, profile=p))


def test_fixing_a_rejected_row_and_committing_again_resolves_it_in_the_review_queue(mongo_db, session):
    engine = CommitEngine(mongo_db)
    first = engine.run(session.committable())
    assert (first.inserted, first.rejected) == (2, 2)
    assert mongo_db.rejected_rows.count_documents({"status": "open"}) == 2

    session.set_cell(1, "check_out", "2024-05-05")  # the operator fixes record 2
    assert not session.result.error_rows[1]
    second = engine.run(session.committable())
    assert (second.inserted, second.unchanged, second.rejected) == (1, 2, 1)

    fixed = mongo_db.rejected_rows.find_one({"record": 2})
    assert fixed["status"] == "resolved"
    assert mongo_db.bookings.find_one({"booking_ref": "A2"}) is not None
    still_open = list(mongo_db.rejected_rows.find({"status": "open"}))
    assert [d["record"] for d in still_open] == [4]
    audit = mongo_db.audit_log.find_one({"action": "rejected_row.status", "target._id": fixed["_id"]})
    assert audit is not None and audit["after"] == {"status": "resolved"}


def test_deleted_rows_do_not_shift_record_numbers(mongo_db, session):
    session.delete_rows([0])  # record 1 stays in the session but is not committed
    summary = CommitEngine(mongo_db).run(session.committable())
    assert (summary.inserted, summary.rejected) == (1, 2)
    booking = mongo_db.bookings.find_one({"booking_ref": "A3"})
    assert booking["source"]["record"] == 3
    rejected = sorted(d["record"] for d in mongo_db.rejected_rows.find({}))
    assert rejected == [2, 4]
    assert mongo_db.rejected_rows.find_one({"record": 4})["location"] == "line 5"
    assert mongo_db.bookings.find_one({"booking_ref": "A1"}) is None
