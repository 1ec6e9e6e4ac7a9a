# ruff: noqa: E501
# (the sample rows below read best one record per line)
"""Screenshots of the main screens into docs/screenshots/ (offscreen, QWidget.grab()).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--dark]

Builds a small vendor export with realistic defects in a temporary folder, runs
the real pipeline on it, starts a throw-away SecantusDB server for the commit
screens, and grabs: the mapping panel (suggested mapping and header drift), the
grid with errors, the connection dialog, the vendor question asked before the
first commit of a file without a profile, the commit preview and the commit
summary.  Nothing of the user's own configuration is touched.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtCore import QElapsedTimer, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

log = logging.getLogger("screenshots")

HEADER = "Res No,Guest,Email,Phone,Hotel,Room,Arrival,Departure,Nights,Adults,Kids,Total,Cur,Booked,Country,State"
ROWS = [
    "R-1001,Ann Lee,ann.lee@example.com,+44 20 7946 0018,Harbour View,DBL,03/04/2024,06/04/2024,3,2,0,\"1,250.00\",GBP,2024-01-05 10:12,GB,Confirmed",
    "R-1002,Bo Chan,bo.chan@example,+33 1 44 55 66 77,Harbour View,SGL,14/04/2024,15/04/2024,1,1,0,89.90,EUR,2024-02-11 08:40,FR,Cancelled",
    "R-1003,,c.diaz@example.com,+34 91 123 45 67,Old Town Inn,TWN,21/04/2024,19/04/2024,2,2,1,310.00,EUR,2024-03-01 17:05,ES,Confirmed",
    "R-1004,Dee Patel,dee@example.com,+91 22 1234 5678,Old Town Inn,DBL,31/02/2024,02/03/2024,2,2,0,240.00,EUR,2024-01-20 12:00,IN,Confirmed",
    "R-1005,Eli Novak,eli.novak@example.com,+420 601 123 456,Harbour View,SUITE,10/05/2024,14/05/2024,4,14,0,980.00,EUR,2024-04-02 09:30,CZ,Confirmed",
    "R-1006,Fay Okafor,fay@example.com,+234 803 123 4567,Old Town Inn,DBL,11/05/2024,13/05/2024,2,2,0,-40.00,EUR,2024-04-03 19:22,NG,No show",
    "R-1007,Gus Berg,gus.berg@example.com,+46 8 123 456 78,Harbour View,DBL,12/05/2024,16/05/2024,4,2,2,612.50,SEK,2024-05-20 11:11,SE,Confirmed",
    "R-1002,Hal Ito,hal.ito@example.com,+81 3 1234 5678,Old Town Inn,SGL,13/05/2024,14/05/2024,1,1,0,95.00,JPY,2024-05-01 07:45,JP,Confirmed",
    "R-1009,Ida Roth,ida.roth@example.com,+49 30 123456,Harbour View,TWN,15/05/2024,18/05/2024,3,2,0,420.00,EUR,2024-05-02 16:00,XX,Confirmed",
    "R-1010,Jon Silva,jon.silva@example.com,+351 21 123 4567,Old Town Inn,DBL,16/05/2024,20/05/2024,4,2,0,520.00,EUR,2024-05-03 13:30,PT,Confirmed",
]


def write_sample(folder: Path, copies: int = 30) -> Path:
    """~300 rows: the defective rows above plus clean variations of them."""
    lines = [HEADER, *ROWS]
    for k in range(copies):
        for i, row in enumerate(ROWS):
            if i in (1, 2, 3, 4, 5, 7, 8):  # keep each defect once
                row = ROWS[0]
            parts = row.split(",")
            parts[0] = f"R-{2000 + k * 10 + i}"
            lines.append(",".join(parts))
    path = folder / "harbour_group_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def settle(ms: int = 150) -> None:
    """Let the event loop run for ``ms`` (one qWait, not a tight processEvents loop)."""
    QTest.qWait(ms)


def wait_for(cond: Callable[[], bool], timeout_ms: int = 30000) -> None:
    """Wait, letting the events run, for ``cond()``.  Sleeps with ``time.sleep`` (which releases the GIL)
    between rounds of events: ``QTest.qWait`` holds the GIL while it sleeps and so starves the page's
    worker threads (the Analytics page read 0.36 s instead of 0.04 s under it, and a fold took 55 s)."""
    import time

    app = QApplication.instance()
    t = QElapsedTimer()
    t.start()
    while not cond():
        if t.elapsed() > timeout_ms:
            raise TimeoutError("the screen did not reach the expected state")
        if app is not None:
            app.processEvents()
        time.sleep(0.02)


def open_in(win: Any, sample: Path) -> None:
    """Show ``win`` at the screenshots' size and open ``sample`` in it, waiting for the whole load."""
    win.resize(1400, 860)
    win.show()
    done: list[bool] = []
    win.fully_loaded.connect(lambda: done.append(True))
    win.load_failed.connect(lambda msg: done.append(False))
    win.open_file(sample)
    wait_for(lambda: bool(done))
    if not done[0]:
        raise RuntimeError("the sample could not be loaded in the main window")


def grab(widget: QWidget, out: Path, name: str) -> Path:
    widget.show()
    widget.raise_()
    settle()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    log.info("wrote %s", path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return path


def shoot_mapping(out: Path, sample: Path, suffix: str) -> None:
    from booking_desktop.gui.mapping_panel import MappingPanel
    from booking_desktop.mapping import suggest_mapping
    from booking_desktop.mapping.drift import match_profile
    from booking_desktop.readers import read_file

    raw = read_file(sample)
    suggestion = suggest_mapping(raw)
    panel = MappingPanel(mappings_dir=out.parent / "_unused")
    panel.resize(1180, 760)
    panel.set_source(raw, suggestion=suggestion)
    grab(panel, out, f"mapping_panel{suffix}")

    # a known vendor whose export renamed a column and dropped another: the drift banner
    profile = suggestion.to_profile(name="harbour_group", vendor="HARBOUR")
    profile.signature.columns = [("Guest Name" if c == "Guest" else c) for c in raw.columns] + ["Promo Code"]
    panel.set_source(raw, profile, drift=match_profile(raw.columns, profile))
    grab(panel, out, f"mapping_drift{suffix}")
    panel.close()


def shoot_grid(out: Path, sample: Path, suffix: str, tmp: Path) -> None:
    """The real main window with the sample open: grid with errors, error panel, mapping dock."""
    from booking_desktop.gui.main_window import MainWindow

    win = MainWindow(journal_dir=tmp / f"journal{suffix}", profiles_dir=tmp / "profiles", check_journals=False)
    open_in(win, sample)
    settle(300)
    grab(win, out, f"grid_errors{suffix}")
    win.close()


def shoot_welcome(out: Path, suffix: str, tmp: Path) -> None:
    """What a new user sees first: how to open a file and the bundled sample vendor files."""
    from booking_desktop.gui.main_window import MainWindow

    win = MainWindow(
        journal_dir=tmp / f"journal-welcome{suffix}",
        profiles_dir=tmp / "profiles",
        check_journals=False,
        samples_dir=REPO / "booking_desktop" / "resources" / "samples",
    )
    win.resize(1200, 700)
    grab(win, out, f"welcome{suffix}")
    win.close()


def shoot_connection(out: Path, suffix: str, tmp: Path) -> None:
    from booking_desktop.gui.connection_dialog import ConnectionDialog
    from booking_desktop.storage.connections import ConnectionStore

    store = ConnectionStore(tmp / f"connections{suffix}")  # never the user's own list
    store.add("Office server", "mongodb://clerk@db.office.example:27017", db_name="bookings", auth_source="admin")
    store.add("Cloud cluster", "mongodb+srv://cluster0.example.mongodb.net", db_name="bookings", tls=True,
              save_password=False)
    dlg = ConnectionDialog(store=store, current="Office server")
    dlg.resize(760, 480)
    grab(dlg, out, f"connection_dialog{suffix}")
    dlg.close()


def shoot_commit(out: Path, sample: Path, suffix: str, tmp: Path) -> None:
    from booking_desktop.gui.commit_panel import CommitPanel
    from booking_desktop.gui.vendor_dialog import VendorDialog
    from booking_desktop.pipeline import run_to_end
    from booking_desktop.storage.engine import CommitEngine
    from booking_desktop.storage.testing import running_test_server

    vendor = VendorDialog(sample.name, ["ALPINE", "CITYBREAK", "LISBOA"])
    vendor.resize(520, 200)
    vendor.combo.setEditText("HARBOUR")
    grab(vendor, out, f"vendor_dialog{suffix}")
    vendor.close()
    result = run_to_end(sample, vendor="HARBOUR")  # the vendor the operator named
    with running_test_server(tmp / "server") as (_server, client):
        engine = CommitEngine(client["screenshots"], batch_size=50)
        dlg = CommitPanel(result, engine, target="Local database (this computer only)")
        dlg.resize(560, 300)
        dlg.show()
        wait_for(dlg.commit_button.isEnabled)
        grab(dlg, out, f"commit_preview{suffix}")
        dlg.commit_button.click()
        wait_for(lambda: dlg.summary is not None)
        grab(dlg, out, f"commit_summary{suffix}")
        dlg.show_import_record()
        wait_for(lambda: dlg.record_dialog is not None)
        grab(dlg.record_dialog, out, f"import_record{suffix}")
        dlg.record_dialog.close()
        dlg.close()


def grab_page(win: Any, name: str, out: Path, suffix: str) -> None:
    """Show page ``name`` of the window, wait for its read to end, grab the window."""
    win.show_page(name)
    page = win.page_widgets[name]
    settle(300)
    if hasattr(page, "loading"):
        wait_for(lambda: not page.loading)
    settle(600)
    grab(win, out, f"page_{name}{suffix}")


MANAGER_PAGES = ("quality", "history")  # shot by shoot_managers, over a history of several vendors


def vendor_history(db: Any, folder: Path) -> None:
    """Ten weeks of files from three vendors (variations of the sample, each with some of its defects),
    imported by the real pipeline and engine and then dated back as if they had come in over time; one
    import that failed and one that was interrupted, recorded as the engine records them."""
    from datetime import UTC, datetime, timedelta

    from booking_desktop.pipeline import run_to_end
    from booking_desktop.storage.engine import CommitEngine

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    plan = {  # vendor: (days between files, defect rows kept, reference prefix)
        "HARBOUR": (7, (1, 2, 3, 4, 5, 7, 8), "H"),
        "ALPINE": (3, (3, 8), "A"),
        "LISBOA": (14, (1, 2, 3, 5, 7), "L"),
    }
    last = None
    for vendor, (every, defects, prefix) in plan.items():
        for k, days_ago in enumerate(range(70, 0, -every)):
            if vendor == "LISBOA" and days_ago < 35:
                break  # LISBOA, every two weeks, went silent six weeks ago
            lines = [HEADER]
            for i, row in enumerate(ROWS):
                if i in (1, 2, 3, 4, 5, 7, 8) and (i not in defects or (k + i) % 3 == 0):
                    row = ROWS[0]
                parts = row.split(",")
                parts[0] = f"{prefix}-{k:02d}{i:03d}"
                lines.append(",".join(parts))
            for j in range(20 + 7 * (k % 4)):
                parts = ROWS[9].split(",")
                parts[0] = f"{prefix}-{k:02d}{100 + j:03d}"
                lines.append(",".join(parts))
            f = folder / f"{vendor.lower()}_{k:02d}.csv"
            f.write_text("\n".join(lines) + "\n", encoding="utf-8")
            summary = CommitEngine(db, batch_size=100).run(run_to_end(f, vendor=vendor))
            when = now - timedelta(days=days_ago, hours=(k * 5) % 9)
            doc = db.imports.find_one({"_id": summary.import_id})
            took = doc["finished_at"] - doc["started_at"]
            db.imports.replace_one({"_id": doc["_id"]}, {**doc, "started_at": when, "finished_at": when + took})
            for rr in list(db.rejected_rows.find({"import_id": doc["_id"]})):
                db.rejected_rows.replace_one({"_id": rr["_id"]}, {**rr, "created_at": when, "updated_at": when})
            if vendor == "ALPINE":
                last = doc
    assert last is not None
    for status, hours in (("failed", 30), ("interrupted", 5)):
        when = now - timedelta(hours=hours)
        db.imports.insert_one(
            {
                **last,
                "_id": f"{status}-example",
                "file_name": f"alpine_{status}.csv",
                "file_sha256": f"{status}-example",
                "status": status,
                "started_at": when,
                "finished_at": when + timedelta(seconds=4) if status == "failed" else None,
                "error": "AutoReconnect: connection reset by the server" if status == "failed" else None,
            }
        )


def shoot_managers(out: Path, suffix: str, tmp: Path) -> None:
    """The Data quality and Imports pages over :func:`vendor_history`."""
    from booking_desktop.gui.main_window import MainWindow
    from booking_desktop.storage.client import ConnectionTarget, ensure_indexes
    from booking_desktop.storage.testing import running_test_server

    with running_test_server(tmp / "server") as (server, client):
        ensure_indexes(client["managers"])
        vendor_history(client["managers"], tmp)
        win = MainWindow(journal_dir=tmp / "journal", profiles_dir=tmp / "profiles", check_journals=False)
        win.connection_target = ConnectionTarget(uri=server.uri, db_name="managers", label="office server")
        win.resize(1400, 860)
        win.show()
        for name in MANAGER_PAGES:
            grab_page(win, name, out, suffix)
        win.close()


def shoot_pages(out: Path, sample: Path, suffix: str, tmp: Path) -> None:
    """Every page of the real window (but the managers' two), on a database that holds one import of
    the sample."""
    from booking_desktop.gui.main_window import PAGES, MainWindow
    from booking_desktop.pipeline import run_to_end
    from booking_desktop.storage.client import ConnectionTarget
    from booking_desktop.storage.engine import CommitEngine
    from booking_desktop.storage.testing import running_test_server

    with running_test_server(tmp / "server") as (server, client):
        engine = CommitEngine(client["pages"], batch_size=100)
        engine.run(run_to_end(sample, vendor="HARBOUR"))
        win = MainWindow(journal_dir=tmp / "journal", profiles_dir=tmp / "profiles", check_journals=False)
        win.connection_target = ConnectionTarget(uri=server.uri, db_name="pages", label="test server")
        open_in(win, sample)
        settle(600)
        grab(win, out, f"page_import{suffix}")
        for name, _title in PAGES[1:]:
            if name not in MANAGER_PAGES:
                grab_page(win, name, out, suffix)
        win.close()


DATASETS = REPO.parent / "shared" / "datasets"
DATA_SETS = (("hotel_bookings.zip", "PT_HOTELS"), ("hotel_reservations.csv.gz", "INNTOWN"))


class DataSetDatabase:
    """A throw-away server holding the real hotel data sets of ``../shared/datasets`` (those present),
    each imported as a user would: the real reader, its shipped profile, validation, the CommitEngine."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.server: Any = None
        self.client: Any = None
        self.imported: list[str] = []
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> DataSetDatabase:
        import time

        from booking_desktop.pipeline import run_to_end
        from booking_desktop.storage.engine import CommitEngine
        from booking_desktop.storage.testing import running_test_server

        self.server, self.client = self._stack.enter_context(running_test_server(self.tmp / "datasets-server"))
        for name, vendor in DATA_SETS:
            path = DATASETS / name
            if not path.is_file():
                log.info("skipped %s: not found in %s", name, DATASETS)
                continue
            t = time.perf_counter()
            result = run_to_end(path, vendor=vendor)
            summary = CommitEngine(self.client["datasets"]).run(result)
            log.info("imported %s as %s in %.0f s: %s", name, vendor, time.perf_counter() - t, summary)
            self.imported.append(name)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()


def shoot_analytics(out: Path, suffix: str, tmp: Path, data: DataSetDatabase) -> None:
    """The Analytics page over the real data sets: bookings by month (the first chart when the page
    opens, timed), then revenue per vendor and currency by ISO week with the length-of-stay chart."""
    from booking_desktop.gui.main_window import MainWindow
    from booking_desktop.storage.client import ConnectionTarget

    if not data.imported:
        log.info("analytics screenshots skipped: no data set in %s", DATASETS)
        return
    win = MainWindow(journal_dir=tmp / f"journal-analytics{suffix}", profiles_dir=tmp / "profiles", check_journals=False)
    win.connection_target = ConnectionTarget(uri=data.server.uri, db_name="datasets", label="hotel data sets")
    win.resize(1400, 860)
    win.show()
    settle(300)
    page = win.page_widgets["analytics"]
    win.show_page("analytics")
    wait_for(lambda: page.trend is not None and not page.loading, 120_000)
    log.info("analytics%s: first chart %.2f s after the page opened (%s)", suffix, page.first_chart_seconds, page.status.text())
    settle(400)
    grab(win, out, f"analytics{suffix}")
    c = page.controls
    c.metric_box.setCurrentIndex(c.metric_box.findData("revenue"))
    c.period_box.setCurrentIndex(c.period_box.findData("week"))
    c.split_box.setCurrentIndex(c.split_box.findData("vendor"))
    page.tabs.setCurrentWidget(page.bars["los"])
    settle(50)
    wait_for(lambda: not page.loading, 120_000)
    settle(400)
    grab(win, out, f"analytics_revenue{suffix}")
    win.close()

def shoot_review(out: Path, sample: Path, suffix: str, tmp: Path) -> None:
    """The Review page: the queue filtered on its most common problem, and a row being fixed."""
    from booking_desktop.gui.main_window import MainWindow
    from booking_desktop.pipeline import run_to_end
    from booking_desktop.storage.client import ConnectionTarget
    from booking_desktop.storage.engine import CommitEngine
    from booking_desktop.storage.testing import running_test_server

    with running_test_server(tmp / "server") as (server, client):
        CommitEngine(client["review"], batch_size=100).run(run_to_end(sample, vendor="HARBOUR"))
        win = MainWindow(journal_dir=tmp / "journal", profiles_dir=tmp / "profiles", check_journals=False)
        win.connection_target = ConnectionTarget(uri=server.uri, db_name="review", label="test server")
        win.resize(1500, 860)
        win.show()
        page = win.review
        win.show_page("review")
        wait_for(lambda: page.stats is not None and not page.working)
        top = page.stats.counts[0]
        win.show_review(vendor=top["vendor"], code=top["code"])
        wait_for(lambda: page.flt.code == top["code"] and page.stats is not None and not page.working)
        bad = next(e for e in page.table.rows[0]["errors"] if e.get("field") in page.model.fields)
        col = page.model.fields.index(bad["field"])
        page.view.setCurrentIndex(page.model.index(0, 0))  # the bad cell shows red beside it
        wait_for(lambda: not page.working and page.detail.history.rowCount() >= 0)
        settle(400)
        grab(win, out, f"review_filtered{suffix}")
        page.view.edit(page.model.index(0, col))
        settle(200)
        editor = QApplication.focusWidget()
        if editor is not None and hasattr(editor, "setText"):
            value = str(bad.get("value") or "").strip()
            editor.setText(value + ".com" if "@" in value else value or "2")
        settle(200)
        grab(win, out, f"review_fixing{suffix}")
        if editor is not None:
            QTest.keyClick(editor, Qt.Key.Key_Return)  # saved: re-validated by the queue
        settle(200)
        wait_for(lambda: not page.working)
        page.view.setCurrentIndex(page.model.index(0, 0))
        wait_for(lambda: not page.working)
        settle(300)
        grab(win, out, f"review_fixed{suffix}")
        win.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    ap.add_argument("--dark", action="store_true", help="also grab the screens with a dark palette")
    ap.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="welcome mapping grid connection commit pages review managers analytics",
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    app = QApplication.instance() or QApplication([])
    app.setStyle("Fusion")
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    args.out.mkdir(parents=True, exist_ok=True)
    which = set(
        args.only or ["welcome", "mapping", "grid", "connection", "commit", "pages", "review", "managers", "analytics"]
    )
    with tempfile.TemporaryDirectory() as tmpd, contextlib.ExitStack() as stack:
        tmp = Path(tmpd)
        os.environ["BOOKING_DESKTOP_CONFIG_DIR"] = str(tmp / "config")  # the user's settings stay untouched
        os.environ["BOOKING_DESKTOP_PROFILES"] = str(tmp / "profiles")
        os.environ["BOOKING_DESKTOP_DATA_DIR"] = str(tmp / "data")
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp / "qsettings"))
        sample = write_sample(tmp)
        data = stack.enter_context(DataSetDatabase(tmp)) if "analytics" in which else None
        variants = [("", None)]
        if args.dark:
            from booking_desktop.gui.theme import dark_palette

            variants.append(("_dark", dark_palette()))
        for suffix, palette in variants:
            app.setPalette(palette if palette is not None else app.style().standardPalette())
            steps = {
                "welcome": lambda s=suffix: shoot_welcome(args.out, s, tmp),
                "mapping": lambda s=suffix: shoot_mapping(args.out, sample, s),
                "grid": lambda s=suffix: shoot_grid(args.out, sample, s, tmp),
                "connection": lambda s=suffix: shoot_connection(args.out, s, tmp),
                "commit": lambda s=suffix: shoot_commit(args.out, sample, s, tmp / f"db{s}"),
                "pages": lambda s=suffix: shoot_pages(args.out, sample, s, tmp / f"pages{s}"),
                "review": lambda s=suffix: shoot_review(args.out, sample, s, tmp / f"review{s}"),
                "managers": lambda s=suffix: shoot_managers(args.out, s, tmp / f"managers{s}"),
                "analytics": lambda s=suffix: shoot_analytics(args.out, s, tmp, data) if data else None,
            }
            for name, step in steps.items():
                if name in which:
                    step()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
