"""What the app needs from a MongoDB server, asked of the server the suite runs on.

Every test states MongoDB's behaviour, with the answer computed independently in
Python.  A server known to differ is listed in :data:`GAPS`; its test is then
expected to fail (``xfail(strict=True)``), so a server release that fixes a gap
shows up as an unexpected pass, and a new gap as a failure.  docs/STORAGE.md
lists every gap with its test and what the app does about it.  Against a real
MongoDB (``BOOKING_TEST_MONGODB_URI``) nothing is expected to fail.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from bson.binary import Binary
from bson.decimal128 import Decimal128
from pymongo.errors import BulkWriteError, DocumentTooLarge, OperationFailure, PyMongoError, WriteError

# server kind -> behaviours it does not have (each is the name of a test below, without "test_")
GAPS: dict[str, dict[str, str]] = {
    "nx-27017": {
        "find_and_aggregate_agree_on_a_date_range": "$match on a date range inside aggregate returns wrong rows",
        "group_by_a_document_id": "$group with a document _id returns one group whose _id is the spec",
        "decimal128_is_stored_and_summed_exactly": "no Decimal128 (cannot even store one)",
        "binary_subtypes_come_back": "Binary subtypes 4 and 6 come back as plain bytes",
        "set_of_a_datetime_stores_a_date": "$set of a datetime stores a string",
        "push_of_a_document_stores_a_document": "$push of a document stores JSON text",
        "dotted_projection_returns_nested_fields": "a dotted projection returns a flat 'a.b' key",
        "documents_over_16mb_are_refused": "a 17 MB document is accepted",
        "collection_validators_are_enforced": "$jsonSchema validators are ignored",
        "id_is_immutable": "replace_one may change _id",
        "transactions_are_isolated": "uncommitted writes are visible outside the transaction",
        "write_conflict_is_a_transient_transaction_error": "no write conflicts",
        "server_info_has_the_version": "server_info()['version'] is None (buildInfo has it)",
        "authentication_handshake": "no authentication: SCRAM fails with KeyError('payload')",
        "a_journaled_write_does_not_slow_later_writes": "after one write with j: true every later write of the "
        "server is about 2.3x slower; the app sends it no journaled writes",
    },
    "secantus": {
        "in_lookup_cost_grows_linearly": "a $in of n keys costs O(n^2) (1,600 keys: 5 s, 10x sixteen $in of 100); "
        "the app looks keys up 100 at a time on SecantusDB",
    },
    "mongodb": {},
}

NEEDS_REPLICA_SET = "transactions and change streams need a replica set (the server is standalone)"


@pytest.fixture
def kind(mongo_server) -> str:
    return mongo_server.kind


@pytest.fixture(autouse=True)
def _known_gap(request, kind):
    name = request.node.originalname.removeprefix("test_")
    why = GAPS.get(kind, {}).get(name)
    if why:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{kind}: {why}"))


def _replica_set(db) -> bool:
    hello = db.client.admin.command("hello")
    return bool(hello.get("setName"))


BOOKINGS = [
    {"vendor": "a", "channel": "x", "at": datetime(2024, 1, 5, tzinfo=UTC), "n": 2},
    {"vendor": "a", "channel": "y", "at": datetime(2024, 1, 31, 23, 59, tzinfo=UTC), "n": 1},
    {"vendor": "a", "channel": "x", "at": datetime(2024, 2, 1, tzinfo=UTC), "n": 3},
    {"vendor": "b", "channel": "x", "at": datetime(2024, 2, 29, 12, tzinfo=UTC), "n": 4},
    {"vendor": "b", "channel": "y", "at": datetime(2024, 3, 5, tzinfo=UTC), "n": 5},
]


def _month(d: datetime) -> datetime:
    return datetime(d.year, d.month, 1, tzinfo=UTC)


def test_find_and_aggregate_agree_on_a_date_range(mongo_db):
    mongo_db.b.insert_many([dict(d) for d in BOOKINGS])
    lo, hi = datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    expected = sorted(d["n"] for d in BOOKINGS if lo <= d["at"] < hi)
    rng = {"at": {"$gte": lo, "$lt": hi}}
    assert sorted(d["n"] for d in mongo_db.b.find(rng)) == expected
    assert sorted(d["n"] for d in mongo_db.b.aggregate([{"$match": rng}])) == expected


def test_group_by_a_document_id(mongo_db):
    mongo_db.b.insert_many([dict(d) for d in BOOKINGS])
    expected = Counter()
    for d in BOOKINGS:
        expected[(d["vendor"], _month(d["at"]))] += d["n"]
    pipeline = [
        {
            "$group": {
                "_id": {"v": "$vendor", "m": {"$dateTrunc": {"date": "$at", "unit": "month"}}},
                "n": {"$sum": "$n"},
            }
        }
    ]
    got = {(g["_id"]["v"], g["_id"]["m"]): g["n"] for g in mongo_db.b.aggregate(pipeline)}
    assert got == dict(expected)


def test_facet_bucket_and_window_functions(mongo_db):
    mongo_db.b.insert_many([dict(d) for d in BOOKINGS])
    (facets,) = mongo_db.b.aggregate(
        [
            {
                "$facet": {
                    "by_channel": [{"$group": {"_id": "$channel", "n": {"$sum": 1}}}],
                    "buckets": [{"$bucket": {"groupBy": "$n", "boundaries": [0, 3, 10], "output": {"c": {"$sum": 1}}}}],
                }
            }
        ]
    )
    assert {g["_id"]: g["n"] for g in facets["by_channel"]} == dict(Counter(d["channel"] for d in BOOKINGS))
    assert {b["_id"]: b["c"] for b in facets["buckets"]} == {0: 2, 3: 3}
    running = [
        d["total"]
        for d in mongo_db.b.aggregate(
            [
                {
                    "$setWindowFields": {
                        "sortBy": {"at": 1},
                        "output": {"total": {"$sum": "$n", "window": {"documents": ["unbounded", "current"]}}},
                    }
                },
                {"$sort": {"at": 1}},
            ]
        )
    ]
    ns = [d["n"] for d in sorted(BOOKINGS, key=lambda d: d["at"])]
    assert running == [sum(ns[: i + 1]) for i in range(len(ns))]


def test_decimal128_is_stored_and_summed_exactly(mongo_db):
    amounts = ["0.10", "0.20", "1234.55", "99999999999999.99"]
    mongo_db.m.insert_many([{"a": Decimal128(a)} for a in amounts])
    assert sorted(str(d["a"]) for d in mongo_db.m.find()) == sorted(amounts)
    (total,) = mongo_db.m.aggregate([{"$group": {"_id": None, "s": {"$sum": "$a"}}}])
    from decimal import Decimal

    assert total["s"].to_decimal() == sum(Decimal(a) for a in amounts)


def test_binary_subtypes_come_back(mongo_db):
    uuid4 = Binary(b"\x01" * 16, 4)
    encrypted = Binary(b"\x02" * 40, 6)
    mongo_db.x.insert_one({"_id": 1, "u": uuid4, "e": encrypted})
    doc = mongo_db.x.find_one({"_id": 1})
    assert isinstance(doc["u"], Binary) and doc["u"].subtype == 4 and doc["u"] == uuid4
    assert isinstance(doc["e"], Binary) and doc["e"].subtype == 6 and doc["e"] == encrypted


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_set_of_a_datetime_stores_a_date(mongo_db):
    mongo_db.t.insert_one({"_id": 1})
    mongo_db.t.update_one({"_id": 1}, {"$set": {"at": NOW, "nested.at": NOW}})
    doc = mongo_db.t.find_one({"_id": 1})
    assert doc["at"] == NOW and doc["nested"]["at"] == NOW


def test_push_of_a_document_stores_a_document(mongo_db):
    mongo_db.t.insert_one({"_id": 1, "history": []})
    mongo_db.t.update_one({"_id": 1}, {"$push": {"history": {"by": "ana", "at": NOW}}})
    assert mongo_db.t.find_one({"_id": 1})["history"] == [{"by": "ana", "at": NOW}]


def test_dotted_projection_returns_nested_fields(mongo_db):
    mongo_db.t.insert_one({"_id": 1, "source": {"import_id": "x", "record": 3}})
    assert mongo_db.t.find_one({"_id": 1}, {"source.import_id": 1}) == {"_id": 1, "source": {"import_id": "x"}}


def test_duplicate_keys_are_reported_per_document_in_an_unordered_insert(mongo_db):
    mongo_db.t.create_index("k", unique=True)
    mongo_db.t.insert_one({"k": 2})
    with pytest.raises(BulkWriteError) as err:
        mongo_db.t.insert_many([{"k": 1}, {"k": 2}, {"k": 3}, {"k": 1}], ordered=False)
    errors = err.value.details["writeErrors"]
    assert sorted(e["index"] for e in errors) == [1, 3] and {e["code"] for e in errors} == {11000}
    assert sorted(d["k"] for d in mongo_db.t.find()) == [1, 2, 3]


def test_documents_over_16mb_are_refused(mongo_db):
    # insert_one is refused by pymongo itself (DocumentTooLarge); a bulk insert reaches the server
    with pytest.raises((PyMongoError, DocumentTooLarge)):
        mongo_db.t.insert_many([{"_id": "big", "x": "a" * 17_000_000}])
    assert mongo_db.t.count_documents({"_id": "big"}) == 0


def test_collection_validators_are_enforced(mongo_db):
    mongo_db.create_collection("v", validator={"$jsonSchema": {"required": ["a"]}})
    with pytest.raises(WriteError) as err:
        mongo_db.v.insert_one({"b": 1})
    assert err.value.code == 121
    assert mongo_db.v.count_documents({}) == 0


def test_id_is_immutable(mongo_db):
    mongo_db.t.insert_one({"_id": "a"})
    with pytest.raises(OperationFailure):
        mongo_db.t.replace_one({"_id": "a"}, {"_id": "b"})
    assert mongo_db.t.count_documents({"_id": "a"}) == 1


def test_transactions_are_isolated(mongo_db):
    if not _replica_set(mongo_db):
        pytest.skip(NEEDS_REPLICA_SET)
    mongo_db.t.insert_one({"_id": "before"})
    with mongo_db.client.start_session() as s:
        s.start_transaction()
        mongo_db.t.insert_one({"_id": "tx"}, session=s)
        seen_outside = mongo_db.t.count_documents({"_id": "tx"})
        s.abort_transaction()
    assert seen_outside == 0
    assert mongo_db.t.count_documents({"_id": "tx"}) == 0
    with mongo_db.client.start_session() as s, s.start_transaction():
        mongo_db.t.insert_one({"_id": "kept"}, session=s)
    assert mongo_db.t.count_documents({"_id": "kept"}) == 1


def test_write_conflict_is_a_transient_transaction_error(mongo_db):
    if not _replica_set(mongo_db):
        pytest.skip(NEEDS_REPLICA_SET)
    mongo_db.t.insert_one({"_id": 1, "v": 0})
    client = mongo_db.client
    with client.start_session() as s1, client.start_session() as s2:
        s1.start_transaction()
        s2.start_transaction()
        mongo_db.t.update_one({"_id": 1}, {"$set": {"v": 1}}, session=s1)
        with pytest.raises(OperationFailure) as err:
            mongo_db.t.update_one({"_id": 1}, {"$set": {"v": 2}}, session=s2)
        assert err.value.code == 112 and err.value.has_error_label("TransientTransactionError")
        s2.abort_transaction()
        s1.commit_transaction()
    assert mongo_db.t.find_one({"_id": 1})["v"] == 1


def test_change_streams_see_inserts(mongo_db):
    if not _replica_set(mongo_db):
        pytest.skip(NEEDS_REPLICA_SET)
    with mongo_db.t.watch(max_await_time_ms=500) as stream:
        mongo_db.t.insert_one({"_id": "seen"})
        change = None
        deadline = time.monotonic() + 30
        while change is None and time.monotonic() < deadline:
            change = stream.try_next()
    assert change is not None and change["operationType"] == "insert" and change["documentKey"] == {"_id": "seen"}


def test_server_info_has_the_version(mongo_db):
    assert mongo_db.client.server_info().get("version")


def test_authentication_handshake(mongo_server):
    """A user the server does not know is refused with code 18 (not a crash of the handshake)."""
    from pymongo import MongoClient

    host = mongo_server.uri.split("//")[1].split("/")[0]
    client = MongoClient(f"mongodb://nobody:wrong@{host}/?directConnection=true", serverSelectionTimeoutMS=3000)
    try:
        with pytest.raises(OperationFailure) as err:
            client.admin.command("ping")
        assert err.value.code == 18
    finally:
        client.close()


def test_dates_keep_milliseconds_and_come_back_in_utc(mongo_db):
    at = datetime(2024, 3, 31, 1, 59, 59, 123000, tzinfo=UTC)
    mongo_db.t.insert_one({"_id": 1, "at": at, "day": at - timedelta(days=366)})
    doc = mongo_db.t.find_one({"_id": 1})
    assert doc["at"] == at and doc["day"] == at - timedelta(days=366)


def test_in_lookup_cost_grows_linearly(mongo_db):
    """One ``$in`` of 1,600 keys against sixteen of 100 (same keys, same run): MongoDB's cost is linear.

    Linear, the single query is at most about as slow as the sixteen (it saves fifteen round trips);
    quadratic, it is about 16x slower less the per-key part (measured on SecantusDB 0.7.0b3: 10-11x).
    The bar, 3x, sits well away from both, so a loaded machine does not move the answer (at 800 keys
    and a bar of 4x the quadratic server measured 5x and passed once under load)."""
    mongo_db.k.insert_many([{"_id": f"{i:032x}", "v": i} for i in range(2400)])
    keys = [f"{i:032x}" for i in range(400, 2000)]

    def once() -> float:
        t = time.perf_counter()
        assert len(list(mongo_db.k.find({"_id": {"$in": keys}}, {"_id": 1}))) == 1600
        return time.perf_counter() - t

    def chunked() -> float:
        t = time.perf_counter()
        chunks = (keys[i : i + 100] for i in range(0, 1600, 100))
        n = sum(len(list(mongo_db.k.find({"_id": {"$in": chunk}}, {"_id": 1}))) for chunk in chunks)
        assert n == 1600
        return time.perf_counter() - t

    split = min(chunked() for _ in range(3))
    single = min(once() for _ in range(2))
    assert single < 3 * split + 0.05, f"one $in of 1,600: {single:.3f} s; sixteen of 100: {split:.3f} s"


def test_a_journaled_write_does_not_slow_later_writes(own_server):
    """The app journals an import's start and end; the server must not get slower for good after one.
    (A private server: on nx-27017 the slowdown lasts as long as the process.)"""
    from pymongo import WriteConcern

    with own_server.client() as client:
        db = client.journal

        def insert(k: int) -> float:
            docs = [{"_id": f"{k}-{i}", "v": "x" * 300} for i in range(3000)]
            t = time.perf_counter()
            for i in range(0, 3000, 1000):
                db.t.insert_many(docs[i : i + 1000])
            return time.perf_counter() - t

        before = min(insert(0), insert(1))
        db.get_collection("u", write_concern=WriteConcern(j=True)).insert_one({"a": 1})
        after = min(insert(2), insert(3))
    assert after < 1.6 * before + 0.05, f"before a journaled write {before:.2f} s, after {after:.2f} s"
