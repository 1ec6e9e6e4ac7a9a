"""Every trend metric, through the real commit engine and the rollup it maintains, against pandas over the
documents read back with a plain find() (tests/analytics/bookings_data.py)."""

from __future__ import annotations

import math
from datetime import date

import pytest
from bookings_data import edge_rows, expected

from booking_desktop.analytics import rollup
from booking_desktop.analytics.metrics import METRICS, TrendQuery, distribution, top, trend
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.testing import make_result


@pytest.fixture(scope="module")
def loaded(mongo_server):
    """One database with the edge-case bookings, committed in batches by the engine (read-only tests)."""
    client = mongo_server.client()
    db = client[f"analytics_trends_{id(client) % 100000}"]
    client.drop_database(db.name)
    ensure_indexes(db)
    CommitEngine(db, batch_size=37).run(make_result(edge_rows(150)))
    docs = list(db.bookings.find())
    yield db, docs
    client.drop_database(db.name)
    client.close()


def values(tr, metric):
    out = {}
    for s in tr.series:
        out[s.currency if metric in ("revenue", "adr") else None] = {p["period"]: p["value"] for p in s.points}
    return out


def same(got, want):
    assert set(got) == set(want)
    for k in want:
        assert list(got[k]) == list(want[k]), k  # the same periods, in order, none missing
        for p, v in want[k].items():
            g = got[k][p]
            if v is None or (isinstance(v, float) and math.isnan(v)):
                assert g is None, (k, p, g)
            else:
                assert g == pytest.approx(v, rel=1e-9, abs=1e-9), (k, p, g, v)


@pytest.mark.parametrize("rows_of", ["every-place", "trend-rows"])
@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_check_in_trends_equal_pandas_over_find(loaded, metric, by, rows_of):
    """Every place's rows with their counters, and the fewest rows a trend needs (summed over places, no
    counters unless lead time): the same numbers, pandas' numbers."""
    db, docs = loaded
    rollup.fold(db)  # the partitions are read (the deltas are too before a fold: every other test)
    q = TrendQuery(metric=metric, by=by)
    rows, source = rollup.rows_for(db, q) if rows_of == "every-place" else rollup.trend_rows(db, q)
    assert source == "rollup"
    summed = rows_of == "trend-rows"
    assert all((r["channel"], r["property"]) == (None, None) for r in rows) == summed  # the rows asked for
    assert any(r["lead"] for r in rows) == (not summed or metric == "lead_time")
    same(values(trend(rows, q), metric), expected(docs, metric, by))


@pytest.mark.parametrize("split", [None, "vendor", "currency", "channel"])
def test_rows_summed_over_places_answer_only_what_they_can(loaded, split):
    """A split or filter by channel or property needs every place's rows: ``summed`` is then ignored."""
    db, _docs = loaded
    q = TrendQuery(metric="revenue", by="week", split=split)
    full, _ = rollup.rows_for(db, q)
    summed, _ = rollup.rows_for(db, q, summed=True)
    assert trend(summed, q).as_dict() == trend(full, q).as_dict()
    assert (len(summed) < len(full)) == (split != "channel")


@pytest.mark.parametrize("tz", ["UTC", "Europe/Lisbon", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("metric", ["bookings", "revenue", "lead_time"])
@pytest.mark.parametrize("by", ["day", "week"])
def test_booked_at_trends_in_a_zone_equal_pandas(loaded, tz, metric, by):
    """booked_at days are local days of the zone across DST changes; a zone the rollup is not kept in is
    answered by an exact scan, and says so."""
    db, docs = loaded
    q = TrendQuery(metric=metric, by=by, date="booked_at", tz=tz)
    rows, source = rollup.rows_for(db, q)
    assert source == ("rollup" if tz == "UTC" else "bookings")
    same(values(trend(rows, q), metric), expected(docs, metric, by, "booked_at", tz))


def test_the_dst_and_midnight_bookings_land_on_their_local_days(loaded):
    db, _docs = loaded
    q = TrendQuery(metric="bookings", by="day", date="booked_at", tz="America/New_York")
    rows, _ = rollup.rows_for(db, q)
    got = {p["period"]: p["value"] for p in trend(rows, q).series[0].points}
    # 2021-01-01T04:59Z is 2020-12-31 in New York; 2021-03-14T06:59Z (EST) and 07:01Z (EDT) both 2021-03-14
    assert got["2020-12-31"] > 0 and got["2021-03-14"] > 0
    utc = TrendQuery(metric="bookings", by="day", date="booked_at")
    rows_utc, _ = rollup.rows_for(db, utc)
    got_utc = {p["period"]: p["value"] for p in trend(rows_utc, utc).series[0].points}
    assert sum(got.values()) == sum(got_utc.values())  # the same bookings, only on other days


def test_iso_week_53_and_an_empty_month_are_periods(loaded):
    db, _ = loaded
    q = TrendQuery(metric="bookings", by="week")
    weeks = [p["period"] for p in trend(rollup.rows_for(db, q)[0], q).series[0].points]
    assert "2020-W53" in weeks and "2021-W01" in weeks and "2020-W52" in weeks
    m = TrendQuery(metric="bookings", by="month")
    months = {p["period"]: p["value"] for p in trend(rollup.rows_for(db, m)[0], m).series[0].points}
    assert months["2021-02"] == 0  # no check-in in February: a zero, not a gap
    assert list(months) == ["2020-12", *[f"2021-{i:02d}" for i in range(1, 12)]]


def test_revenue_never_adds_currencies_and_jpy_has_no_minor_units(loaded):
    db, docs = loaded
    q = TrendQuery(metric="revenue", by="month")
    tr = trend(rollup.rows_for(db, q)[0], q)
    assert sorted(s.currency for s in tr.series) == ["EUR", "JPY", "USD"]
    jpy = next(s for s in tr.series if s.currency == "JPY")
    live = [d for d in docs if d["status"] != "cancelled" and d["currency"] == "JPY"]
    assert sum(p["minor"] for p in jpy.points) == sum(d["amount_minor"] for d in live)
    assert sum(p["value"] for p in jpy.points) == sum(d["amount_minor"] for d in live)  # exponent 0


def test_filters_and_range_select_the_same_bookings_as_pandas(loaded):
    db, docs = loaded
    q = TrendQuery(
        metric="bookings",
        by="day",
        channel="expedia",
        property="Hotel B",
        status="cancelled",
        start=date(2021, 1, 1),
        end=date(2021, 3, 31),
    )
    tr = trend(rollup.rows_for(db, q)[0], q)
    got = {p["period"]: p["value"] for p in tr.series[0].points}
    days = list(got)
    assert days[0] == "2021-01-01" and days[-1] == "2021-03-31" and len(got) == 90
    want = [
        d
        for d in docs
        if d["channel"] == "expedia"
        and d["property_name"] == "Hotel B"
        and d["status"] == "cancelled"
        and date(2021, 1, 1) <= d["check_in"].date() <= date(2021, 3, 31)
    ]
    assert sum(got.values()) == len(want)
    for d in want:
        assert got[d["check_in"].date().isoformat()] > 0


def test_split_by_vendor_channel_currency_gives_one_series_each(loaded):
    db, docs = loaded
    q = TrendQuery(metric="nights", by="month", split="channel")
    tr = trend(rollup.rows_for(db, q)[0], q)
    assert [s.key["channel"] for s in tr.series] == sorted({d["channel"] for d in docs})
    for s in tr.series:
        live = [d for d in docs if d["channel"] == s.key["channel"] and d["status"] != "cancelled"]
        want = sum(d["nights"] if d["nights"] is not None else (d["check_out"] - d["check_in"]).days for d in live)
        assert sum(p["value"] for p in s.points) == want


def test_cancellation_rate_is_cancelled_over_all(loaded):
    db, docs = loaded
    q = TrendQuery(metric="cancellations", by="month")
    (s,) = trend(rollup.rows_for(db, q)[0], q).series
    for p in s.points:
        month = [d for d in docs if d["check_in"].strftime("%Y-%m") == p["period"]]
        if not month:
            assert p["rate"] is None and p["value"] == 0
        else:
            assert p["rate"] == sum(d["status"] == "cancelled" for d in month) / len(month)


def test_lead_time_median_histogram_and_length_of_stay(loaded):
    import pandas as pd

    db, docs = loaded
    q = TrendQuery(metric="lead_time", by="month")
    rows, _ = rollup.rows_for(db, q)
    dist = distribution(rows, q, "lead")
    leads = pd.Series([(d["check_in"].date() - d["booked_at"].date()).days for d in docs if d["booked_at"]])
    assert (
        dist["count"] == len(leads) and dist["median"] == leads.median() and dist["mean"] == pytest.approx(leads.mean())
    )
    bins = {b["bin"]: b["count"] for b in dist["bins"]}
    assert bins["<0"] == int((leads < 0).sum()) and bins["1-7"] == int(leads.between(1, 7).sum())
    assert bins[">365"] == int((leads > 365).sum()) and sum(bins.values()) == len(leads)
    los = distribution(rows, q, "los")
    live = [d for d in docs if d["status"] != "cancelled"]
    stays = pd.Series([d["nights"] if d["nights"] is not None else (d["check_out"] - d["check_in"]).days for d in live])
    assert los["count"] == len(stays) and los["median"] == stays.median()
    assert {b["bin"]: b["count"] for b in los["bins"]}["8-14"] == int(stays.between(8, 14).sum())


def test_top_properties_and_room_types(loaded):
    db, docs = loaded
    q = TrendQuery()
    rows, _ = rollup.rows_for(db, q)
    for by, field in (("property", "property_name"), ("room_type", "room_type"), ("channel", "channel")):
        ranked = top(rows, q, by=by, n=2)
        counts = pd_counts(docs, field)
        assert [(r[by], r["bookings"]) for r in ranked] == counts[:2]


def pd_counts(docs, field):
    import pandas as pd

    s = pd.Series([d[field] for d in docs]).value_counts()
    return sorted(((k, int(v)) for k, v in s.items()), key=lambda kv: (-kv[1], kv[0]))


def test_missing_booked_at_counts_by_check_in_but_not_by_booked_at(loaded):
    db, docs = loaded
    missing = sum(d["booked_at"] is None for d in docs)
    assert missing > 0
    by_ci = TrendQuery(metric="bookings", by="month")
    by_ba = TrendQuery(metric="bookings", by="month", date="booked_at")
    total_ci = sum(p["value"] for p in trend(rollup.rows_for(db, by_ci)[0], by_ci).series[0].points)
    total_ba = sum(p["value"] for p in trend(rollup.rows_for(db, by_ba)[0], by_ba).series[0].points)
    assert (total_ci, total_ba) == (len(docs), len(docs) - missing)


@pytest.mark.parametrize(
    ("by", "start", "end"),
    [
        ("month", date(2021, 1, 15), date(2021, 3, 10)),
        ("week", date(2020, 12, 30), date(2021, 1, 5)),
        ("week", date(2020, 12, 28), date(2021, 1, 10)),
        ("month", date(2020, 12, 1), date(2021, 2, 28)),
    ],
)
def test_a_range_that_cuts_a_period_counts_only_its_days(loaded, by, start, end):
    """A range that starts or ends inside a week or month is answered from day rows, not whole periods."""
    import pandas as pd

    db, docs = loaded
    q = TrendQuery(metric="bookings", by=by, start=start, end=end)
    got = {p["period"]: p["value"] for p in trend(rollup.rows_for(db, q)[0], q).series[0].points}
    inside = [d for d in docs if start <= d["check_in"].date() <= end]
    days = pd.Series(pd.to_datetime([d["check_in"].date() for d in inside]))
    want = expected([*inside], "bookings", by)[None] if inside else {}
    assert sum(got.values()) == len(inside) == len(days)
    for p, v in want.items():
        assert got[p] == v
