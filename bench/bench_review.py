"""The review queue at size: list and first page of a 200,000-row queue, export of 100,000 rows.

    .venv/bin/python bench/bench_review.py [--rows 200000] [--export 100000] [--bulk 20000]
        [--server secantus|secantus-standalone|nx-27017 | --uri URI]

A fresh server (SecantusDB by default) gets ``--rows`` rejected rows as the engine writes them
(``imports.rejected_doc``: 100 imports of 2,000 rows, each batch with its own ``created_at``, two
vendors, one or two errors per row), then the queue's reads are timed: the first page (50 rows)
unfiltered and with each filter, a page deep in the queue (through page tokens), the total
count, counts by vendor x code (from the rows, then maintained: built, read, after a fix), one
row shown, the vendor's report of ``--export`` rows as
XLSX and CSV (with the peak memory each adds, Linux: VmHWM reset through /proc/self/clear_refs),
and a bulk fix of the ``--bulk`` oldest rows (plan, apply, undo).  Each answer is also checked
against a plain ``find()``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from booking_desktop.storage import imports as imp
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.review import ReviewFilter, ReviewQueue
from booking_desktop.storage.testing import running_test_server

PER_IMPORT = 2000
HEADERS = ["Ref", "Guest", "Arrive", "Leave", "Pax", "Total", "Cur"]


def fill(db, rows: int) -> datetime:
    t0 = datetime.now(UTC) - timedelta(days=30)
    n_imports = max(1, rows // PER_IMPORT)
    for k in range(n_imports):
        started = t0 + timedelta(hours=k)
        vendor = "HARBOUR" if k % 2 == 0 else "ALPINE"
        sha = f"{k:064x}"
        import_id = f"imp{k:05d}"
        db.imports.insert_one({"_id": import_id, "file_name": f"export_{k}.csv", "file_sha256": sha,
                               "vendor": vendor, "profile": None, "started_at": started, "status": "completed",
                               "counts": {"inserted": 0, "updated": 0, "unchanged": 0, "rejected": PER_IMPORT}})
        file = imp.FileFacts(f"export_{k}.csv", f"export_{k}.csv", sha, 1000, "csv")
        docs = []
        for r in range(1, PER_IMPORT + 1):
            record = r * 3
            raw = [{"column": h, "value": v} for h, v in zip(
                HEADERS, [f"R{k}-{record}", f"Guest {record}", "2024-05-02", "2024-05-01", str(record % 5),
                          "120.50", "EUR"])]
            errors = [{"field": "check_out", "code": "date_order", "value": "2024-05-01",
                       "message": "check_out 2024-05-01 is before check_in 2024-05-02"}]
            if record % 7 == 0:
                errors.append({"field": "adults", "code": "range", "value": "0", "message": "adults 0 is below 1"})
            mapped = {"vendor": vendor, "booking_ref": f"R{k}-{record}", "check_in": "2024-05-02",
                      "check_out": "2024-05-01", "adults": str(record % 5)}
            docs.append(imp.rejected_doc(import_id=import_id, vendor=vendor, file=file, record=record,
                                         location=f"line {record + 1}", raw=raw, mapped=mapped, errors=errors,
                                         now=started + timedelta(seconds=1)))
        db.rejected_rows.insert_many(docs, ordered=False)
    return t0


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"  {label:<58} {time.perf_counter() - t:7.3f} s")
    return out


def bulk(db, q: ReviewQueue, t0: datetime, rows: int) -> None:
    """A value map on the adults of the ``rows`` oldest rows (whole imports), then its undo."""
    from booking_desktop.storage.review_bulk import ValueMap, apply_bulk, plan_bulk, undo_bulk

    n_imp = max(1, rows // PER_IMPORT)
    flt = ReviewFilter(since=t0, until=t0 + timedelta(hours=n_imp))
    target = db.rejected_rows.count_documents({"import_id": {"$lt": f"imp{n_imp:05d}"}})
    op = ValueMap("adults", {"0": "1"})  # record % 5 == 0: a fifth of the rows
    expect = sum(1 for d in db.rejected_rows.find({"import_id": {"$lt": f"imp{n_imp:05d}"}, "mapped.adults": "0"}))
    reset_peak()
    before = rss_mb()
    plan = timed(f"bulk fix planned over {target:,} rows ({expect:,} change)", lambda: plan_bulk(q, op, flt=flt))
    assert (plan.matched, plan.changes) == (target, expect), (plan.matched, plan.changes, target, expect)
    out = timed("bulk fix applied", lambda: apply_bulk(q, op, flt=flt))
    assert len(out.changed) == expect and not out.conflicts
    assert db.rejected_rows.count_documents({"import_id": {"$lt": f"imp{n_imp:05d}"}, "mapped.adults": "0"}) == 0
    back = timed("bulk fix undone", lambda: undo_bulk(q, out.bulk_id))
    assert len(back.changed) == expect
    print(f"    peak memory of the three +{rss_mb('VmHWM') - before:.0f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--export", type=int, default=100_000)
    ap.add_argument("--bulk", type=int, default=20_000)
    ap.add_argument("--uri")
    ap.add_argument("--server", default="secantus", choices=["secantus", "secantus-standalone", "nx-27017"])
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-review-")
    with running_test_server(Path(tmp.name), args.uri, args.server) as (server, client):
        db = client["bench_review"]
        client.drop_database("bench_review")
        ensure_indexes(db)
        t = time.perf_counter()
        t0 = fill(db, args.rows)
        print(f"queue of {db.rejected_rows.count_documents({}):,} rows written in {time.perf_counter() - t:.1f} s "
              f"({server.name}; load average {os.getloadavg()[0]:.1f})")
        q = ReviewQueue(db)
        first = timed("first page (50 rows, open, oldest first)", lambda: q.page())
        expect = [d["_id"] for d in db.rejected_rows.find({"import_id": "imp00000"}).sort("record", 1).limit(50)]
        assert [r["id"] for r in first.rows] == expect, "first page is not the oldest rows"
        timed("first page, --vendor ALPINE", lambda: q.page(ReviewFilter(vendor="ALPINE")))
        rng = timed("first page, --code range", lambda: q.page(ReviewFilter(code="range")))
        assert all(any(e["code"] == "range" for e in r["errors"]) for r in rng.rows) and len(rng.rows) == 50
        timed("first page, --import (the last import)",
              lambda: q.page(ReviewFilter(import_id=f"imp{args.rows // PER_IMPORT - 1:05d}")))
        timed("first page, --status all", lambda: q.page(ReviewFilter(status="all")))

        def deep():
            token = None
            for _ in range(40):
                token = q.page(limit=50, after=token).next
            return token

        timed("page 41 (40 pages through tokens, 2,000 rows)", deep)
        total = timed("total (count of open rows)", lambda: q.count())
        assert total == args.rows
        by_rows = timed("counts by vendor x code, from every row", lambda: q.counts_from_rows())
        assert timed("counts, maintained: the first (builds the partitions)", lambda: q.counts()) == by_rows
        assert timed("counts, maintained", lambda: q.counts()) == by_rows
        some = db.rejected_rows.find_one({"import_id": "imp00003"})
        q.fix(some["_id"], {"adults": "2"})
        after_fix = timed("counts, maintained, after a fix (one import counted again)", lambda: q.counts())
        assert after_fix == q.counts_from_rows()
        assert timed("counts, maintained, then", lambda: q.counts()) == after_fix
        rid = first.rows[0]["id"]
        timed("show one row (with its history)", lambda: q.show(rid))
        from booking_desktop.review_export import export_report

        n_imp = max(1, args.export // PER_IMPORT)
        flt = ReviewFilter(since=t0, until=t0 + timedelta(hours=n_imp))  # the first n_imp imports
        rows_to_export = db.rejected_rows.count_documents({"import_id": {"$lt": f"imp{n_imp:05d}"}})
        for suffix in ("xlsx", "csv"):
            out = Path(tmp.name) / f"report.{suffix}"
            reset_peak()
            before = rss_mb()
            summary = timed(f"export {rows_to_export:,} rows as {suffix.upper()}",
                            lambda out=out: export_report(q, flt, out))
            assert summary["rows"] == rows_to_export, (summary["rows"], rows_to_export)
            print(f"    {out.stat().st_size / 1e6:.1f} MB; peak memory +{rss_mb('VmHWM') - before:.0f} MB")
        if args.bulk:
            bulk(db, q, t0, args.bulk)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
