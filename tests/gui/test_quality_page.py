"""The Data quality page in the real window: files with planted defects imported through the real pipeline
and CommitEngine (dated back), the page opened as a user opens it, and every number it shows checked
against pandas over a plain find() (tests/quality_data.py); a double-click on a vendor x code row asks for
the Review queue filtered on both; an empty database and an unreachable one say so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from quality_data import BUCKET_LABELS, LAGOON_ROWS, codes_by_vendor, open_by_age, plant, rates_by_month
from review_files import write_file

from booking_desktop.gui import recent_files
from booking_desktop.gui.main_window import PAGES
from booking_desktop.pipeline import run_to_end
from booking_desktop.storage.connections import ConnectionStore
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.localdb import free_port

pytestmark = pytest.mark.gui


def open_page(qtbot, w, name="quality"):
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    item = w.nav.item([n for n, _title in PAGES].index(name))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    page = w.page_widgets[name]
    qtbot.waitUntil(lambda: (page.report is not None or page.error is not None) and not page.loading, timeout=20_000)
    return page


def cells(table):
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_the_page_sits_between_analytics_and_imports():
    names = [n for n, _t in PAGES]
    assert names.index("quality") == names.index("analytics") + 1 == names.index("history") - 1
    assert dict(PAGES)["quality"] == "Data quality"


def test_the_numbers_shown_equal_an_independent_count(qtbot, make_window, office, tmp_path):
    plant(office, tmp_path, datetime.now(UTC))
    w = make_window()
    page = open_page(qtbot, w)
    now = datetime.now(UTC)
    # open rows by age: the table equals pd.cut over the ages read back with find()
    want_ages = open_by_age(office, now)
    shown = {row[0]: row for row in cells(page.ages_table)}
    assert set(shown) == set(want_ages) == {"HARBOUR", "LAGOON"}
    for vendor, buckets in want_ages.items():
        assert shown[vendor][1 : 1 + len(BUCKET_LABELS)] == [f"{buckets[b]:,}" for b in BUCKET_LABELS]
        assert shown[vendor][1 + len(BUCKET_LABELS)] == f"{sum(buckets.values()):,}"
    assert shown["HARBOUR"][1:5] == ["0", "5", "6", "6"]
    # rejection rate per vendor and month
    want_rates = rates_by_month(office)
    got_rates = {(r[0], r[1]): r[6] for r in cells(page.rates_table)}
    assert got_rates == {k: f"{v:.1%}" for k, v in want_rates.items()}
    # the chart: one line per vendor over every month, gaps where a vendor sent nothing
    lines = {i.name(): i for i in page.rate_plot.getPlotItem().listDataItems()}
    assert set(lines) == {"HARBOUR", "LAGOON"}
    xs, ys = lines["LAGOON"].getData()
    assert len(xs) == len(page.report.periods)
    for x, y in zip(xs, ys, strict=True):
        key = ("LAGOON", page.report.periods[int(x)])
        assert (y == pytest.approx(100 * want_rates[key])) if key in want_rates else (y != y)  # NaN: a gap
    # the error codes of all periods, then of the newest month alone
    want_codes = codes_by_vendor(office)
    got_codes = {
        (r[0], r[1]): (int(r[2].replace(",", "")), int(r[3].replace(",", ""))) for r in cells(page.codes_table)
    }
    assert got_codes == want_codes
    newest = page.report.periods[-1]
    page.codes_period_box.setCurrentIndex(page.codes_period_box.findText(newest))
    in_newest = [d["_id"] for d in office.imports.find() if d["started_at"].astimezone(UTC).strftime("%Y-%m") == newest]
    got_newest = {(r[0], r[1]): (int(r[2]), int(r[3])) for r in cells(page.codes_table)}
    assert got_newest == codes_by_vendor(office, in_newest)
    assert "HARBOUR" in page.status.text() or "2 vendor(s)" in page.status.text()


def test_a_double_click_on_a_vendor_and_code_asks_for_the_review_queue(qtbot, make_window, office, tmp_path):
    plant(office, tmp_path, datetime.now(UTC))
    w = make_window()
    page = open_page(qtbot, w)
    table = page.codes_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "LAGOON")
    table.scrollToItem(table.item(row, 2))
    pos = table.visualItemRect(table.item(row, 2)).center()
    assert table.viewport().rect().contains(pos)
    with qtbot.waitSignal(w.open_review, timeout=5000) as got:  # a double-click: press, release, press again
        QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        QTest.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    assert got.args == ["LAGOON", table.item(row, 1).text()] == ["LAGOON", "date_order"]
    # the window shows the Review queue filtered on both
    review = w.page_widgets["review"]
    qtbot.waitUntil(lambda: w.current_page == "review" and review.stats is not None and not review.working,
                    timeout=30_000)
    assert (review.flt.vendor, review.flt.code, review.flt.status) == ("LAGOON", "date_order", "open")
    want = office.rejected_rows.count_documents({"vendor": "LAGOON", "errors.code": "date_order", "status": "open"})
    assert review.stats.total == want == len(review.table.rows) > 0
    w.show_page("quality")
    # and from the keyboard: the current row, Enter
    first = 0
    table.setCurrentCell(first, 0)
    table.setFocus()
    with qtbot.waitSignal(page.open_review, timeout=5000) as got:
        QTest.keyClick(table, Qt.Key.Key_Return)
    assert got.args == [table.item(first, 0).text(), table.item(first, 1).text()]
    qtbot.waitUntil(lambda: review.flt.code == got.args[1] and not review.working, timeout=30_000)


def test_weeks_and_refresh(qtbot, make_window, office, tmp_path):
    plant(office, tmp_path, datetime.now(UTC))
    w = make_window()
    page = open_page(qtbot, w)
    months = len(page.report.periods)
    page.period_box.setCurrentIndex(page.period_box.findData("week"))  # as a user picks it
    qtbot.waitUntil(lambda: page.report.by == "week" and not page.loading, timeout=20_000)
    assert len(page.report.periods) > months and all("-W" in p for p in page.report.periods)
    assert all("-W" in r[1] for r in cells(page.rates_table))
    ticks = page.rate_plot.getAxis("bottom")._tickLevels[0]
    assert {label for _x, label in ticks} <= set(page.report.periods)
    # a new file of LAGOON (one bad record) shows after Refresh
    f = write_file(tmp_path, "lagoon_2.csv", [r.replace("L", "M", 1) for r in LAGOON_ROWS])
    CommitEngine(office).run(run_to_end(f, profile=str(tmp_path / "profiles" / "lagoon.yaml")))
    before = page.report
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.report is not before and not page.loading, timeout=20_000)
    lagoon = next(row for row in cells(page.ages_table) if row[0] == "LAGOON")
    assert lagoon[1] == "2" == f"{open_by_age(office, datetime.now(UTC))['LAGOON']['< 1 day']}"


def test_an_empty_database_says_so(qtbot, make_window, office):
    page = open_page(qtbot, make_window())
    assert "No imports in Office yet" in page.status.text()
    assert page.codes_table.rowCount() == page.rates_table.rowCount() == page.ages_table.rowCount() == 0
    assert page.rate_plot.getPlotItem().listDataItems() == []


def test_an_unreachable_database_is_one_line_and_no_numbers(qtbot, make_window, tmp_path, monkeypatch, memory_keyring):
    monkeypatch.setenv("BOOKING_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    ConnectionStore().add("Gone", f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=500", db_name="x")
    recent_files.settings().setValue("connection/name", "Gone")
    page = open_page(qtbot, make_window())
    text = page.status.text()
    assert text.startswith("Cannot read the data quality of Gone:") and "\n" not in text
    assert "Traceback" not in text and page.codes_table.rowCount() == 0
