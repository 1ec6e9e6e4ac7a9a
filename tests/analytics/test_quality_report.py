"""The Data quality numbers (health.quality_report) against pandas over a plain find(): files with planted
defects through the real pipeline and CommitEngine, dated back so that the open rows fall into every
age bucket and the imports into several months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from quality_data import BUCKET_LABELS, codes_by_vendor, frames, open_by_age, plant, rates_by_month

from booking_desktop.analytics import health
from booking_desktop.analytics.periods import PeriodError, periods_between
from booking_desktop.storage.client import ensure_indexes


@pytest.fixture
def planted(mongo_db, tmp_path):
    ensure_indexes(mongo_db)
    now = datetime.now(UTC).replace(microsecond=0)
    ids = plant(mongo_db, tmp_path, now)
    return mongo_db, now, ids


def test_open_rows_by_age_equal_a_pandas_count(planted):
    db, now, _ids = planted
    rep = health.quality_report(db, now=now)
    want = open_by_age(db, now)
    got = {a["vendor"]: a["buckets"] for a in rep.ages}
    assert got == want
    assert list(rep.ages[0]["buckets"]) == BUCKET_LABELS  # every bucket, in order, zeros included
    # each HARBOUR file is in its own bucket: 40 days, 10 days, 2 days (one of its six rows resolved)
    assert got["HARBOUR"] == {"< 1 day": 0, "1–7 days": 5, "7–30 days": 6, "> 30 days": 6}
    assert got["LAGOON"]["< 1 day"] == 1
    _imports, rejected = frames(db)
    for a in rep.ages:
        assert a["open"] == int(((rejected["vendor"] == a["vendor"]) & (rejected["status"] == "open")).sum())
    assert rep.ages[0]["oldest_days"] == pytest.approx(40)


def test_bucket_edges_are_left_closed():
    assert health.age_bucket(0) == "< 1 day"
    assert health.age_bucket(0.999) == "< 1 day"
    assert health.age_bucket(1) == "1–7 days"
    assert health.age_bucket(7) == "7–30 days"
    assert health.age_bucket(30) == "> 30 days"
    assert health.age_bucket(-0.5) == "< 1 day"  # a clock a little ahead is not an error


def test_codes_per_vendor_and_period_equal_a_pandas_count(planted):
    db, now, ids = planted
    rep = health.quality_report(db, now=now)
    got = {(c["vendor"], c["code"]): (c["rows"], c["open"]) for c in rep.codes_in(None)}
    assert got == codes_by_vendor(db)
    assert ("LAGOON", "date_order") in got
    # one period: only the rows of the imports started in it
    newest = max(rep.periods)
    imports, _ = frames(db)
    in_period = imports[imports["started_at"].dt.strftime("%Y-%m") == newest]["_id"].tolist()
    got_newest = {(c["vendor"], c["code"]): (c["rows"], c["open"]) for c in rep.codes_in(newest)}
    assert got_newest == codes_by_vendor(db, in_period)
    assert ids["lagoon.csv"] in in_period
    # within a vendor, most rows first
    harbour = [c["rows"] for c in rep.codes_in(None) if c["vendor"] == "HARBOUR"]
    assert harbour == sorted(harbour, reverse=True)


def test_rejection_rates_per_month_and_every_month_between(planted):
    db, now, _ids = planted
    rep = health.quality_report(db, by="month", now=now)
    want = rates_by_month(db)
    assert {(r["vendor"], r["period"]): r["rejection_rate"] for r in rep.rows} == pytest.approx(want)
    first = (now - timedelta(days=40)).date()
    assert rep.periods == periods_between(first, now.date(), "month")
    for v in rep.vendors:
        rates = rep.rates(v)
        assert len(rates) == len(rep.periods)
        for p, rate in zip(rep.periods, rates, strict=True):
            assert rate == (pytest.approx(want[(v, p)]) if (v, p) in want else None)
    # the CLI's quality() is the same rows
    assert health.quality(db, now=now) == rep.rows


def test_weeks_are_iso_weeks_of_the_import_start(planted):
    db, now, _ids = planted
    rep = health.quality_report(db, by="week", now=now)
    imports, _ = frames(db)
    weeks = {f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in imports["started_at"]}
    assert {r["period"] for r in rep.rows} == weeks
    assert set(rep.periods) >= weeks and len(rep.periods) >= 6


def test_an_empty_database_and_a_bad_period(mongo_db):
    rep = health.quality_report(mongo_db)
    assert (rep.periods, rep.rows, rep.codes, rep.ages, rep.vendors) == ([], [], [], [], [])
    with pytest.raises(PeriodError):
        health.quality_report(mongo_db, by="year")


def test_alerts_of_read_records_equal_alerts_of_the_database(planted):
    db, now, _ids = planted
    docs = health.imports_of(db)
    for th in (health.Thresholds(), health.Thresholds(max_rejection_rate=0.9, silence_factor=1.0, min_imports=2)):
        assert health.alerts_of(docs, th, now) == health.alerts(db, th, now)
    assert health.history_of(docs) == health.import_history(db)
    assert health.last_files_of(docs, now) == health.last_files(db, now)
