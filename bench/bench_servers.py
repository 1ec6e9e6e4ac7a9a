"""The candidates for the built-in local database, measured side by side in one run.

    .venv/bin/python bench/bench_servers.py [--docs 20000] [--servers secantus nx-27017]

For each server: start-up time on an empty folder, ``insert_many`` throughput of booking
documents (batches of 1000, the app's two indexes), resident memory after the load, restart
time with the documents on disk, a ``$group`` by vendor x month over all documents (time and
whether the answer equals the one computed in Python), and SIGTERM stop time.  Correctness
of the whole battery is tests/storage/test_server_conformance.py (its GAPS table).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pymongo import MongoClient

from booking_desktop.storage.client import CLIENT_OPTIONS, ensure_indexes
from booking_desktop.storage.connection import detect_traits
from booking_desktop.storage.mapper import BookingMapper, SourceRef
from booking_desktop.storage.testing import booking_rows, make_result, server_process


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(kind: str, n: int, root: Path) -> dict[str, object]:
    proc = server_process(kind, root / "data", root)
    proc.die_with_parent = True
    t = time.perf_counter()
    proc.start()
    out: dict[str, object] = {"server": kind, "start_empty_s": time.perf_counter() - t}
    out["rss_empty_mb"] = rss_mb(proc.pid)
    client: MongoClient = MongoClient(proc.uri, **CLIENT_OPTIONS)
    traits = detect_traits(client)
    db = client.bench
    ensure_indexes(db)
    res = make_result(booking_rows(n))
    docs = BookingMapper(decimal128=traits.decimal128).to_documents(
        res.typed, list(range(1, n + 1)), SourceRef("bench", "bench.csv", "s")
    )
    for i, d in enumerate(docs):  # a few vendors and months, for the $group below
        d["vendor"] = f"v{i % 7}"
        d["check_in"] = datetime(2024, 1 + i % 12, 1 + i % 28, tzinfo=UTC)
    t = time.perf_counter()
    for i in range(0, n, 1000):
        db.bookings.insert_many(docs[i : i + 1000], ordered=False)
    out["insert_docs_per_s"] = n / (time.perf_counter() - t)
    out["rss_loaded_mb"] = rss_mb(proc.pid)
    expected = Counter((d["vendor"], d["check_in"].month) for d in docs)
    pipeline = [
        {"$group": {"_id": {"v": "$vendor", "m": {"$month": "$check_in"}}, "n": {"$sum": 1}}},
    ]
    t = time.perf_counter()
    try:
        got = {(g["_id"]["v"], g["_id"]["m"]): g["n"] for g in db.bookings.aggregate(pipeline)}
        out["group_right"] = got == dict(expected)
    except Exception as exc:  # noqa: BLE001 - a wrong or failing answer is the finding
        out["group_right"] = f"error: {type(exc).__name__}"
    out["group_s"] = time.perf_counter() - t
    client.close()
    t = time.perf_counter()
    proc.stop()
    out["stop_s"] = time.perf_counter() - t
    t = time.perf_counter()
    proc.start()
    out["restart_loaded_s"] = time.perf_counter() - t
    proc.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--servers", nargs="+", default=["secantus", "nx-27017"])
    args = ap.parse_args()
    rows = []
    for kind in args.servers:
        with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as tmp:
            rows.append(measure(kind, args.docs, Path(tmp)))
            print(rows[-1], flush=True)
    keys = [
        "start_empty_s",
        "rss_empty_mb",
        "insert_docs_per_s",
        "rss_loaded_mb",
        "group_s",
        "group_right",
        "stop_s",
        "restart_loaded_s",
    ]
    print(f"\n{args.docs:,} booking documents")
    print(f"{'':20}" + "".join(f"{r['server']:>18}" for r in rows))
    for k in keys:
        cells = []
        for r in rows:
            v = r[k]
            cells.append(f"{v:>18.2f}" if isinstance(v, float) else f"{v!s:>18}")
        print(f"{k:20}" + "".join(cells))
    if len(rows) == 2:
        a, b = rows
        ratio = float(a["insert_docs_per_s"]) / float(b["insert_docs_per_s"])  # type: ignore[arg-type]
        print(f"\ninsert throughput {a['server']} / {b['server']}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
