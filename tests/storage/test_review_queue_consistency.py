"""A record is a booking or an open rejected row, never both, and keeps its record number
whatever the operator did in the session (fixes, deleted rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from booking_desktop.pipeline import run_to_end
from booking_desktop.session import WorkSession
from booking_desktop.storage.engine import CommitEngine

PROFILE = """version: 1
name: acme
vendor: ACME
fields:
  booking_ref: {column: Ref}
  customer_name: {column: Guest}
  check_in: {column: Arrive}
  check_out: {column: Leave}
  adults: {column: Pax}
  amount: {column: Total}
  currency: {column: Cur}
  status: {constant: confirmed}
"""

CSV = """Ref,Guest,Arrive,Leave,Pax,Total,Cur
A1,Ana Silva,2024-05-01,2024-05-04,2,300.00,EUR
A2,Ben Okafor,2024-05-02,2024-05-01,1,120.50,EUR
A3,Chloe Diaz,2024-05-03,2024-05-05,2,99.00,EUR
A4,Dee Patel,2024-05-03,2024-05-06,0,80.00,EUR
"""


@pytest.fixture()
def session(tmp_path: Path) -> WorkSession:
    f = tmp_path / "acme.csv"
    f.write_text(CSV, encoding="utf-8")
    p = tmp_path / "acme.yaml"
    p.write_text(PROFILE, encoding="utf-8")
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
