"""The Analytics page in the real window: the chart and its table show what the core computes, an empty
database says so, and the query runs on a worker."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from booking_desktop.analytics import rollup
from booking_desktop.analytics.metrics import TrendQuery, trend
from booking_desktop.gui import recent_files
from booking_desktop.gui.main_window import PAGES
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.connections import ConnectionStore
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.testing import booking_rows, make_result

pytestmark = pytest.mark.gui


@pytest.fixture
def office(tmp_path, monkeypatch, memory_keyring, server, db):
    monkeypatch.setenv("BOOKING_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    ConnectionStore().add("Office", server.uri, db_name=db.name)
    recent_files.settings().setValue("connection/name", "Office")
    ensure_indexes(db)
    return db


def open_analytics(qtbot, w):
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    item = w.nav.item([name for name, _title in PAGES].index("analytics"))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    page = w.page_widgets["analytics"]
    qtbot.waitUntil(lambda: page.trend is not None and not page.loading, timeout=20_000)
    return page


def test_an_empty_database_says_so(qtbot, make_window, office):
    page = open_analytics(qtbot, make_window())
    assert "No bookings in Office yet" in page.status.text()
    assert page.table.rowCount() == 0


def test_the_table_shows_the_cores_numbers_and_the_choices_refresh_it(qtbot, make_window, office):
    text = booking_rows(60)
    text.loc[:19, "currency"] = "USD"
    CommitEngine(office).run(make_result(text))
    page = open_analytics(qtbot, make_window())
    want = trend(*[rollup.rows_for(office, TrendQuery())[0]], TrendQuery())
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == want.periods
    assert page.table.item(0, 1).text() == f"{want.series[0].points[0]['value']:,}"
    assert "from the rollup of Office" in page.status.text()
    page.metric_box.setCurrentIndex(page.metric_box.findData("revenue"))  # as a user picks it
    qtbot.waitUntil(lambda: page.trend.query.metric == "revenue" and not page.loading, timeout=20_000)
    headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert headers == ["Period", "EUR", "USD"]  # one series per currency, never added
    live = list(office.bookings.find({"currency": "EUR"}))
    eur_total = sum(float(page.table.item(r, 1).text().replace(",", "")) for r in range(page.table.rowCount()))
    assert eur_total == pytest.approx(sum(d["amount_minor"] for d in live) / 100)
    assert len(page.plot.getPlotItem().listDataItems()) == 2
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.loading and page.refresh_button.isEnabled(), timeout=20_000)
    low, high = page.plot.getPlotItem().getViewBox().viewRange()[1]
    shown = [page.table.item(r, c).text() for r in range(page.table.rowCount()) for c in (1, 2)]
    assert low == 0  # the axis starts at zero: a drop is seen as the size it is
    assert high >= max(float(t.replace(",", "")) for t in shown if t)
