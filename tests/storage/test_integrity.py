"""Data integrity against a real server: what goes in comes back out unchanged, a hostile row
never stops an import, and a record is never both a booking and an open rejected row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from acme_files import write_acme, write_profile

from booking_desktop.pipeline import run_to_end
from booking_desktop.session import WorkSession
from booking_desktop.storage import imports as imp
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import STORED_FIELDS, BookingMapper

# keys a vendor's JSON may carry: "$"-prefixed, dotted, with a NUL byte; a NUL byte in a value
RECORDS = [
    {"Ref": "A1", "Guest": "Ana", "Arrive": "2024-05-01", "Leave": "2024-05-04", "Pax": 2, "Total": "300.00",
     "Cur": "EUR", "$note": "dollar key", "guest": {"vip": "yes"}, "a.b": "dotted", "nul\u0000key": "x"},
    {"Ref": "A2", "Guest": "Ben\u0000Null", "Arrive": "2024-05-02", "Leave": "2024-05-05", "Pax": 1,
     "Total": "120.50", "Cur": "EUR", "$note": "", "guest": {"vip": "no"}, "a.b": "", "nul\u0000key": "y"},
    {"Ref": "A3", "Guest": "Chloe", "Arrive": "2024-05-03", "Leave": "2024-05-01", "Pax": 2, "Total": "99.00",
     "Cur": "EUR", "$note": "$where", "guest": {"vip": "no"}, "a.b": "x.y", "nul\u0000key": "z\u0000z"},
]  # fmt: skip


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    return write_profile(tmp_path, "poison")


def _json_file(tmp_path: Path) -> Path:
    f = tmp_path / "poison.json"
    f.write_text(json.dumps(RECORDS), encoding="utf-8")
    return f


def _csv_file(tmp_path: Path) -> Path:
    # (a NUL byte makes a CSV binary: the reader refuses such a file with its own message)
    f = tmp_path / "poison.csv"
    header = "Ref,Guest,Arrive,Leave,Pax,Total,Cur,$note,a.b,$set.x\n"
    rows = [
        "A1,Ana,2024-05-01,2024-05-04,2,300.00,EUR,dollar key,dotted,x\n",
        "A2,Ben Null,2024-05-02,2024-05-05,1,120.50,EUR,,,y\n",
        "A3,Chloe,2024-05-03,2024-05-01,2,99.00,EUR,$where,x.y,{$gt: 1}\n",
    ]
    f.write_text(header + "".join(rows), encoding="utf-8")
    return f


@pytest.mark.parametrize("make_file", [_json_file, _csv_file], ids=["json", "csv"])
def test_rows_with_hostile_keys_and_nul_bytes_land_and_a_rerun_completes(mongo_db, tmp_path, profile, make_file):
    """A "$" key, a dotted key or a NUL byte once made the server refuse the batch, the import ended
    interrupted and every re-run failed the same way."""
    result = run_to_end(make_file(tmp_path), profile=profile)
    raw_headers = list(result.raw.frame.columns)
    assert any(h.startswith("$") for h in raw_headers) and any("." in h for h in raw_headers)
    summary = CommitEngine(mongo_db).run(result)
    assert summary.status == "completed", summary.error
    assert (summary.inserted, summary.rejected) == (2, 1)
    ben = mongo_db.bookings.find_one({"booking_ref": "A2"})
    assert ben["customer_name"] == result.text.at[1, "customer_name"]  # a NUL byte kept as the vendor sent it
    (row,) = list(mongo_db.rejected_rows.find())
    assert row["record"] == 3 and row["errors"][0]["code"] == "date_order"
    # the vendor's own cells, in the file's order, exactly as read (headers and values)
    assert [c["column"] for c in row["raw"]] == raw_headers
    assert imp.raw_as_dict(row["raw"]) == {
        str(k): (None if pd.isna(v) else str(v)) for k, v in result.raw.frame.iloc[2].items()
    }
    again = CommitEngine(mongo_db).run(result)
    assert again.status == "completed" and (again.unchanged, again.rejected, again.inserted) == (2, 1, 0)
    assert mongo_db.bookings.count_documents({}) == 2 and mongo_db.rejected_rows.count_documents({}) == 1


def test_committed_bookings_read_back_equal_to_what_was_written(mongo_db, tmp_path, profile):
    """Dates stay dates (UTC), money stays exact (whatever the server stores it as), missing stays missing."""
    csv = tmp_path / "exact.csv"
    csv.write_text(
        "Ref,Guest,Arrive,Leave,Pax,Total,Cur\n"
        "X1,Zoë Ångström,2024-02-28,2024-03-01,2,1234.50,EUR\n"
        "X2,O'Brien,2024-12-31,2025-01-02,1,0.10,USD\n"
        "X3,Nakamura,2024-03-30,2024-04-02,3,99999,JPY\n"
        "X4,Dinar,2024-06-01,2024-06-03,1,12.345,KWD\n",
        encoding="utf-8",
    )
    result = run_to_end(csv, profile=profile)
    assert not result.error_rows.any()
    CommitEngine(mongo_db).run(result)
    docs = list(mongo_db.bookings.find())
    back = BookingMapper().to_frame(docs).sort_values("booking_ref").reset_index(drop=True)
    expected = result.typed[list(STORED_FIELDS)].sort_values("booking_ref").reset_index(drop=True)
    pd.testing.assert_frame_equal(back[list(STORED_FIELDS)], expected, check_dtype=False)
    assert sorted(BookingMapper.from_document(d)["amount"] for d in docs) == ["0.10", "12.345", "1234.50", "99999"]


def test_rejected_rows_read_back_equal_to_what_was_written(mongo_db, tmp_path, profile):
    result = run_to_end(_json_file(tmp_path), profile=profile)
    CommitEngine(mongo_db).run(result)
    (row,) = list(mongo_db.rejected_rows.find())
    p = 2
    assert row["mapped"] == imp.row_dict(result.text, p)
    probs = imp.problems_by_row(result.problems.frame, np.asarray([p]))[p]
    assert row["errors"] == probs[0] and row["warnings"] == probs[1]
    assert row["location"] == result.raw.locations[p]


def test_text_that_is_not_valid_unicode_is_stored_reversibly():
    weird = ["ok", "lone \udcff surrogate", {"k": "\ud800"}, ["\udfff", None]]
    stored = imp.storable(weird)
    json.dumps(stored).encode("utf-8")  # encodable everywhere now
    assert imp.restored(stored) == weird


# -- a record is a booking or an open rejected row, never both -----------------------------

@pytest.fixture
def acme(tmp_path: Path) -> tuple[Path, Path]:
    return write_acme(tmp_path)


@pytest.mark.parametrize("fixed", ["check_out", "booking_ref"])
def test_a_record_fixed_and_committed_is_not_reopened_when_the_original_file_is_imported(mongo_db, acme, fixed):
    """The operator fixes record 2 in the app and commits; later the untouched file is imported with
    the CLI.  Record 2 is invalid again, but it is already a booking: it is queued as resolved
    ("already committed"), never as open -- also when the fix changed the booking reference."""
    f, p = acme
    session = WorkSession.from_result(run_to_end(f, profile=p))
    if fixed == "check_out":
        session.set_cell(1, "check_out", "2024-05-05")
    else:
        session.set_cells([(1, "check_out", "2024-05-05"), (1, "booking_ref", "A2-FIXED")], "fix")
    first = CommitEngine(mongo_db).run(session.committable())
    assert (first.inserted, first.rejected) == (3, 1)
    second = CommitEngine(mongo_db).run(run_to_end(f, profile=p))  # the original file, as the CLI reads it
    assert second.status == "completed" and (second.unchanged, second.rejected) == (2, 2)
    by_record = {d["record"]: d for d in mongo_db.rejected_rows.find()}
    assert sorted(by_record) == [2, 4]
    assert by_record[2]["status"] == "resolved" and by_record[2]["resolution"] == "already_committed"
    assert by_record[2]["resolved_by_import"] == first.import_id
    assert by_record[4]["status"] == "open"
    booking_ref = "A2" if fixed == "check_out" else "A2-FIXED"
    assert mongo_db.bookings.find_one({"booking_ref": booking_ref}) is not None
    third = CommitEngine(mongo_db).run(run_to_end(f, profile=p))  # and again: nothing changes, nothing reopens
    assert (third.unchanged, third.rejected) == (2, 2)
    assert mongo_db.rejected_rows.count_documents({"status": "open"}) == 1


def test_a_rejected_record_of_another_file_with_an_existing_booking_stays_open(mongo_db, acme, tmp_path):
    """Only the very record that was committed is resolved: another file's invalid version of a known
    booking (say, a modification with a bad date) still needs a supervisor."""
    f, p = acme
    CommitEngine(mongo_db).run(run_to_end(f, profile=p))
    later = tmp_path / "acme_later.csv"
    later.write_text("Ref,Guest,Arrive,Leave,Pax,Total,Cur\nA1,Ana Silva,2024-05-09,2024-05-01,2,310.00,EUR\n")
    summary = CommitEngine(mongo_db).run(run_to_end(later, profile=p))
    assert summary.rejected == 1
    row = mongo_db.rejected_rows.find_one({"file_name": "acme_later.csv"})
    assert row["status"] == "open"
