"""How long suggesting a mapping and matching the profiles take for a very wide file (issue 9).

A vendor's export with 9,074 columns (a pivoted report: one column per day and room) took
53-84 s to suggest and to match against the profiles, because both compared every column with
every synonym / every missing signature column.  This script makes a synthetic wide file
(a dozen booking columns and thousands of numbered value columns), and prints, in the same run:

* baseline: the same steps for a file of the ordinary width (the dozen booking columns), and
* the wide file: suggestion, profile ranking, and their sum,

so that the figures can be compared on the machine at hand; ``--compare DIR`` also runs the
wide file, in a child process, with the ``booking_desktop`` package found in DIR (e.g. the
code before issue 9: ``git archive a23658f booking_desktop | tar -x -C /tmp/old``).
Figures go to bench/RESULTS.md.

    python bench/bench_suggest_wide.py [--columns 9074] [--rows 1000] [--repeat 3] [--compare DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parents[1]))

from booking_desktop.mapping import list_profiles, rank_profiles
from booking_desktop.mapping.suggest import suggest_mapping
from booking_desktop.readers.base import Locations, RawTable, SourceInfo


def wide_table(columns: int, rows: int) -> RawTable:
    rng = np.random.default_rng(9)
    base = {
        "Reservation No": [f"R{i:07d}" for i in range(rows)],
        "Status": rng.choice(["CNF", "CXL", "PND"], rows).tolist(),
        "Guest name": [f"Guest{i} Name{i % 7}" for i in range(rows)],
        "Email": [f"g{i}@example.com" for i in range(rows)],
        "Arrival": [f"2024-03-{1 + i % 28:02d}" for i in range(rows)],
        "Departure": [f"2024-04-{1 + i % 28:02d}" for i in range(rows)],
        "Nights": rng.integers(1, 9, rows).astype(str).tolist(),
        "Adults": rng.integers(1, 4, rows).astype(str).tolist(),
        "Total": np.round(rng.uniform(80, 900, rows), 2).astype(str).tolist(),
        "Currency": ["EUR"] * rows,
        "Room type": rng.choice(["Double", "Suite"], rows).tolist(),
        "Booked on": [f"2024-02-{1 + i % 28:02d} 10:{i % 60:02d}" for i in range(rows)],
    }
    data = dict(base)
    kinds = ("Rate", "Avail", "Occupancy", "Revenue", "Pickup", "Notes")
    k = 0
    while len(data) < columns:
        kind = kinds[k % len(kinds)]
        name = f"{kind} {pd.Timestamp('2024-01-01') + pd.Timedelta(days=k // len(kinds)):%Y-%m-%d} R{k % 5}"
        if kind == "Notes":
            data[name] = rng.choice(["", "late", "vip"], rows).tolist()
        elif kind in ("Rate", "Revenue"):
            data[name] = np.round(rng.uniform(50, 400, rows), 2).astype(str).tolist()
        else:
            data[name] = rng.integers(0, 30, rows).astype(str).tolist()
        k += 1
    frame = pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in data.items()})
    return RawTable(frame, Locations("line {}", np.arange(2, rows + 2)), SourceInfo(Path("wide.csv"), "csv"))


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns", type=int, default=9074)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--compare", type=Path, help="a folder holding another booking_desktop package")
    ap.add_argument("--wide-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.compare is not None:
        cmd = [sys.executable, __file__, "--columns", str(args.columns), "--rows", str(args.rows),
               "--repeat", "1", "--wide-only"]  # fmt: skip
        print(f"compared code ({args.compare}):", flush=True)
        subprocess.run(cmd, env={**os.environ, "BENCH_CODE": str(args.compare.resolve())}, check=True)
        print("this code:", flush=True)
    profiles = list_profiles()
    narrow = wide_table(12, args.rows)
    wide = wide_table(args.columns, args.rows)
    runs = [(f"wide ({len(wide.frame.columns)} columns)", wide)]
    if not args.wide_only:
        runs.insert(0, ("baseline (12 columns)", narrow))
    for label, raw in runs:
        cols = [str(c) for c in raw.frame.columns]
        s = timed(lambda raw=raw: suggest_mapping(raw), args.repeat)
        p = timed(lambda cols=cols: rank_profiles(cols, profiles), args.repeat)
        print(f"{label:24} suggest {s:7.2f} s   profiles ({len(profiles)}) {p:7.2f} s   total {s + p:7.2f} s")
    if not args.wide_only:
        print("wide file mapping:", suggest_mapping(wide).mapping_summary())


if __name__ == "__main__":
    main()
