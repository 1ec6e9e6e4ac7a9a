"""What the analytics learned about the servers (docs/STORAGE.md, "Server gaps")."""

from __future__ import annotations

import pytest


def docs_examined(db, flt):
    e = db.command("explain", {"find": "p", "filter": flt}, verbosity="executionStats")
    return e["executionStats"]["totalDocsExamined"]


def test_an_index_prefix_with_one_more_field_is_used(mongo_db, mongo_server, request):
    """{kind, grain, month $in, vendor} over an index on (kind, grain, month): SecantusDB scans the whole
    collection (1.2 s for 3 of 757 rollup partitions); the rollup fetches partitions by _id instead."""
    if mongo_server.kind == "secantus":
        request.applymarker(pytest.mark.xfail(strict=True, reason="SecantusDB 0.7: COLLSCAN (docs/STORAGE.md)"))
    if mongo_server.kind == "nx-27017":
        pytest.skip("nx-27017 has no explain")
    mongo_db.p.create_index([("kind", 1), ("grain", 1), ("month", 1)])
    docs = [
        {"_id": i, "kind": "a", "grain": "g", "month": f"2024-{i % 12 + 1:02d}", "vendor": f"v{i % 4}"}
        for i in range(240)
    ]
    mongo_db.p.insert_many(docs)
    flt = {"kind": "a", "grain": "g", "month": {"$in": ["2024-01", "2024-02"]}, "vendor": "v1"}
    assert len(list(mongo_db.p.find(flt))) == sum(
        d["month"] in ("2024-01", "2024-02") and d["vendor"] == "v1" for d in docs
    )
    assert docs_examined(mongo_db, flt) <= 40  # the 40 documents of those two months, not all 240


def test_replace_one_of_a_document_holding_a_binary(mongo_db, mongo_server, request):
    """nx-27017 answers WriteError 8 "Object of type bytes is not JSON serializable" (insert_one works);
    the rollup stores its rows as base64 text for that reason."""
    from bson.binary import Binary

    if mongo_server.kind == "nx-27017":
        request.applymarker(pytest.mark.xfail(strict=True, reason="nx-27017: replace_one with a binary fails"))
    mongo_db.b.insert_one({"_id": 1, "blob": Binary(b"\x00\x01")})
    mongo_db.b.replace_one({"_id": 1}, {"blob": Binary(b"\x02\x03"), "v": 2})
    assert bytes(mongo_db.b.find_one({"_id": 1})["blob"]) == b"\x02\x03"
