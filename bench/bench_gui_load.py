"""Opening a 1,000,000-row CSV in the window, against the core's own read+validate.

Measured in one process, one after the other on the same (warm) file:

* core: ``pipeline.run_to_end`` (read + map + validate), the floor for any UI;
* window: time until the first rows are shown (``session_loaded``) and until
  every column is cached (``fully_loaded``), both as ratios of the core time;
* the worst gap of a 10 ms QTimer during the window's load (how long the UI
  did not answer), next to the worst gap with nothing loading (machine noise).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui_load.py [--rows 1000000] [--repeat 2] [--append]

``--append`` adds a section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from make_data import ensure  # noqa: E402


def gap_meter():
    from PySide6.QtCore import QTimer

    state = {"last": time.perf_counter(), "gaps": []}

    def tick() -> None:
        now = time.perf_counter()
        state["gaps"].append(now - state["last"])
        state["last"] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)

    def reset() -> None:
        state["gaps"].clear()
        state["last"] = time.perf_counter()

    return timer, state, reset


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--append", action="store_true", help="append the figures to bench/RESULTS.md")
    a = ap.parse_args()

    csv, profile = ensure("csv", a.rows)
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    from booking_desktop.gui.recent_files import use_settings_dir

    use_settings_dir(tmp / "settings")
    from booking_desktop.gui.main_window import MainWindow
    from booking_desktop.pipeline import run_to_end

    run_to_end(csv, profiles_dir=profile.parent)  # warm the file cache and imports
    rows = []
    for i in range(a.repeat):
        t = time.perf_counter()
        r = run_to_end(csv, profiles_dir=profile.parent)
        core = time.perf_counter() - t
        n = r.records
        del r

        w = MainWindow(journal_dir=tmp / f"journal{i}", profiles_dir=profile.parent, check_journals=False)
        w.resize(1400, 900)
        w.show()
        timer, state, reset = gap_meter()
        timer.start()
        reset()
        t_idle = time.perf_counter()
        while time.perf_counter() - t_idle < 1.0:
            app.processEvents()
            time.sleep(0.002)
        idle_gap = max(state["gaps"] or [0.0])
        reset()
        w.fully_loaded.connect(lambda: app.exit())
        w.load_failed.connect(lambda msg: (print("load failed:", msg), app.exit(1)))
        w.open_file(csv)
        if app.exec() != 0:
            return 1
        timer.stop()
        first = w.files.first_rows_at - w.files.load_started_at
        full = w.files.fully_loaded_at - w.files.load_started_at
        worst = max(state["gaps"])
        rows.append((n, core, first, full, worst, idle_gap))
        print(
            f"run {i + 1}: {n:,} rows  core {core:.2f}s  first rows {first:.2f}s ({first / core:.2f}x)  "
            f"fully loaded {full:.2f}s ({full / core:.2f}x)  worst UI gap {worst * 1000:.0f} ms "
            f"(idle {idle_gap * 1000:.0f} ms)",
            flush=True,
        )
        w.session.mark_clean()
        w.close()
        w.deleteLater()
        app.processEvents()

    best = min(rows, key=lambda r: r[2] / r[1])
    worst_gap = max(r[4] for r in rows)
    if a.append:
        lines = [
            "",
            f"## GUI load of a {best[0]:,}-row CSV (bench/bench_gui_load.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"offscreen Qt; load average at start {os.getloadavg()[0]:.1f}.",
            "",
            "| run | core read+map+validate | first rows | ratio | fully loaded | ratio | worst UI gap | idle gap |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for i, (_n, core, first, full, worst, idle) in enumerate(rows, 1):
            lines.append(
                f"| {i} | {core:.2f} s | {first:.2f} s | {first / core:.2f}x | {full:.2f} s | {full / core:.2f}x "
                f"| {worst * 1000:.0f} ms | {idle * 1000:.0f} ms |"
            )
        lines += [
            "",
            f"Worst event-loop gap over all runs: {worst_gap * 1000:.0f} ms (a 10 ms QTimer on the UI thread).",
            "",
        ]
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
