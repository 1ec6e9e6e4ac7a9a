"""The Data quality and Imports pages' reads at size: ``health.quality_report`` and ``health.imports_of``.

    .venv/bin/python bench/bench_quality.py [--rows 20000 100000] [--server NAME | --uri URI]

For each size, a fresh database gets that many rejected rows as the engine writes them (bench_review.fill:
imports of 2,000 rows each, two vendors, one or two error codes a row), a tenth of them resolved
(the rows of the first tenth of the imports); then the
pages' reads are timed (the worker's whole read, what the page waits for) and checked against pandas over
a plain find().
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from bench_review import fill

from booking_desktop.analytics import health
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.testing import running_test_server


def timed(label: str, fn, repeat: int = 3):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"  {label:<50} {best:7.3f} s (best of {repeat})")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--uri")
    ap.add_argument("--server", default="secantus", choices=["secantus", "secantus-standalone", "nx-27017"])
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="bench-quality-")
    with running_test_server(Path(tmp.name), args.uri, args.server) as (server, client):
        for rows in args.rows:
            name = f"bench_quality_{rows}"
            client.drop_database(name)
            db = client[name]
            ensure_indexes(db)
            t = time.perf_counter()
            fill(db, rows)
            for d in list(db.imports.find({}, {"_id": 1}).sort("_id", 1))[: max(1, rows // 20_000)]:
                db.rejected_rows.update_many({"import_id": d["_id"]}, {"$set": {"status": "resolved"}})
            print(
                f"{rows:,} rejected rows in {db.imports.count_documents({}):,} imports written in "
                f"{time.perf_counter() - t:.1f} s ({server.name}; load average {os.getloadavg()[0]:.1f})"
            )
            rep = timed("quality_report (Data quality page, by month)", lambda db=db: health.quality_report(db))
            timed("quality_report by ISO week", lambda db=db: health.quality_report(db, by="week"))
            docs = timed("imports_of (Imports page)", lambda db=db: health.imports_of(db))
            timed("alerts_of the records read (a threshold changed)", lambda docs=docs: health.alerts_of(docs))
            frame = pd.DataFrame(list(db.rejected_rows.find({}, {"vendor": 1, "status": 1})))
            want = frame[frame["status"] == "open"].groupby("vendor").size().to_dict()
            assert {a["vendor"]: a["open"] for a in rep.ages} == want, "open rows differ from a plain find()"
            client.drop_database(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
