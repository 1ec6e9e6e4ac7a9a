"""Commit throughput vs a bare ``insert_many`` of the same documents, same server, same run.

    .venv/bin/python bench/bench_commit.py [--rows 100000] [--batch-size 2000]
        [--server secantus|secantus-standalone|nx-27017 | --uri URI]

Without ``--uri`` a fresh server of the given kind is started on a temporary directory
(SecantusDB, the local database, by default; ``secantus`` advertises a replica set, so the
engine takes its transaction path; ``secantus-standalone`` does not).  Reported: the bare
insert_many rate (documents built beforehand, only the inserts timed), the CommitEngine rate
(everything: mapping, look-ups, inserts, import bookkeeping), their ratio (target >= 0.8), and
the re-import of the same rows (all unchanged).  The two alternate chunk by chunk (10 imports of
10,000 rows by default) so that both see the same machine load and the same collection sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.connection import detect_traits
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.mapper import BookingMapper, SourceRef
from booking_desktop.storage.testing import booking_rows, make_result, running_test_server


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--uri", help="use this server instead of a fresh one")
    ap.add_argument("--server", default="secantus", choices=["secantus", "secantus-standalone", "nx-27017"])
    ap.add_argument(
        "--transactions", default="auto", choices=["auto", "always", "never"], help="the engine's transaction policy"
    )
    ap.add_argument("--chunk", type=int, default=10_000, help="rows per import; bare and engine alternate per chunk")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-commit-")
    import os

    os.environ["BOOKING_COMMIT_TRANSACTIONS"] = args.transactions
    with running_test_server(Path(tmp.name), args.uri, args.server) as (_server, client):
        traits = detect_traits(client)
        print(
            f"server: {traits.description}, decimal128: {traits.decimal128}, "
            f"commits in transactions: {traits.commit_in_transactions} (policy {args.transactions})"
        )
        t0 = time.perf_counter()
        chunks = []
        for c in range(0, args.rows, args.chunk):
            n = min(args.chunk, args.rows - c)
            res = make_result(booking_rows(n, start=c + 1), path=f"bench-{c // args.chunk}.csv")
            mapper = BookingMapper(decimal128=traits.decimal128)  # the same documents the engine writes
            docs = mapper.to_documents(res.typed, list(range(1, n + 1)), SourceRef("bare", "b", "s"))
            chunks.append((res, docs))
        print(f"built {args.rows:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)

        db_bare, db_engine = client.bench_bare, client.bench_engine
        for db in (db_bare, db_engine):
            client.drop_database(db.name)
            ensure_indexes(db)
        bare, commit = [], []

        def run_bare(docs):
            t = time.perf_counter()
            for i in range(0, len(docs), args.batch_size):
                db_bare.bookings.insert_many(docs[i : i + args.batch_size], ordered=False)
            bare.append(time.perf_counter() - t)

        def run_engine(res):
            t = time.perf_counter()
            s = CommitEngine(db_engine, batch_size=args.batch_size).run(res)
            commit.append(time.perf_counter() - t)
            assert s.status == "completed" and s.inserted == len(res.text), s

        # interleaved chunk by chunk (alternating which goes first) so both see the same load and collection size
        for k, (res, docs) in enumerate(chunks):
            if k % 2 == 0:
                run_bare(docs)
                run_engine(res)
            else:
                run_engine(res)
                run_bare(docs)
            print(
                f"chunk {k + 1}/{len(chunks)}: bare {bare[-1]:.2f} s, commit {commit[-1]:.2f} s "
                f"({bare[-1] / commit[-1]:.2f}x)",
                flush=True,
            )
        t0 = time.perf_counter()
        for res, _ in chunks:
            s = CommitEngine(db_engine, batch_size=args.batch_size).run(res)
            assert s.unchanged == len(res.text) and s.inserted == 0, s
        reimport = time.perf_counter() - t0
        assert db_engine.bookings.count_documents({}) == args.rows

        b, c, n = sum(bare), sum(commit), args.rows
        ratios = sorted(x / y for x, y in zip(bare, commit))
        print(
            f"\nrows: {n:,} in {len(chunks)} imports of {args.chunk:,}, batch size {args.batch_size}, "
            f"server: {'external' if args.uri else args.server}"
        )
        print(f"bare insert_many : {b:6.2f} s  {n / b:9,.0f} docs/s")
        print(
            f"CommitEngine     : {c:6.2f} s  {n / c:9,.0f} rows/s  ({b / c:.2f}x of bare; target >= 0.8; "
            f"per-chunk median {ratios[len(ratios) // 2]:.2f}x)"
        )
        print(f"re-import (same) : {reimport:6.2f} s  {n / reimport:9,.0f} rows/s  (all unchanged)")
        for db in (db_bare, db_engine):
            client.drop_database(db.name)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
