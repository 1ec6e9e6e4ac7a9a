"""BookingMapper: canonical typed rows <-> booking documents, exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from booking_desktop.storage.mapper import STORED_FIELDS, BookingMapper, SourceRef, booking_key, content_hashes
from booking_desktop.storage.testing import booking_rows, make_result

SRC = SourceRef("imp1", "f.csv", "abc")


def typed(n=5, **over):
    text = booking_rows(n)
    for k, v in over.items():
        text[k] = v
    return make_result(text).typed


def test_documents_round_trip_to_the_same_typed_frame():
    t = typed(4)
    t.loc[2, "customer_phone"] = pd.NA  # missing stays missing
    docs = BookingMapper().to_documents(t, [1, 2, 3, 4], SRC)
    assert docs[2]["customer_phone"] is None
    back = BookingMapper().to_frame(docs)
    pd.testing.assert_frame_equal(back[list(STORED_FIELDS)], t[list(STORED_FIELDS)], check_dtype=False)
    assert back["check_in"].dtype == "datetime64[ns]" and str(back["booked_at"].dtype) == "datetime64[ns, UTC]"


def test_document_values_are_plain_bson_types():
    (doc,) = BookingMapper().to_documents(typed(1), [7], SRC)
    assert type(doc["nights"]) is int and type(doc["amount_minor"]) is int
    assert doc["check_in"] == datetime(2024, 3, 2, tzinfo=UTC)
    assert doc["source"] == {"import_id": "imp1", "file_name": "f.csv", "file_sha256": "abc", "record": 7}
    assert doc["_id"] == booking_key("acme", "R0000001")


def test_content_hash_depends_on_values_only():
    t = typed(3)
    a = BookingMapper().to_documents(t, [1, 2, 3], SRC)
    b = BookingMapper().to_documents(t, [9, 8, 7], SourceRef("other", "g.csv", "def"))
    assert [d["content_hash"] for d in a] == [d["content_hash"] for d in b]
    assert len({d["content_hash"] for d in a}) == 3
    t2 = t.copy()
    t2.loc[1, "amount_minor"] = 10001
    assert content_hashes(t2)[1] != content_hashes(t)[1] and content_hashes(t2)[0] == content_hashes(t)[0]
    t3 = t.copy()
    t3.loc[0, "customer_email"] = pd.NA
    t4 = t.copy()
    t4.loc[0, "customer_email"] = ""
    assert content_hashes(t3)[0] != content_hashes(t4)[0]  # missing is not the empty string


def test_booking_key_is_unambiguous():
    assert booking_key("a|b", "c") != booking_key("a", "b|c")
    assert booking_key("acme", "R1") == booking_key("acme", "R1")


def test_changes_lists_only_changed_fields():
    m = BookingMapper()
    (old,) = m.to_documents(typed(1), [1], SRC)
    (new,) = m.to_documents(typed(1, room_type="suite"), [1], SRC)
    old_naive = {**old, "check_in": old["check_in"].replace(tzinfo=None)}  # as a server without tz_aware returns it
    assert m.changes(old_naive, new) == ({"room_type": "double"}, {"room_type": "suite"})
    repl = m.replacement(new, {**old, "created_import": "first"})
    assert repl["created_import"] == "first" and "_id" not in repl
