"""The Imports page in the real window: the history, imports per day, each vendor's last file and the
alerts, over files with planted defects imported through the real pipeline and CommitEngine (dated back)
plus a failed and an interrupted import; every number checked against the import records read back with
a plain find(); thresholds typed into the page change the alerts shown and are kept for the next window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from quality_data import LAGOON_ROWS, backdate, plant
from review_files import write_file, write_profile

from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.imports_page import CHART_DAYS, STATUS_ROLE, span
from booking_desktop.gui.main_window import PAGES
from booking_desktop.pipeline import run_to_end
from booking_desktop.storage.engine import CommitEngine

pytestmark = pytest.mark.gui


@pytest.fixture
def history(office, tmp_path):
    """plant()'s imports; DELTA, daily for three days and silent for ten since; a failed and an
    interrupted import of files never completed."""
    now = datetime.now(UTC)
    plant(office, tmp_path, now)
    write_profile(tmp_path / "profiles", "delta", "DELTA")
    for k, days_ago in enumerate((12, 11, 10)):
        rows = [r.replace("L", f"D{k}", 1) for r in LAGOON_ROWS if not r.startswith("L3")]
        f = write_file(tmp_path, f"delta_{k}.csv", rows)
        s = CommitEngine(office).run(run_to_end(f, profile=str(tmp_path / "profiles" / "delta.yaml")))
        # half an hour off the day: harbour_b.csv was imported 10 days ago too, and two records started at
        # the same instant have no order to compare
        backdate(office, s.import_id, now - timedelta(days=days_ago, minutes=30))
    done = office.imports.find_one({"vendor": "LAGOON"})
    for status, hours in (("failed", 3), ("interrupted", 2)):
        office.imports.insert_one(
            {
                **done,
                "_id": f"x-{status}",
                "file_name": f"{status}.csv",
                "file_sha256": f"sha-{status}",
                "status": status,
                "error": "the connection was reset" if status == "failed" else None,
                "started_at": now - timedelta(hours=hours),
                "finished_at": now - timedelta(hours=hours) + timedelta(seconds=5) if status == "failed" else None,
            }
        )
    return office


def open_page(qtbot, w):
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    item = w.nav.item([n for n, _title in PAGES].index("history"))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    page = w.page_widgets["history"]
    qtbot.waitUntil(lambda: page.docs is not None and not page.loading, timeout=20_000)
    return page


def cells(table):
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def alert_kinds(page):
    return sorted(
        (page.alerts_list.item(i).data(STATUS_ROLE), page.alerts_list.item(i).text())
        for i in range(page.alerts_list.count())
    )


def type_into(qtbot, spin, text):
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, text)
    QTest.keyClick(spin, Qt.Key.Key_Return)


def test_the_history_equals_the_import_records(qtbot, make_window, history):
    page = open_page(qtbot, make_window())
    assert page.objectName() == "historyPage" and page.table.objectName() == "historyTable"
    docs = pd.DataFrame(list(history.imports.find())).sort_values("started_at", ascending=False)
    shown = cells(page.table)
    assert len(shown) == len(docs) == 9
    for row, (_i, d) in zip(shown, docs.iterrows(), strict=True):
        assert row[0] == d["started_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        assert row[1:4] == [d["file_name"], d["vendor"], d["status"]]
        assert row[4] == f"{d['records']:,}"
        assert row[5:9] == [f"{d['counts'].get(k, 0):,}" for k in ("inserted", "updated", "unchanged", "rejected")]
        took = (d["finished_at"] - d["started_at"]).total_seconds() if pd.notna(d["finished_at"]) else None
        assert row[9] == span(took)
        if d["status"] == "completed":
            assert row[10] == f"{d['records'] / took:,.0f}"
        else:
            assert row[10] == "–"
        assert row[11] == (d.get("user") or "")
    statuses = {row[3]: r for r, row in enumerate(shown)}
    failed = page.table.item(statuses["failed"], 3)
    assert failed.background().color() == theme.error_color(page.palette())
    assert failed.toolTip() == "the connection was reset"
    interrupted = page.table.item(statuses["interrupted"], 0)
    assert interrupted.background().color() == theme.warning_color(page.palette())
    assert page.table.item(statuses["completed"], 0).background().style() == Qt.BrushStyle.NoBrush
    assert "2 failed or interrupted" in page.status.text()


def test_imports_per_day_and_each_vendors_last_file(qtbot, make_window, history):
    page = open_page(qtbot, make_window())
    docs = pd.DataFrame(list(history.imports.find()))
    docs["day"] = pd.to_datetime(docs["started_at"], utc=True).dt.strftime("%Y-%m-%d")
    days, _ = page.per_day()
    assert len(days) == CHART_DAYS and days[-1] == datetime.now(UTC).strftime("%Y-%m-%d")
    bars = page.per_day_plot.getPlotItem().items
    stacked = {b.name(): b.opts["height"] for b in bars if hasattr(b, "opts") and "height" in b.opts}
    total = [sum(h[i] for h in stacked.values()) for i in range(len(days))]
    want = docs[docs["day"].isin(days)].groupby("day").size()
    assert total == [int(want.get(d, 0)) for d in days]  # every day, zeros included
    assert stacked["failed"][-1] == 1 and stacked["interrupted"][-1] == 1
    last = {row[0]: row for row in cells(page.last_table)}
    assert set(last) == set(docs["vendor"])
    for vendor, g in docs.groupby("vendor"):
        assert last[vendor][1] == f"{len(g):,}"
        assert last[vendor][2] == g["started_at"].max().astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    assert last["DELTA"][3] == "10.0 days ago" and last["DELTA"][4] == "24 h 00 min"


def test_thresholds_typed_in_change_the_alerts_and_are_kept(qtbot, make_window, history):
    w = make_window()
    page = open_page(qtbot, w)
    kinds = [k for k, _text in alert_kinds(page)]
    assert kinds == ["import_failed", "import_interrupted", "rejection_rate", "rejection_rate", "vendor_silent"]
    texts = " | ".join(t for _k, t in alert_kinds(page))
    assert "HARBOUR: 60.0% of 10 records rejected" in texts and "LAGOON: 25.0% of 4 records rejected" in texts
    assert "DELTA: no file for 10.0 days (usually every 1.0 days)" in texts
    assert "failed.csv failed: the connection was reset" in texts
    delta = next(r for r in range(page.last_table.rowCount()) if page.last_table.item(r, 0).text() == "DELTA")
    assert page.last_table.item(delta, 0).data(STATUS_ROLE) == "silent"
    type_into(qtbot, page.max_rate, "30")  # HARBOUR's 60 % is above 30 %, LAGOON's 25 % is not
    (rate,) = [t for k, t in alert_kinds(page) if k == "rejection_rate"]
    assert rate.startswith("⚠ HARBOUR: 60.0%")
    type_into(qtbot, page.silence, "20")  # ten days is not twenty times DELTA's daily interval
    assert "vendor_silent" not in [k for k, _t in alert_kinds(page)]
    assert page.last_table.item(delta, 0).data(STATUS_ROLE) is None
    type_into(qtbot, page.failed_days, "0")
    assert [k for k, _t in alert_kinds(page)] == ["rejection_rate"]
    type_into(qtbot, page.max_rate, "90")
    assert page.alerts_list.count() == 0 and page.alerts_summary.text() == "No alerts with these thresholds."
    s = recent_files.settings()
    assert float(s.value("imports/alerts/max_rejection_rate")) == pytest.approx(0.9)
    assert float(s.value("imports/alerts/silence_factor")) == 20
    w.close()
    again = open_page(qtbot, make_window())  # the next window starts from the thresholds set
    assert (again.max_rate.value(), again.silence.value(), again.failed_days.value()) == (90.0, 20.0, 0.0)
    assert again.alerts_list.count() == 0


def test_a_stored_threshold_that_is_not_a_number_is_the_default(qtbot, make_window, office):
    recent_files.settings().setValue("imports/alerts/max_rejection_rate", "lots")
    recent_files.settings().setValue("imports/alerts/silence_factor", "-4")
    page = open_page(qtbot, make_window())
    assert page.max_rate.value() == 5.0 and page.silence.value() == 2.0
    assert page.table.rowCount() == 0 and page.status.text() == "No imports yet in Office."
    assert page.alerts_summary.text() == "No alerts with these thresholds."
