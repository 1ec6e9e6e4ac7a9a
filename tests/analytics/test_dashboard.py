"""What the Analytics page reads for one choice (analytics/dashboard.py), against pandas over a plain
``find()``: every date kind and zone path (the rollup's fast path, a booked_at query, a zone other than
the rollup's), the filter choices, the exact tables and their CSV, the fold said before it runs."""

from __future__ import annotations

import csv
from decimal import Decimal

import pandas as pd
import pytest
from bookings_data import EXPONENT, edge_rows, expected, frame

from booking_desktop.analytics.dashboard import Table, describe, read_dashboard
from booking_desktop.analytics.metrics import TrendQuery
from booking_desktop.generators import drive
from booking_desktop.pipeline import Cancelled
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.testing import make_result


@pytest.fixture(scope="module")
def loaded(mongo_server):
    client = mongo_server.client()
    db = client[f"analytics_dashboard_{id(client) % 100000}"]
    client.drop_database(db.name)
    ensure_indexes(db)
    CommitEngine(db, batch_size=2).run(make_result(edge_rows(130, vendor="acme"), vendor="acme"))  # 65 deltas
    CommitEngine(db).run(make_result(edge_rows(40, seed=9, vendor="=zen", start=900), vendor="=zen"))
    docs = list(db.bookings.find())
    yield db, docs
    client.drop_database(db.name)
    client.close()


def run(db, q, metric=None):
    events: list = []
    dash = drive(read_dashboard(db, q, metric), events.append)
    return dash, events


def table_values(dash) -> dict:
    t = dash.trend_table()
    return {h: {row[0]: row[i] for row in t.rows} for i, h in enumerate(t.headers) if i}


def test_the_first_read_after_an_import_says_it_folds_then_every_count_matches(loaded):
    db, docs = loaded
    dash, events = run(db, TrendQuery())
    assert any("adding" in e and "batches of recent imports" in e for e in events if isinstance(e, str))
    want = expected(docs, "bookings", "month")[None]
    assert table_values(dash) == {"all": want} and dash.source == "rollup"
    assert dash.matched == len(docs)
    assert dash.choices["vendor"] == ["=zen", "acme"]
    assert dash.choices["currency"] == ["EUR", "JPY", "USD"]
    _, again = run(db, TrendQuery())
    assert not any("adding" in e for e in again if isinstance(e, str))


@pytest.mark.parametrize(
    ("date", "tz", "source"),
    [
        ("booked_at", "UTC", "rollup"),
        ("booked_at", "America/New_York", "bookings"),
        ("check_in", "Europe/Lisbon", "rollup"),
    ],
)
def test_each_date_kind_and_zone_path_matches_pandas(loaded, date, tz, source):
    db, docs = loaded
    dash, events = run(db, TrendQuery(by="week", date=date, tz=tz))
    assert dash.source == source
    assert table_values(dash) == {"all": expected(docs, "bookings", "week", date, tz)[None]}
    # lead time (check-in day - booked_at's day in the zone) counted in the same zone
    df = frame(docs)
    booked = pd.to_datetime(df["booked_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()
    lead = (df["ci"] - booked).dt.days.dropna()
    assert dash.lead["count"] == len(lead) and dash.lead["median"] == lead.median()
    assert dash.lead["mean"] == pytest.approx(lead.mean())
    if date == "check_in" and tz != "UTC":  # the page drew the rest while lead times were counted
        partial = [e for e in events if not isinstance(e, str)]
        assert len(partial) == 1 and partial[0].lead is None and partial[0].trend.periods == dash.trend.periods


def test_revenue_tables_are_exact_and_their_csv_too(loaded, tmp_path):
    db, docs = loaded
    q = TrendQuery(metric="revenue", split="vendor", status="confirmed")
    dash, _ = run(db, q)
    df = frame(docs)
    live = df[df["status"] == "confirmed"].copy()
    live["p"] = live["ci"].dt.strftime("%Y-%m")
    sums = live.groupby(["vendor", "currency", "p"])["amount_minor"].sum()
    got = table_values(dash)
    assert set(got) == {f"{v} {c}" for v, c, _ in sums.index}
    for (v, c, p), minor in sums.items():
        assert got[f"{v} {c}"][p] == Decimal(int(minor)).scaleb(-EXPONENT[c])
        assert isinstance(got[f"{v} {c}"][p], Decimal)
    path = tmp_path / "revenue.csv"
    dash.trend_table().write_csv(path)
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "Period" and all(h.startswith("'=zen") for h in rows[0][1:] if "zen" in h)
    header = [h.lstrip("'") for h in rows[0]]
    for row in rows[1:]:
        for h, cell in zip(header[1:], row[1:]):
            v, c = h.split(" ")
            assert Decimal(cell) == Decimal(int(sums.get((v, c, row[0]), 0))).scaleb(-EXPONENT[c])


def test_cancellation_rate_tops_and_an_empty_selection(loaded):
    db, docs = loaded
    dash, _ = run(db, TrendQuery(metric="cancellations", property="Hotel A"), "cancellation_rate")
    df = frame(docs)
    sel = df[df["property_name"] == "Hotel A"].copy()
    sel["p"] = sel["ci"].dt.strftime("%Y-%m")
    rate = sel.groupby("p")["cxl"].mean()
    for p, v in table_values(dash)["all"].items():
        assert v == (pytest.approx(rate[p]) if p in rate else None)
    top = dash.top_table("channel")
    counts = sel["channel"].value_counts()
    assert {r[0]: r[1] for r in top.rows} == counts.to_dict()
    q = TrendQuery(vendor="acme", start=pd.Timestamp("2030-01-01").date(), end=pd.Timestamp("2030-01-31").date())
    empty, _ = run(db, q)
    assert empty.matched == 0 and not empty.database_empty
    assert describe(q) == "vendor acme, check-in 2030-01-01 to 2030-01-31"


def test_a_cancelled_read_stops(loaded):
    db, _ = loaded
    with pytest.raises(Cancelled):
        drive(read_dashboard(db, TrendQuery(), cancelled=lambda: True))


def test_csv_cells_a_spreadsheet_would_run_are_text(tmp_path):
    path = tmp_path / "t.csv"
    Table("t", ["Property", "Bookings"], [["=HYPERLINK(1)", 3], ["-5 stars", 1], [None, 2.5]]).write_csv(path)
    want = ["Property,Bookings", "'=HYPERLINK(1),3", "'-5 stars,1", ",2.5"]
    assert path.read_text(encoding="utf-8").splitlines() == want


def test_histograms_and_tops_are_the_same_whatever_the_period(loaded):
    """By day and by week they are summed from the month rows (fewer); the numbers must not change."""
    db, docs = loaded
    by_month, _ = run(db, TrendQuery(channel="direct"))
    df = frame(docs)
    direct = df[df["channel"] == "direct"]
    for by in ("week", "day"):
        other, _ = run(db, TrendQuery(by=by, channel="direct"))
        assert (other.lead, other.los, other.tops, other.matched) == (
            by_month.lead,
            by_month.los,
            by_month.tops,
            by_month.matched,
        )
    assert by_month.matched == len(direct)
    tops = {t["property"]: t["bookings"] for t in by_month.tops["property"]}
    assert tops == direct["property_name"].value_counts().to_dict()
