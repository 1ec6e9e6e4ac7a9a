"""What a CLI user feels: start-up of ``validate`` on a small file, and ``--json`` of many problems.

- ``validate`` of a 30-row file against a bare ``python -c "import pandas, pyarrow"`` (target:
  at most 1.3x).  The processes alternate, each figure the median of ``--repeat`` runs, wall
  time and CPU time (user + system of the child: steadier than wall time on a shared machine).
- ``validate --json`` of a generated file with about ``--problems`` problems (target: 5 s),
  against the same command without ``--json``.

    .venv/bin/python bench/bench_cli.py [--repeat 9] [--problems 151000] [--compare REV]

``--compare REV`` times the ``validate`` of another git revision's package in the same alternation
(the same load), e.g. the commit before a change.

The package is byte-compiled first (``compileall``), as an installed wheel is: this machine sets
PYTHONDONTWRITEBYTECODE, and compiling the 90-odd modules on every start costs about 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "booking_desktop" / "resources" / "samples" / "lisboa_pms_export.csv"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    env = env or ENV
    # -m puts the working folder first on sys.path: run where PYTHONPATH's package is the one found
    where = env["PYTHONPATH"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=where)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def startup(repeat: int, small: Path, compare: Path | None = None) -> None:
    """``compare``: a folder holding another version's ``booking_desktop`` package, run in the same
    alternation (same load) as this one."""
    bare = [sys.executable, "-c", "import pandas, pyarrow"]
    ours = [sys.executable, "-m", "booking_desktop", "validate", str(small)]
    commands: dict[str, tuple[list[str], dict[str, str]]] = {"bare": (bare, ENV), "validate": (ours, ENV)}
    if compare is not None:
        commands["compared"] = (ours, {**os.environ, "PYTHONPATH": str(compare)})
    for cmd, env in commands.values():
        timed(cmd, env)  # warm the file cache
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(repeat):
        for k, (cmd, env) in commands.items():
            runs[k].append(timed(cmd, env))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in runs.items()}
    print(f"## validate of a 30-row file, median of {repeat}")
    print(f"bare import pandas, pyarrow   wall {med['bare'][0]:.2f} s  cpu {med['bare'][1]:.2f} s")
    for k in runs:
        if k == "bare":
            continue
        label = "validate (30 rows)" if k == "validate" else "validate, compared version"
        print(
            f"{label:29} wall {med[k][0]:.2f} s  cpu {med[k][1]:.2f} s  "
            f"ratio wall {med[k][0] / med['bare'][0]:.2f}x, cpu {med[k][1] / med['bare'][1]:.2f}x (target <= 1.3x)"
        )
    print()


def many_problems(n: int, folder: Path) -> Path:
    """About ``n`` problems: three per row (an invalid e-mail is not mapped; check-in, check-out, status)."""
    rows = max(1, n // 3)
    path = folder / "many_problems.csv"
    with path.open("w") as fh:
        fh.write("booking_ref,guest_name,email,check_in,check_out,total_amount,currency,status\n")
        for i in range(rows):
            fh.write(f"B{i},Guest {i},bad-{i},2024-13-{i % 28 + 1:02d},2024-02-30,12.5,EUR,weird\n")
    return path


def json_speed(n: int, repeat: int, folder: Path) -> None:
    path = many_problems(n, folder)
    base = [sys.executable, "-m", "booking_desktop", "validate", str(path), "--vendor", "X"]
    plain = min(timed(base) for _ in range(repeat))
    js = min(timed([*base, "--json"]) for _ in range(repeat))
    out = subprocess.run([*base, "--json"], capture_output=True, text=True, env=ENV, check=True).stdout
    count = out.count('"code": ')
    print(f"## --json of {count:,} problems, best of {repeat}")
    print(f"validate          wall {plain[0]:.2f} s  cpu {plain[1]:.2f} s")
    print(f"validate --json   wall {js[0]:.2f} s  cpu {js[1]:.2f} s  ({len(out) / 1e6:.0f} MB of JSON; target 5 s)\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--problems", type=int, default=151_000)
    ap.add_argument("--compare", metavar="REV", help="also time the package of this git revision (same run)")
    a = ap.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "booking_desktop")], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "thirty.csv"
        small.write_bytes(b"".join(SAMPLE.read_bytes().splitlines(keepends=True)[:31]))
        compare = None
        if a.compare:
            compare = Path(tmp) / "compared"
            compare.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", a.compare, "booking_desktop"], check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(compare)], input=archive, check=True)
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(compare / "booking_desktop")], check=True)
        startup(a.repeat, small, compare)
        if a.problems:
            json_speed(a.problems, max(1, a.repeat // 3), Path(tmp))


if __name__ == "__main__":
    main()
