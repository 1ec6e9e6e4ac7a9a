"""Where nx-27017 (the local database) differs from MongoDB, measured.

Each test asserts the local server's behaviour as found, so that a new
nx-27017 release that fixes (or changes) one shows up here; docs/STORAGE.md
lists them with the work-around the storage layer uses.  Against any other
server (SecantusDB, the default, or BOOKING_TEST_MONGODB_URI) they are skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pymongo.errors import PyMongoError


@pytest.fixture
def nx(mongo_server, mongo_db):
    if mongo_server.name != "nx-27017":  # SecantusDB (the default) and MongoDB have none of these gaps
        pytest.skip("documents nx-27017 behaviour (BOOKING_TEST_SERVER=nx-27017)")
    return mongo_db


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_gap_set_turns_datetimes_into_strings(nx):
    nx.t.insert_one({"_id": 1, "at": NOW})
    nx.t.update_one({"_id": 1}, {"$set": {"at": NOW, "nested.at": NOW}})
    doc = nx.t.find_one({"_id": 1})
    assert isinstance(doc["at"], str) and isinstance(doc["nested"]["at"], str)
    nx.t.replace_one({"_id": 1}, {"at": NOW})  # the work-around: write whole documents
    assert nx.t.find_one({"_id": 1})["at"] == NOW


def test_gap_push_of_a_document_stores_a_json_string(nx):
    nx.t.insert_one({"_id": 1, "l": []})
    nx.t.update_one({"_id": 1}, {"$push": {"l": {"a": 1}}})
    assert isinstance(nx.t.find_one({"_id": 1})["l"][0], str)


def test_gap_dotted_projection_returns_a_flat_key(nx):
    nx.t.insert_one({"_id": 1, "source": {"import_id": "x", "record": 3}})
    doc = nx.t.find_one({"_id": 1}, {"source.import_id": 1})
    assert "source.import_id" in doc and "source" not in doc


def test_gap_no_size_limit_no_validator_mutable_id(nx):
    # insert_one is refused by pymongo itself (DocumentTooLarge); a bulk insert reaches the server
    nx.t.insert_many([{"_id": "big", "x": "a" * 17_000_000}])  # MongoDB refuses > 16 MB
    assert nx.t.count_documents({"_id": "big"}) == 1
    nx.create_collection("v", validator={"$jsonSchema": {"required": ["a"]}})
    nx.v.insert_one({"b": 1})  # MongoDB: "Document failed validation"
    assert nx.v.count_documents({}) == 1
    nx.t.insert_one({"_id": "a"})
    nx.t.replace_one({"_id": "a"}, {"_id": "b"})  # MongoDB: ImmutableField
    assert nx.t.count_documents({"_id": "b"}) == 1


def test_gap_version_only_in_buildinfo(nx):
    client = nx.client
    assert client.server_info().get("version") is None
    assert client.admin.command("buildInfo")["version"] == "7.0.0"


def test_gap_group_by_document_id_and_date_match_in_aggregate(nx):
    nx.b.insert_many(
        [
            {"vendor": "a", "channel": "x", "at": datetime(2024, 1, 5, tzinfo=UTC)},
            {"vendor": "a", "channel": "y", "at": datetime(2024, 2, 5, tzinfo=UTC)},
            {"vendor": "b", "channel": "x", "at": datetime(2024, 3, 5, tzinfo=UTC)},
        ]
    )
    groups = list(nx.b.aggregate([{"$group": {"_id": {"v": "$vendor", "c": "$channel"}, "n": {"$sum": 1}}}]))
    assert len(groups) != 3  # MongoDB: 3 groups
    scalar = {g["_id"]: g["n"] for g in nx.b.aggregate([{"$group": {"_id": "$vendor", "n": {"$sum": 1}}}])}
    assert scalar == {"a": 2, "b": 1}  # scalar _id works
    rng = {"at": {"$gte": datetime(2024, 2, 1, tzinfo=UTC), "$lt": datetime(2024, 3, 1, tzinfo=UTC)}}
    assert nx.b.count_documents(rng) == 1  # find-side filter is right
    in_agg = list(nx.b.aggregate([{"$match": rng}]))
    assert len(in_agg) != 1  # MongoDB: 1


def test_gap_transactions_are_not_isolated(nx):
    client = nx.client
    nx.t.insert_one({"_id": "before"})
    with client.start_session() as s:
        s.start_transaction()
        nx.t.insert_one({"_id": "tx"}, session=s)
        seen_outside = nx.t.count_documents({"_id": "tx"})
        s.abort_transaction()
    assert seen_outside == 1  # MongoDB: 0 until commit
    assert nx.t.count_documents({"_id": "tx"}) == 0  # but the abort does roll back


def test_gap_no_authentication(nx, mongo_server):
    from pymongo import MongoClient

    host = mongo_server.uri.split("//")[1].split("/")[0]
    client = MongoClient(f"mongodb://u:p@{host}/", serverSelectionTimeoutMS=2000)
    with pytest.raises((KeyError, PyMongoError)):
        client.admin.command("ping")  # pymongo's SCRAM handshake fails with KeyError('payload')
    client.close()
