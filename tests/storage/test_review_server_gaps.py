"""What the review queue needs from the server, asked of the server the suite runs on (the pattern
of test_server_conformance.py: a known gap is a strict xfail, so a release that fixes it shows up).
docs/STORAGE.md lists each gap and what storage/review.py does about it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

GAPS: dict[str, dict[str, str]] = {
    "secantus": {
        "distinct_of_a_field_in_an_array_of_documents": "distinct('errors.code') returns []",
        "a_condition_outside_the_index_still_uses_the_index": "a query with one field its index does not hold "
        "scans the whole collection",
        "a_hint_keeps_the_index_bounds": "a hinted query scans the whole index",
        "a_limit_stops_the_scan": "every matching document is read before the limit applies",
    },
    "nx-27017": {"distinct_of_a_field_in_an_array_of_documents": "distinct('errors.code') returns []"},
    "mongodb": {},
}
N = 6000


@pytest.fixture(autouse=True)
def _known_gap(request, mongo_server):
    why = GAPS.get(mongo_server.kind, {}).get(request.node.originalname.removeprefix("test_"))
    if why:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{mongo_server.kind}: {why}"))


@pytest.fixture()
def rows(mongo_db):
    at = datetime(2024, 1, 1, tzinfo=UTC)
    mongo_db.q.insert_many(
        [
            {"_id": i, "status": "open" if i % 4 else "discarded", "vendor": f"v{i % 3}",
             "created_at": at + timedelta(seconds=i // 100), "errors": [{"code": f"c{i % 5}", "field": "f"}]}
            for i in range(N)
        ]
    )
    mongo_db.q.create_index([("status", 1), ("created_at", 1)], name="sc")
    return mongo_db.q, at


def _best(fn, n: int = 3) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out)


def test_distinct_of_a_field_in_an_array_of_documents(rows):
    coll, _ = rows
    assert sorted(coll.distinct("errors.code")) == [f"c{k}" for k in range(5)]


def _plan_stages(plan: dict) -> list[str]:
    out = []
    while plan:
        out.append(plan.get("stage"))
        plan = plan.get("inputStage") or {}
    return out


def test_a_condition_outside_the_index_still_uses_the_index(rows):
    coll, at = rows
    q = {"status": "open", "vendor": "v1", "created_at": {"$gte": at, "$lt": at + timedelta(seconds=2)}}
    expected = [i for i in range(200) if i % 4 and i % 3 == 1]
    assert sorted(d["_id"] for d in coll.find(q)) == expected
    explained = coll.find(q).explain()
    plan = explained.get("queryPlanner", {}).get("winningPlan") if isinstance(explained, dict) else None
    if not isinstance(plan, dict):
        pytest.skip("the server does not explain its plans")
    assert "COLLSCAN" not in _plan_stages(plan), plan


def test_a_hint_keeps_the_index_bounds(rows):
    """The same narrow range with and without a hint of the index it uses: about the same cost."""
    coll, at = rows
    q = {"status": "open", "created_at": {"$gte": at, "$lt": at + timedelta(seconds=1)}}
    assert len(list(coll.find(q).hint("sc"))) == len(list(coll.find(q))) == 75
    plain = _best(lambda: list(coll.find(q)))
    hinted = _best(lambda: list(coll.find(q).hint("sc")))
    assert hinted < 5 * plain + 0.03, f"hinted {hinted:.3f} s, plain {plain:.3f} s"


def test_a_limit_stops_the_scan(rows):
    """Ten documents of 4,500 matches against all of them: a limit should cost a small part."""
    coll, _ = rows
    q = {"status": "open"}
    assert len(list(coll.find(q).limit(10))) == 10
    whole = _best(lambda: list(coll.find(q)))
    ten = _best(lambda: list(coll.find(q).limit(10)))
    assert ten < 0.2 * whole + 0.01, f"limit 10: {ten:.3f} s, all {N * 3 // 4}: {whole:.3f} s"
