"""Analytics: chart query time at 100,000 and 1,000,000 bookings, time to the first chart, and the commit
throughput with the rollup maintained against without, on one server in one run.

    .venv/bin/python bench/bench_analytics.py [--sizes 100000,1000000] [--commit-rows 20000]
        [--server secantus|secantus-standalone|nx-27017 | --uri URI] [--repeat 5]

Charts: the rollup of N synthetic bookings (4 vendors x 5 properties each, 3 channels, 4 statuses, 4 room
types, one currency per property, check-ins over 2023-2024, lead times ~ exponential with a mean of 45
days) is computed with the same code the engine and ``report rebuild`` use (analytics.facts) and written as
partitions directly — inserting a million bookings through the engine would take the best part of an hour
here; what a chart reads is the same.  Each chart query (rows_for + trend, exactly what ``report trends``
runs: ``rollup.trend_rows``, summed over places and without counters where the query allows) is timed
``--repeat`` times, the sizes alternating query by query so that both see the same load, median reported,
at each size; the ratio largest/smallest is the figure the issue asks to stay <= 1.5x.  "First chart" is a
new client's connect + ping + the default chart.

Commit: ``--commit-rows`` rows of the same shape through the real CommitEngine, once with the rollup
maintained and once without (``maintain_rollup = False``), alternating per chunk so that both see the same
load and collection sizes; then the fold of the deltas that commit left.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd

from booking_desktop.analytics import facts, rollup
from booking_desktop.analytics.metrics import TrendQuery, trend
from booking_desktop.analytics.periods import zone
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.connection import detect_traits
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import CANONICAL_FIELDS
from booking_desktop.storage.testing import make_result, running_test_server

VENDORS = [f"vendor{v}" for v in range(4)]
PROPS = [(VENDORS[p // 5], f"Hotel {p:02d}", ("EUR", "USD", "GBP")[p % 3]) for p in range(20)]
CHANNELS = ["direct", "booking.com", "expedia"]
STATUSES = ["confirmed", "cancelled", "completed", "no_show"]
STATUS_P = [0.7, 0.15, 0.1, 0.05]
ROOMS = ["single", "double", "suite", "family"]
FIRST = date(2023, 1, 1)
DAYS = 731


def synthetic(n: int, seed: int = 1, start: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    prop = rng.integers(0, len(PROPS), n)
    ci = rng.integers(0, DAYS, n)
    lead_s = (rng.exponential(45, n) * 86400).astype(np.int64) + rng.integers(0, 86400, n)
    return {
        "i": np.arange(start, start + n),
        "prop": prop,
        "ci": ci,
        "lead_s": lead_s,
        "nights": rng.integers(1, 11, n),
        "channel": rng.integers(0, 3, n),
        "status": rng.choice(4, n, p=STATUS_P),
        "room": rng.integers(0, 4, n),
        "minor": rng.integers(5_000, 90_000, n),
    }


def documents(s: dict[str, np.ndarray]):
    base = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=UTC)
    for _i, p, ci, lead, nights, ch, st, room, minor in zip(*(s[k].tolist() for k in s)):
        vendor, prop, cur = PROPS[p]
        check_in = base + timedelta(days=ci)
        yield {
            "vendor": vendor,
            "channel": CHANNELS[ch],
            "property_name": prop,
            "room_type": ROOMS[room],
            "status": STATUSES[st],
            "currency": cur,
            "check_in": check_in,
            "check_out": check_in + timedelta(days=nights),
            "booked_at": check_in - timedelta(seconds=lead),
            "nights": nights,
            "amount_minor": minor,
        }


def text_rows(s: dict[str, np.ndarray]) -> pd.DataFrame:
    """The same bookings as canonical text rows (what mapping hands the engine)."""
    rows = []
    for d, i in zip(documents(s), s["i"].tolist()):
        rows.append(
            {
                "vendor": d["vendor"],
                "booking_ref": f"B{i:08d}",
                "status": d["status"],
                "customer_name": f"Guest {i}",
                "customer_email": f"g{i}@example.com",
                "customer_phone": "+441234567890",
                "property_name": d["property_name"],
                "room_type": d["room_type"],
                "channel": d["channel"],
                "check_in": d["check_in"].date().isoformat(),
                "check_out": d["check_out"].date().isoformat(),
                "nights": str(d["nights"]),
                "adults": "2",
                "children": "0",
                "amount": f"{d['amount_minor'] / 100:.2f}",
                "currency": d["currency"],
                "booked_at": d["booked_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "country": "GB",
            }
        )
    return pd.DataFrame(rows, columns=list(CANONICAL_FIELDS)).astype("str")


QUERIES = {
    "bookings by month (all)": TrendQuery(metric="bookings", by="month"),
    "revenue by week, split by channel": TrendQuery(metric="revenue", by="week", split="channel"),
    "cancellations by day, one vendor, Q1 2024": TrendQuery(
        metric="cancellations", by="day", vendor="vendor1", start=date(2024, 1, 1), end=date(2024, 3, 31)
    ),
    "lead time by month of booked_at": TrendQuery(metric="lead_time", by="month", date="booked_at"),
    "bookings by day (all, 2 years)": TrendQuery(metric="bookings", by="day"),
    "nights by day, one property, 2024": TrendQuery(
        metric="nights", by="day", vendor=VENDORS[0], property="Hotel 02",
        start=date(2024, 1, 1), end=date(2024, 12, 31),
    ),
}


def load_rollup(db, n: int) -> tuple[float, int]:
    t = time.perf_counter()
    acc: dict = {}
    step = 100_000
    for start in range(0, n, step):
        facts.accumulate(acc, documents(synthetic(min(step, n - start), seed=start + 1, start=start)), zone("UTC"))
    rows = facts.partition_rows(facts.nonzero(acc))
    db[rollup.PARTITIONS].delete_many({})
    db[rollup.META].replace_one({"_id": "rollup"}, {"_id": "rollup", "zone": "UTC", rollup.SUMMED_FLAG: True},
                                upsert=True)
    docs = [
        {"_id": rollup.partition_id(*k), **rollup._fields(k), **rollup.packed(v), "applied": [], "version": 1}
        for k, v in rollup.partitions_of(rows).items()
    ]
    for i in range(0, len(docs), 200):
        db[rollup.PARTITIONS].insert_many(docs[i : i + 200], ordered=False)
    return time.perf_counter() - t, len(rows)


def time_query(db, q) -> tuple[float, int]:
    t = time.perf_counter()
    rows, _src = rollup.trend_rows(db, q)
    trend(rows, q)
    return time.perf_counter() - t, len(rows)


def first_chart(server, db_name: str) -> float:
    t = time.perf_counter()
    client = server.client()
    try:
        client.admin.command("ping")
        q = QUERIES["bookings by month (all)"]
        rows, _ = rollup.trend_rows(client[db_name], q)
        trend(rows, q)
        return time.perf_counter() - t
    finally:
        client.close()


def bench_commit(client, rows: int, chunk: int) -> None:
    on, off = client.bench_rollup_on, client.bench_rollup_off
    for db in (on, off):
        client.drop_database(db.name)
        ensure_indexes(db)
    t_on, t_off = [], []
    for c in range(0, rows, chunk):
        n = min(chunk, rows - c)
        text = text_rows(synthetic(n, seed=10_000 + c, start=c))
        order = ((on, True), (off, False)) if (c // chunk) % 2 == 0 else ((off, False), (on, True))
        for db, maintain in order:
            res = make_result(text, path=f"bench-{c // chunk}.csv", vendor=None)
            engine = CommitEngine(db)
            engine.maintain_rollup = maintain
            t = time.perf_counter()
            s = engine.run(res)
            (t_on if maintain else t_off).append(time.perf_counter() - t)
            assert s.status == "completed" and s.inserted == n, s
    r_on, r_off = rows / sum(t_on), rows / sum(t_off)
    print(
        f"commit {rows:,} rows: without rollup {r_off:,.0f} rows/s, with rollup {r_on:,.0f} rows/s, "
        f"ratio {r_on / r_off:.3f}x (target >= 0.9x)",
        flush=True,
    )
    pending = on[rollup.DELTAS].count_documents({"folded": False})
    t = time.perf_counter()
    rollup.fold(on)
    print(f"fold of the {pending} deltas that commit left: {time.perf_counter() - t:.2f} s", flush=True)
    t = time.perf_counter()
    q = QUERIES["bookings by month (all)"]
    trend(rollup.trend_rows(on, q)[0], q)
    print(f"then the default chart: {time.perf_counter() - t:.3f} s", flush=True)
    maintained = {tuple(r.get(k) for k in facts.KEY): r["bookings"] for r in rollup.stored_rows(on)}
    rebuilt = {
        tuple(r.get(k) for k in facts.KEY): r["bookings"]
        for r in facts.partition_rows(rollup.rows_from_bookings(on, "UTC"))
    }
    print(f"maintained rollup == rebuilt from bookings: {maintained == rebuilt}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--commit-rows", type=int, default=20_000)
    ap.add_argument("--chunk", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--uri")
    ap.add_argument("--server", default="secantus", choices=["secantus", "secantus-standalone", "nx-27017"])
    ap.add_argument("--skip-commit", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-analytics-")
    with running_test_server(Path(tmp.name), args.uri, args.server) as (server, client):
        traits = detect_traits(client)
        print(
            f"server: {traits.description}; commits in transactions: {traits.commit_in_transactions}; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if not args.skip_commit:
            bench_commit(client, args.commit_rows, args.chunk)
        sizes = sorted(int(x) for x in args.sizes.split(","))
        dbs = {}
        for n in sizes:
            db = dbs[n] = client[f"bench_charts_{n}"]
            client.drop_database(db.name)
            ensure_indexes(db)
            secs, nrows = load_rollup(db, n)
            parts = db[rollup.PARTITIONS].count_documents({})
            print(
                f"{n:,} bookings: rollup computed and written in {secs:.1f} s ({nrows:,} rows, {parts:,} partitions)",
                flush=True,
            )
        # the sizes alternate query by query, so that both see the same load of this shared machine
        first = "first chart (new client + default chart)"
        times: dict[int, dict[str, list[float]]] = {n: {} for n in sizes}
        rows_read: dict[int, dict[str, int]] = {n: {} for n in sizes}
        for _ in range(args.repeat):
            for name, q in QUERIES.items():
                for n in sizes:
                    t, r = time_query(dbs[n], q)
                    times[n].setdefault(name, []).append(t)
                    rows_read[n][name] = r
            for n in sizes:
                times[n].setdefault(first, []).append(first_chart(server, dbs[n].name))
                rows_read[n][first] = 0
        results = {n: {k: (statistics.median(v), rows_read[n][k]) for k, v in times[n].items()} for n in sizes}
        for n in sizes:
            print(f"{n:,} bookings (median of {args.repeat}, sizes alternating):")
            for name, (t, r) in results[n].items():
                print(f"  {name}: {t * 1000:,.0f} ms ({r:,} rows read)", flush=True)
        if len(sizes) > 1:
            lo, hi = sizes[0], sizes[-1]
            print(f"ratio {hi:,} / {lo:,} bookings (time; rows read):")
            for name in results[lo]:
                rr = f"{results[hi][name][1] / results[lo][name][1]:.2f}x" if results[lo][name][1] else "-"
                print(f"  {name}: {results[hi][name][0] / results[lo][name][0]:.2f}x; {rr}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
