"""Commit throughput vs a bare ``insert_many`` of the same documents, same server, same run.

    .venv/bin/python bench/bench_commit.py [--rows 100000] [--batch-size 1000] [--uri URI]

Without ``--uri`` a fresh nx-27017 (the local database) is started on a temporary
directory.  Reported: bare insert_many rate (documents built beforehand, only the
inserts timed), CommitEngine rate on an empty database (everything: mapping,
look-ups, inserts, import bookkeeping), their ratio (target >= 0.8), and the
re-import of the same rows (all unchanged).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import BookingMapper, SourceRef
from booking_desktop.storage.testing import booking_rows, make_result, start_test_server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--uri", help="use this server instead of a fresh nx-27017")
    ap.add_argument("--repeat", type=int, default=2, help="runs of each; the best is reported")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-commit-")
    if args.uri:
        import os

        os.environ["BOOKING_TEST_MONGODB_URI"] = args.uri
    server = start_test_server(Path(tmp.name))
    client = server.client()
    try:
        t0 = time.perf_counter()
        result = make_result(booking_rows(args.rows), path="bench.csv")
        print(f"built {args.rows:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
        docs = BookingMapper().to_documents(result.typed, list(range(1, args.rows + 1)), SourceRef("bare", "b", "s"))

        bare, commit, reimport = [], [], []
        for r in range(args.repeat):
            db = client[f"bench_bare_{r}"]
            client.drop_database(db.name)
            ensure_indexes(db)
            t0 = time.perf_counter()
            for i in range(0, len(docs), args.batch_size):
                db.bookings.insert_many(docs[i : i + args.batch_size], ordered=False)
            bare.append(time.perf_counter() - t0)
            client.drop_database(db.name)

            db = client[f"bench_engine_{r}"]
            client.drop_database(db.name)
            ensure_indexes(db)
            engine = CommitEngine(db, batch_size=args.batch_size)
            t0 = time.perf_counter()
            s = engine.run(result)
            commit.append(time.perf_counter() - t0)
            assert s.status == "completed" and s.inserted == args.rows, s
            t0 = time.perf_counter()
            s2 = engine.run(result)
            reimport.append(time.perf_counter() - t0)
            assert s2.unchanged == args.rows and s2.inserted == 0, s2
            client.drop_database(db.name)
            print(f"run {r + 1}: bare {bare[-1]:.2f} s, commit {commit[-1]:.2f} s, re-import {reimport[-1]:.2f} s",
                  flush=True)

        b, c, ri = min(bare), min(commit), min(reimport)
        n = args.rows
        print(f"\nrows: {n:,}, batch size {args.batch_size}, server: {'external' if args.uri else 'nx-27017 0.8.1'}")
        print(f"bare insert_many : {b:6.2f} s  {n / b:9,.0f} docs/s")
        print(f"CommitEngine     : {c:6.2f} s  {n / c:9,.0f} rows/s  ({b / c:.2f}x of bare; target >= 0.8)")
        print(f"re-import (same) : {ri:6.2f} s  {n / ri:9,.0f} rows/s  (all unchanged)")
    finally:
        client.close()
        if server.process is not None:
            server.process.stop()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
