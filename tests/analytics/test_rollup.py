"""The rollup the commit engine maintains equals the one rebuilt from ``bookings``, whatever happened on
the way: updates, cancellations, re-imports, a batch replayed after a crash (before or after its delta
was written), a resume with another batch size, an interrupted fold; with and without transactions."""

from __future__ import annotations

import pytest
from bookings_data import edge_rows

from booking_desktop.analytics import facts, rollup
from booking_desktop.storage import imports as imp
from booking_desktop.storage.client import ensure_indexes, supports_transactions
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.testing import make_result


@pytest.fixture(params=["no-transactions", "transactions"])
def tx(request, mongo_db, mongo_server):
    if request.param == "transactions" and not supports_transactions(mongo_db.client):
        pytest.skip("the server has no transactions")
    return request.param == "transactions"


@pytest.fixture
def db(mongo_db):
    ensure_indexes(mongo_db)
    return mongo_db


def canon(rows):
    out = {}
    for r in rows:
        key = tuple(r.get(k) for k in ("kind", "grain", "day", "vendor", "channel", "property", "status", "currency"))
        assert key not in out, key
        out[key] = (
            r["bookings"],
            r["cancelled"],
            r["nights"],
            r["revenue_minor"],
            r["lead"],
            r["los"],
            r["room_types"],
        )
    return out


def assert_rollup_is_exact(db):
    fresh = canon(facts.partition_rows(rollup.rows_from_bookings(db, rollup.rollup_zone(db))))
    assert canon(rollup.stored_rows(db)) == fresh  # pending deltas added to the partitions at read time
    rollup.fold(db)
    assert db[rollup.DELTAS].count_documents({"folded": False}) == 0
    assert canon(rollup.stored_rows(db)) == fresh  # the same, folded
    for grain in ("day", "week", "month", "day+", "week+", "month+"):
        total = sum(v[0] for k, v in fresh.items() if k[:2] == ("check_in", grain))
        assert total == db.bookings.count_documents({})
    rollup.rebuild(db)
    assert canon(rollup.stored_rows(db)) == fresh
    return fresh


def engine(db, tx, **kw):
    return CommitEngine(db, use_transactions=tx, **kw)


def test_inserts_updates_cancellations_and_reimports_keep_the_rollup_exact(db, tx):
    text = edge_rows(90)
    engine(db, tx, batch_size=25).run(make_result(text))
    assert_rollup_is_exact(db)
    changed = text.copy()
    changed.loc[3, "status"] = "cancelled"
    changed.loc[4, "amount"] = "999.99"
    changed.loc[5, "check_in"] = "2021-02-14"  # moves to the month that had nothing
    changed.loc[5, "check_out"] = "2021-02-16"
    changed.loc[5, "nights"] = "2"
    changed.loc[6, "currency"] = "EUR"
    changed.loc[6, "amount"] = "10.00"
    s = engine(db, tx, batch_size=25).run(make_result(changed))
    assert (s.inserted, s.updated) == (0, 4)
    fresh = assert_rollup_is_exact(db)
    assert any(k[2].startswith("2021-02") for k in fresh)
    again = engine(db, tx, batch_size=40).run(make_result(changed))  # unchanged: the rollup does not move
    assert again.unchanged == 90
    assert_rollup_is_exact(db)
    assert db[rollup.DELTAS].count_documents({}) == 0  # folded and then rebuilt: nothing pending


def test_a_batch_replayed_after_dying_before_its_delta_counts_once(db, monkeypatch):
    """Without transactions: the bookings of a batch are written, the process dies before its delta."""
    base = edge_rows(120)
    engine(db, False).run(make_result(base.iloc[:30]))
    text = base.copy()
    text.loc[10, "amount"] = "101.00"  # an existing booking changes in the batch that dies
    text.loc[12, "status"] = "cancelled"
    real = rollup.record_batch
    calls = {"n": 0}

    def dies_on_the_first(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt
        return real(*a, **kw)

    monkeypatch.setattr(rollup, "record_batch", dies_on_the_first)
    result = make_result(text)
    with pytest.raises(KeyboardInterrupt):
        engine(db, False, batch_size=50).run(result)
    (crashed,) = list(db.imports.find({"next_position": 0}))
    assert db.bookings.count_documents({}) == 50  # the first batch's bookings are there, its delta is not
    s = engine(db, False, batch_size=50).run(result, resume=crashed["_id"])
    assert (s.inserted, s.updated, s.unchanged) == (90, 2, 28)
    assert_rollup_is_exact(db)


@pytest.mark.parametrize("new_batch", [50, 35])
def test_a_batch_replayed_after_its_delta_was_written_counts_once(db, tx, monkeypatch, new_batch):
    """The process dies after the batch and its delta, before the bookmark; the resume may batch anew."""
    base = edge_rows(120)
    engine(db, tx).run(make_result(base.iloc[:30]))
    text = base.copy()
    text.loc[10, "amount"] = "101.00"
    result = make_result(text)
    real = imp.record_batch

    def dies_once(*a, **kw):
        monkeypatch.setattr(imp, "record_batch", real)
        raise KeyboardInterrupt

    monkeypatch.setattr(imp, "record_batch", dies_once)
    with pytest.raises(KeyboardInterrupt):
        engine(db, tx, batch_size=50).run(result)
    (crashed,) = list(db.imports.find({"next_position": 0}))
    s = engine(db, tx, batch_size=new_batch).run(result, resume=crashed["_id"])
    assert (s.inserted, s.updated, s.unchanged) == (90, 1, 29)
    assert_rollup_is_exact(db)


def test_a_fold_interrupted_half_way_never_applies_a_delta_twice(db, monkeypatch):
    engine(db, False, batch_size=30).run(make_result(edge_rows(100)))
    real = rollup._apply
    calls = {"n": 0}

    def dies_after_three(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*a, **kw)

    monkeypatch.setattr(rollup, "_apply", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        rollup.fold(db)
    monkeypatch.setattr(rollup, "_apply", real)
    assert db[rollup.DELTAS].count_documents({"folded": False}) == 4  # none marked: all are folded again
    assert_rollup_is_exact(db)


def test_a_rollup_rebuilt_in_another_zone_answers_that_zone_from_the_rollup(db):
    from booking_desktop.analytics.metrics import TrendQuery

    engine(db, False).run(make_result(edge_rows(60)))
    rollup.rebuild(db, "America/New_York")
    q = TrendQuery(metric="bookings", by="day", date="booked_at", tz="America/New_York")
    rows, source = rollup.rows_for(db, q)
    assert source == "rollup"
    scanned = rollup.rows_from_bookings(db, "America/New_York")
    assert canon(rows) == canon(r for r in scanned if r["kind"] == "booked_at")
    more = edge_rows(40, seed=3, start=500)
    engine(db, False).run(make_result(more))  # new batches are rolled up in the rollup's zone
    assert_rollup_is_exact(db)


def test_vendor_text_with_dots_dollars_and_quotes_survives_the_rollup(db):
    """Names are data: a room type or property with dots, a leading $ or quotes is kept as sent."""
    text = edge_rows(20, vendor="$acme.eu")
    text.loc[:9, "room_type"] = "$suite.deluxe"
    text.loc[:4, "property_name"] = 'Hotel "A.1"'
    engine(db, False).run(make_result(text, vendor="$acme.eu"))
    fresh = assert_rollup_is_exact(db)
    assert {k[3] for k in fresh} == {"$acme.eu"}
    rows = rollup.stored_rows(db, "check_in", grain="month")
    assert sum(r["room_types"].get("$suite.deluxe", 0) for r in rows) == 10
    assert sum(r["bookings"] for r in rows if r["property"] == 'Hotel "A.1"') == 5


def test_a_rollup_begun_before_the_summed_rows_is_read_per_place_until_rebuilt(db):
    """Partitions folded by a version that kept no rows summed over places lack them: a trend must not read
    those (it would count nothing); it reads every place's rows until ``report rebuild``."""
    from booking_desktop.analytics.metrics import TrendQuery, trend

    CommitEngine(db, batch_size=40).run(make_result(edge_rows(80)))
    rollup.fold(db)
    q = TrendQuery(metric="bookings", by="day")
    want = trend(rollup.rows_for(db, q)[0], q).as_dict()
    db[rollup.PARTITIONS].delete_many({"grain": {"$in": ["day+", "week+", "month+"]}})  # as an older version left it
    db[rollup.META].replace_one({"_id": "rollup"}, {"_id": "rollup", "zone": "UTC"}, upsert=True)
    assert not rollup.has_summed(db)
    assert trend(rollup.rows_for(db, q, summed=True)[0], q).as_dict() == want
    rollup.rebuild(db)
    assert rollup.has_summed(db)
    rows, _ = rollup.rows_for(db, q, summed=True)
    assert all(r["property"] is None for r in rows) and trend(rows, q).as_dict() == want
