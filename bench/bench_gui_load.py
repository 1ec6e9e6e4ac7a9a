"""Opening a 1,000,000-row CSV in the window, against the core's own read+validate.

Measured in one process, one after the other on the same (warm) file:

* core: ``pipeline.run_to_end`` (read + map + validate), the floor for any UI;
* window: time until the first rows are shown (``session_loaded``) and until
  every column is cached (``fully_loaded``), both as ratios of the core time;
* the worst gap of a 10 ms QTimer during the window's load (how long the UI
  did not answer), next to the worst gap with nothing loading (machine noise);
* ``--sort``: sorting the loaded million rows by a column (a header click): time until the new
  order is shown, and the worst event-loop gap meanwhile;
* ``--commit-rows N``: a file of N rows committed through the window's commit panel into a fresh
  server (SecantusDB, the local database, unless ``BOOKING_TEST_MONGODB_URI`` is set): the preview's
  time to first progress and total, the commit's time to first progress and rows per second, the
  worst event-loop gap, against a bare ``insert_many`` of the same documents into another database
  of the same server in the same run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui_load.py [--rows 1000000] [--repeat 2]
        [--sort] [--commit-rows 100000] [--append]

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
    ap.add_argument("--sort", action="store_true", help="also sort the loaded rows by a column (first run)")
    ap.add_argument("--commit-rows", type=int, default=0, help="also commit a file of N rows through the window")
    ap.add_argument("--skip-load", action="store_true", help="only the --sort/--commit-rows figures")
    ap.add_argument(
        "--preview-rows", type=int, default=0, help="the preview of an N-row file, its commit's first progress"
    )
    a = ap.parse_args()

    csv, profile = ensure("csv", a.rows)
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    from booking_desktop.gui.recent_files import use_settings_dir

    use_settings_dir(tmp / "settings")
    from booking_desktop.gui.main_window import MainWindow
    from booking_desktop.pipeline import run_to_end

    sort_figures = commit_figures = None
    rows = []
    if a.commit_rows:
        commit_figures = bench_commit(app, tmp, a.commit_rows)
    if a.preview_rows:
        bench_commit(app, tmp, a.preview_rows, preview_only=True)
    if a.skip_load:
        if a.sort:
            sort_figures = bench_sort(app, tmp, csv, profile)
        return report(a, rows, sort_figures, commit_figures)
    run_to_end(csv, profiles_dir=profile.parent)  # warm the file cache and imports
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
        if a.sort and i == 0:
            sort_figures = sort_loaded(app, w)
        w.session.mark_clean()
        w.close()
        w.deleteLater()
        app.processEvents()
    return report(a, rows, sort_figures, commit_figures)


def wait_until(app, cond, timeout: float = 3600.0) -> float:
    """Turn the event loop until ``cond()``; the seconds it took."""
    t = time.perf_counter()
    while not cond():
        if time.perf_counter() - t > timeout:
            raise TimeoutError("the window did not get there")
        app.processEvents()
        time.sleep(0.002)
    return time.perf_counter() - t


def open_window(app, tmp: Path, name: str, path: Path, profiles: Path):
    from booking_desktop.gui.main_window import MainWindow

    w = MainWindow(journal_dir=tmp / f"journal-{name}", profiles_dir=profiles, check_journals=False)
    w.resize(1400, 900)
    w.show()
    loaded = {"full": False}
    w.fully_loaded.connect(lambda: loaded.update(full=True))
    w.open_file(path)
    wait_until(app, lambda: loaded["full"])
    return w


def sort_loaded(app, w) -> dict:
    """A header click on ``customer_name`` of the loaded file: until sorted, worst gap meanwhile."""
    from PySide6.QtCore import Qt

    timer, state, reset = gap_meter()
    timer.start()
    reset()
    col = w.model.fields.index("customer_name")
    w.model.sort(col, Qt.SortOrder.AscendingOrder)  # what a header click calls
    took = wait_until(app, lambda: not w.model.ordering and w.model.rows is not None)
    timer.stop()
    n = w.model.rowCount()
    first = w.model.data(w.model.index(0, col))
    last = w.model.data(w.model.index(n - 1, col))
    print(f"sort {n:,} rows by customer_name: {took:.2f} s, worst UI gap {max(state['gaps'] or [took]) * 1000:.0f} ms "
          f"(first {first!r}, last {last!r})", flush=True)
    return {"rows": n, "seconds": took, "worst_gap": max(state["gaps"] or [took])}


def bench_sort(app, tmp: Path, csv: Path, profile: Path) -> dict:
    w = open_window(app, tmp, "sort", csv, profile.parent)
    out = sort_loaded(app, w)
    w.session.mark_clean()
    w.close()
    return out


def bench_commit(app, tmp: Path, n: int, preview_only: bool = False) -> dict:
    """Commit an ``n``-row file through the window's commit panel, then a bare insert_many of the same
    documents into another database of the same server."""
    from booking_desktop.storage.client import ConnectionTarget, ensure_indexes
    from booking_desktop.storage.connection import detect_traits
    from booking_desktop.storage.mapper import BookingMapper, SourceRef
    from booking_desktop.storage.testing import start_test_server

    csv, profile = ensure("csv", n)
    server = start_test_server(tmp / "server")
    client = server.client()
    try:
        traits = detect_traits(client)
        w = open_window(app, tmp, "commit", csv, profile.parent)
        w.connection_target = ConnectionTarget(uri=server.uri, db_name="bench_gui_commit", label="bench server")
        result = w.session.committable()
        valid = ~result.error_rows
        if preview_only:
            valid[:] = False  # no documents: nothing is inserted
        mapper = BookingMapper(decimal128=traits.decimal128)
        docs = mapper.to_documents(
            result.typed[valid].reset_index(drop=True),
            result.record_numbers_array()[valid].tolist(),
            SourceRef("bare", csv.name, "s"),
        )
        docs = list({d["_id"]: d for d in reversed(docs)}.values())  # a booking once (the file may repeat one)

        def bare(db) -> float:
            """Documents per second of a bare insert_many into ``db`` (same indexes, batches of 2,000)."""
            client.drop_database(db.name)
            ensure_indexes(db)
            t = time.perf_counter()
            for i in range(0, len(docs), 2000):
                db.bookings.insert_many(docs[i : i + 2000], ordered=False)
            return len(docs) / (time.perf_counter() - t)

        bare_before = 0.0 if preview_only else bare(client.bench_gui_bare_before)  # before and after: same load
        timer, state, reset = gap_meter()
        timer.start()
        reset()
        t_preview = time.perf_counter()
        w.commit()
        wait_until(app, lambda: w.commit_dialog is not None)
        panel = w.commit_dialog
        wait_until(app, panel.commit_button.isEnabled)
        preview_s = time.perf_counter() - t_preview
        preview_gap = max(state["gaps"])
        if preview_only:  # and the commit until its first progress, then cancelled
            done = {"summary": None}
            panel.committed.connect(lambda s: done.update(summary=s))
            reset()
            panel.commit_button.click()
            wait_until(app, lambda: panel.first_progress_at > 0)
            first = panel.first_progress_at - panel.commit_started_at
            gap = max(state["gaps"])
            panel.cancel_button.click()
            wait_until(app, lambda: done["summary"] is not None)
            timer.stop()
            print(
                f"preview of {n:,} rows through the window ({traits.description}), empty database: "
                f"Commit… to first progress {panel.preview_first_progress_at - t_preview:.2f} s, to the counts "
                f"{preview_s:.1f} s; worst UI gap {preview_gap * 1000:.0f} ms; then Commit: first progress "
                f"{first:.2f} s (worst gap {gap * 1000:.0f} ms), cancelled: {done['summary'].status}",
                flush=True,
            )
            panel.close()
            w.session.mark_clean()
            w.close()
            return {}
        reset()
        done = {"summary": None}
        panel.committed.connect(lambda s: done.update(summary=s))
        panel.commit_button.click()
        wait_until(app, lambda: done["summary"] is not None)
        commit_gap = max(state["gaps"])
        timer.stop()
        summary = done["summary"]
        commit_s = time.perf_counter() - panel.commit_started_at
        first_progress = panel.first_progress_at - panel.commit_started_at
        panel.close()
        w.session.mark_clean()
        w.close()
        bare_after = bare(client.bench_gui_bare_after)
        bare_per_s = (bare_before + bare_after) / 2
        out = {
            "rows": n,
            "server": traits.description,
            "preview_first": panel.preview_first_progress_at - t_preview,
            "preview_s": preview_s,
            "preview_gap": preview_gap,
            "first_progress": first_progress,
            "commit_s": commit_s,
            "rows_per_s": n / commit_s,
            "written_per_s": (summary.inserted + summary.updated) / commit_s,
            "commit_gap": commit_gap,
            "bare_docs": len(docs),
            "bare_per_s": bare_per_s,
            "bare_before": bare_before,
            "bare_after": bare_after,
            "status": summary.status,
            "inserted": summary.inserted,
            "rejected": summary.rejected,
        }
        print(
            f"commit {n:,} rows through the window ({out['server']}): preview {preview_s:.1f} s "
            f"(first progress {out['preview_first']:.2f} s), commit first progress {first_progress:.2f} s, "
            f"{commit_s:.1f} s = {out['rows_per_s']:,.0f} rows/s ({summary.inserted:,} inserted, "
            f"{summary.rejected:,} rejected); bare insert_many {bare_before:,.0f} docs/s before, "
            f"{bare_after:,.0f} after; "
            f"ratio {out['written_per_s'] / out['bare_per_s']:.2f}x; worst UI gap preview "
            f"{preview_gap * 1000:.0f} ms, commit {commit_gap * 1000:.0f} ms",
            flush=True,
        )
        return out
    finally:
        client.close()
        if server.process is not None:
            server.process.stop()


def report(a, rows, sort_figures, commit_figures) -> int:
    if not a.append:
        return 0
    lines: list[str] = []
    if rows:
        best = min(rows, key=lambda r: r[2] / r[1])
        worst_gap = max(r[4] for r in rows)
        lines += [
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
    if sort_figures:
        f = sort_figures
        lines += [
            "",
            f"Sort of {f['rows']:,} loaded rows by customer_name (a header click): {f['seconds']:.2f} s until "
            f"the new order is shown; worst event-loop gap meanwhile {f['worst_gap'] * 1000:.0f} ms.",
            "",
        ]
    if commit_figures:
        c = commit_figures
        lines += [
            "",
            f"GUI commit of {c['rows']:,} rows ({c['server']}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"load average {os.getloadavg()[0]:.1f}:",
            "",
            "| | time to first progress | total | rate | worst UI gap |",
            "|---|---|---|---|---|",
            f"| Commit… to the preview's counts (connect, copy, look-up) | {c['preview_first']:.2f} s | "
            f"{c['preview_s']:.1f} s | | "
            f"{c['preview_gap'] * 1000:.0f} ms |",
            f"| commit through the panel | {c['first_progress']:.2f} s | {c['commit_s']:.1f} s | "
            f"{c['rows_per_s']:,.0f} rows/s ({c['written_per_s']:,.0f} bookings/s) | {c['commit_gap'] * 1000:.0f} ms |",
            f"| bare insert_many, same documents, before / after the GUI commit | | | "
            f"{c['bare_before']:,.0f} / {c['bare_after']:,.0f} docs/s | |",
            "",
            f"Ratio, bookings written per second through the GUI to bare insert_many (mean of both): "
            f"{c['written_per_s'] / c['bare_per_s']:.2f}x ({c['inserted']:,} inserted, {c['rejected']:,} rejected).",
            "",
        ]
    with open(HERE / "RESULTS.md", "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
