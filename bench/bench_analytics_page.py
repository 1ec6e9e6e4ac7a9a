"""The Analytics page itself at 100,000 and 1,000,000 bookings: time to the first chart when the page
opens, and from a choice to its charts drawn, in the real window (offscreen).

    .venv/bin/python bench/bench_analytics_page.py [--sizes 100000,1000000] [--server ...] [--uri URI]

The rollup of N synthetic bookings is written as bench_analytics.py writes it (the same shape and code);
the page then reads it as it reads any database: ``read_dashboard`` on its worker over a real connection.
"First chart" is ``AnalyticsPage.first_chart_seconds``: from the page being shown to its charts drawn
(connect + read + draw).  Each choice is timed from the control changed to the page idle again, less the
120 ms the page waits to gather choices made in a burst (SETTLE_MS).

Waiting is done with ``time.sleep`` between rounds of events, never ``QTest.qWait``: qWait holds the GIL
while it sleeps and starves the page's worker thread (a read of 0.04 s took 0.36 s under it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analytics import load_rollup
from PySide6.QtWidgets import QApplication

CHOICES = (
    ("revenue by ISO week, split by channel", {"metric": "revenue", "period": "week", "split": "channel"}),
    ("bookings by day", {"metric": "bookings", "period": "day", "split": ""}),
    ("lead time by month of booked_at", {"metric": "lead_time", "period": "month", "date": "booked_at"}),
    ("cancellation rate by month, one vendor", {"metric": "cancellation_rate", "vendor": "vendor1"}),
)


def wait_for(app: QApplication, cond, timeout: float = 600.0) -> None:
    t = time.perf_counter()
    while not cond():
        if time.perf_counter() - t > timeout:
            raise TimeoutError("the page did not settle")
        app.processEvents()
        time.sleep(0.005)


def choose(page, what: dict) -> None:
    c = page.controls
    boxes = {"metric": c.metric_box, "period": c.period_box, "date": c.date_box, "split": c.split_box}
    boxes.update(c.filter_boxes)
    for key, value in what.items():
        box = boxes[key]
        box.setCurrentIndex(box.findData(value))


def measure(app: QApplication, uri: str, db_name: str, tmp: Path, repeat: int) -> dict[str, float]:
    from booking_desktop.gui.main_window import MainWindow
    from booking_desktop.storage.client import ConnectionTarget

    out: dict[str, float] = {}
    firsts = []
    for i in range(repeat):
        win = MainWindow(journal_dir=tmp / f"j{i}", profiles_dir=tmp / "p", check_journals=False)
        win.connection_target = ConnectionTarget(uri=uri, db_name=db_name, label="bench")
        win.resize(1400, 860)
        win.show()
        page = win.page_widgets["analytics"]
        win.show_page("analytics")
        wait_for(app, lambda p=page: p.trend is not None and not p.loading)
        firsts.append(page.first_chart_seconds)
        if i == repeat - 1:
            for name, what in CHOICES:
                times = []
                for _ in range(repeat):
                    choose(page, {"metric": "bookings", "period": "month", "date": "check_in", "split": ""})
                    choose(page, {"vendor": ""})
                    wait_for(app, lambda p=page: not p.loading)
                    t = time.perf_counter()
                    choose(page, what)
                    wait_for(app, lambda p=page: not p.loading)
                    times.append(time.perf_counter() - t - page._settle.interval() / 1000)
                out[name] = statistics.median(times)
        win.close()
        app.processEvents()
    out["first chart (page shown -> charts drawn)"] = statistics.median(firsts)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--uri", help="an existing server instead of a child one")
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    from booking_desktop.storage.client import ensure_indexes
    from booking_desktop.storage.testing import running_test_server

    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        os.environ["BOOKING_DESKTOP_CONFIG_DIR"] = str(tmp / "config")
        os.environ["BOOKING_DESKTOP_DATA_DIR"] = str(tmp / "data")
        from PySide6.QtCore import QSettings

        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp / "qsettings"))
        results: dict[int, dict[str, float]] = {}
        with running_test_server(tmp / "server", args.uri) as (server, client):
            for n in (int(s) for s in args.sizes.split(",")):
                db = client[f"bench_page_{n}"]
                client.drop_database(db.name)
                ensure_indexes(db)
                from booking_desktop.analytics import rollup

                rollup.ensure_indexes(db)
                secs, rows = load_rollup(db, n)
                print(f"{n:,} bookings: rollup of {rows:,} rows written in {secs:.0f} s", flush=True)
                results[n] = measure(app, server.uri, db.name, tmp, args.repeat)
                for k, v in results[n].items():
                    print(f"  {k}: {v * 1000:,.0f} ms", flush=True)
                client.drop_database(db.name)
    sizes = sorted(results)
    print("\n| on the page | " + " | ".join(f"{n:,}" for n in sizes) + " | ratio |")
    print("|---|" + "---|" * (len(sizes) + 1))
    for k in results[sizes[0]]:
        vals = [results[n][k] for n in sizes]
        ratio = f"{vals[-1] / vals[0]:.2f}x" if vals[0] else "-"
        print(f"| {k} | " + " | ".join(f"{v * 1000:,.0f} ms" for v in vals) + f" | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
