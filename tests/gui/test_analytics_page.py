"""The Analytics page in the real window, driven as a manager drives it (lists picked with the keyboard,
dates and zones typed), against known bookings committed through the real CommitEngine: every number in
its tables is checked against pandas over the documents read back with a plain ``find()``; the exports
are read back; the empty, bad-input and error states are shown; the query runs on a worker."""

from __future__ import annotations

import csv
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from booking_desktop.analytics import rollup
from booking_desktop.analytics.metrics import TrendQuery, trend
from booking_desktop.gui import chart_widgets, theme
from booking_desktop.gui.main_window import PAGES
from booking_desktop.storage.client import ConnectionTarget
from booking_desktop.storage.engine import CommitEngine
from booking_desktop.storage.testing import booking_rows, make_result

pytestmark = pytest.mark.gui
EXPONENT = {"EUR": 2, "USD": 2, "JPY": 0}
NY = "America/New_York"


def known_rows(n: int, vendor: str, start: int, seed: int) -> pd.DataFrame:
    """Bookings around New York's midnight and DST changes, in ISO week 2020-W53, three currencies
    (JPY without minor units), cancelled ones, some without booked_at, two channels and three hotels."""
    rng = np.random.default_rng(seed)
    text = booking_rows(n, vendor=vendor, start=start)
    days = pd.to_datetime(
        rng.choice(["2020-12-28", "2020-12-31", "2021-01-03", "2021-01-04", "2021-03-13", "2021-03-15"], n)
    )
    stay = rng.integers(1, 20, n)
    text["check_in"] = days.strftime("%Y-%m-%d")
    text["check_out"] = (days + pd.to_timedelta(stay, unit="D")).strftime("%Y-%m-%d")
    text["nights"] = stay.astype(str)
    text["booked_at"] = rng.choice(
        [
            "2021-03-14T06:59:00Z",  # New York 01:59 EST, the day DST starts
            "2021-03-14T07:01:00Z",  # 03:01 EDT
            "2021-01-01T04:59:00Z",  # New York: still 2020-12-31
            "2021-01-01T05:00:00Z",  # New York: 2021-01-01
            "2020-12-28T04:30:00Z",  # New York: Sunday 2020-12-27 (week 52), UTC: Monday (week 53)
            "2020-10-01T12:00:00Z",
        ],
        n,
    )
    text.loc[rng.random(n) < 0.1, "booked_at"] = pd.NA
    text["status"] = rng.choice(["confirmed", "cancelled", "completed"], n, p=[0.6, 0.25, 0.15])
    text["currency"] = rng.choice(list(EXPONENT), n)
    amounts = rng.integers(1000, 90000, n)
    text["amount"] = [f"{a}" if c == "JPY" else f"{a / 100:.2f}" for a, c in zip(amounts, text["currency"])]
    text["channel"] = rng.choice(["direct", "booking.com"], n)
    text["property_name"] = rng.choice(["Hotel A", "Hotel B", "Hotel C"], n, p=[0.5, 0.3, 0.2])
    text["room_type"] = rng.choice(["double", "suite"], n)
    return text.astype("str")


@pytest.fixture
def known(office):
    CommitEngine(office).run(make_result(known_rows(140, "acme", 1, 3), vendor="acme", path="acme.csv"))
    CommitEngine(office).run(make_result(known_rows(70, "zenith", 5000, 4), vendor="zenith", path="zenith.csv"))
    df = pd.DataFrame(list(office.bookings.find({})))
    df["ci"] = pd.to_datetime(df["check_in"], utc=True).dt.tz_localize(None).dt.normalize()
    df["cxl"] = df["status"] == "cancelled"
    return df


def local_day(df: pd.DataFrame, tz: str) -> pd.Series:
    return pd.to_datetime(df["booked_at"], utc=True).dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def week_key(days: pd.Series) -> pd.Series:
    iso = days.dt.isocalendar()
    return iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)


def open_analytics(qtbot, w):
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    item = w.nav.item([name for name, _title in PAGES].index("analytics"))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    page = w.page_widgets["analytics"]
    qtbot.waitUntil(lambda: page.trend is not None and not page.loading, timeout=20_000)
    return page


def settled(qtbot, page):
    qtbot.waitUntil(lambda: not page.loading, timeout=30_000)


def pick(qtbot, page, combo, text):
    """Choose ``text`` in a list with the arrow keys, the list focused, as a keyboard user does."""
    key = Qt.Key.Key_Down if combo.findText(text) > combo.currentIndex() else Qt.Key.Key_Up
    for _ in range(combo.count()):
        if combo.currentText() == text:
            break
        qtbot.keyClick(combo, key)
    assert combo.currentText() == text
    settled(qtbot, page)


def type_into(qtbot, page, edit, text):
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    settled(qtbot, page)


def hover(widget, pos):
    """The mouse moved over ``widget`` without a button pressed (QTest.mouseMove does not reach a
    QGraphicsView's scene on the offscreen platform, so the event a window system sends is sent)."""
    event = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def headers(table) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


def test_an_empty_database_says_so(qtbot, make_window, office):
    page = open_analytics(qtbot, make_window())
    assert "No bookings in Office yet" in page.status.text()
    assert page.table.rowCount() == 0
    assert page.stack.currentWidget() is page.empty and page.empty.isVisible()
    assert page.first_chart_seconds is not None  # the page answered (here: with its empty state)


def test_the_table_shows_the_cores_numbers_and_the_choices_refresh_it(qtbot, make_window, office):
    text = booking_rows(60)
    text.loc[:19, "currency"] = "USD"
    CommitEngine(office).run(make_result(text))
    page = open_analytics(qtbot, make_window())
    want = trend(*[rollup.rows_for(office, TrendQuery())[0]], TrendQuery())
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == want.periods
    assert page.table.item(0, 1).text() == f"{want.series[0].points[0]['value']:,}"
    assert "from the rollup of Office" in page.status.text()
    pick(qtbot, page, page.metric_box, "Revenue")
    assert page.trend.query.metric == "revenue"
    assert headers(page.table) == ["Period", "EUR", "USD"]  # one series per currency, never added
    live = list(office.bookings.find({"currency": "EUR"}))
    eur_total = sum(number(page.table.item(r, 1).text()) for r in range(page.table.rowCount()))
    assert eur_total == pytest.approx(sum(d["amount_minor"] for d in live) / 100)
    plots = page.trend_chart.plots()  # a plot per currency: JPY in thousands never flattens EUR
    assert [len(p.getPlotItem().listDataItems()) for p in plots] == [1, 1]
    assert [p.getAxis("left").labelText for p in plots] == ["Revenue (EUR)", "Revenue (USD)"]
    qtbot.mouseClick(page.refresh_button, Qt.MouseButton.LeftButton)
    settled(qtbot, page)
    low, high = page.plot.getPlotItem().getViewBox().viewRange()[1]
    shown = [page.table.item(r, c).text() for r in range(page.table.rowCount()) for c in (1, 2)]
    assert low == 0  # the axis starts at zero: a drop is seen as the size it is
    assert high >= max(number(t) for t in shown if t)


def test_bookings_per_iso_week_of_booking_in_new_york_match_pandas(qtbot, make_window, known):
    page = open_analytics(qtbot, make_window())
    pick(qtbot, page, page.period_box, "ISO week")
    pick(qtbot, page, page.date_box, "Booked at")
    type_into(qtbot, page, page.controls.zone_box.lineEdit(), NY)
    pick(qtbot, page, page.controls.filter_boxes["vendor"], "acme")
    pick(qtbot, page, page.controls.filter_boxes["channel"], "direct")
    q = page.trend.query
    assert (q.by, q.date, q.tz, q.vendor, q.channel) == ("week", "booked_at", NY, "acme", "direct")

    sel = known[(known["vendor"] == "acme") & (known["channel"] == "direct") & known["booked_at"].notna()]
    days = local_day(sel, NY)
    counts = week_key(days).value_counts()
    every = week_key(pd.Series(pd.date_range(days.min(), days.max(), freq="D")))
    want = [[p, f"{int(counts.get(p, 0)):,}"] for p in dict.fromkeys(every)]
    assert cells(page.table) == want  # weeks without bookings shown as 0, 2020-W53 included
    assert ["2020-W52", f"{int(counts.get('2020-W52', 0)):,}"] in want and "2020-W53" in counts
    assert "bookings themselves" in page.status.text() and "days in America/New_York" in page.status.text()

    # hovering a period shows its exact value
    chart = page.trend_chart
    i = chart.periods.index("2021-W10")
    vb = page.plot.getPlotItem().getViewBox()
    y_mid = sum(vb.viewRange()[1]) / 2
    at = page.plot.mapFromScene(vb.mapViewToScene(QPointF(chart.xs[i], y_mid)))
    hover(page.plot.viewport(), at)
    qtbot.waitUntil(lambda: chart.readout.text() != "", timeout=5_000)
    assert chart.readout.text() == f"2021-W10: all {int(counts.get('2021-W10', 0)):,}"
    # a row chosen in the table is marked on the chart too (keyboard users read the values there)
    rect = page.table.visualItemRect(page.table.item(0, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chart.readout.text() == f"{want[0][0]}: all {want[0][1]}"
    assert chart.crosshair.isVisible() and chart.crosshair.value() == chart.xs[0]


def test_revenue_per_vendor_and_currency_in_a_date_range_and_its_exports(
    qtbot, make_window, known, tmp_path, monkeypatch
):
    page = open_analytics(qtbot, make_window())
    pick(qtbot, page, page.metric_box, "Revenue")
    type_into(qtbot, page, page.controls.from_edit, "2020-12-31")
    type_into(qtbot, page, page.controls.to_edit, "2021-03-13")
    pick(qtbot, page, page.split_box, "Per vendor")
    sel = known[(known["ci"] >= "2020-12-31") & (known["ci"] <= "2021-03-13") & ~known["cxl"]].copy()
    sel["p"] = sel["ci"].dt.strftime("%Y-%m")
    sums = sel.groupby(["vendor", "currency", "p"])["amount_minor"].sum()
    keys = sorted({(v, c) for v, c, _ in sums.index})
    assert headers(page.table) == ["Period", *(f"{v} {c}" for v, c in keys)]
    periods = ["2020-12", "2021-01", "2021-02", "2021-03"]  # February has no check-in: 0, not a gap
    assert [row[0] for row in cells(page.table)] == periods

    def exact(v: str, c: str, p: str) -> Decimal:
        return Decimal(int(sums.get((v, c, p), 0))).scaleb(-EXPONENT[c])

    for r, p in enumerate(periods):
        for col, (v, c) in enumerate(keys, start=1):
            assert Decimal(page.table.item(r, col).text().replace(",", "")) == exact(v, c, p)

    png, csv_path = tmp_path / "out" / "trend", tmp_path / "out" / "trend.csv"
    png.parent.mkdir()
    answers = iter([str(png), str(csv_path)])
    monkeypatch.setattr(chart_widgets, "ask_save_path", lambda *_a: next(answers))
    qtbot.mouseClick(page.trend_chart.png_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.trend_chart.csv_button, Qt.MouseButton.LeftButton)
    image = QImage(str(png) + ".png")  # the extension is added when the name has none
    assert not image.isNull() and image.width() >= page.plot.width() and image.height() >= page.plot.height()
    first = theme.chart_palette(page.palette()).series_color(0).rgb()
    pixels = {image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    assert first in pixels  # the first series is drawn in the image
    with open(csv_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Period", *(f"{v} {c}" for v, c in keys)]
    for r, p in enumerate(periods, start=1):
        assert rows[r][0] == p
        assert [Decimal(x) for x in rows[r][1:]] == [exact(v, c, p) for v, c in keys]
        assert all("," not in x for x in rows[r])  # no thousands separators: the numbers themselves
    assert str(csv_path) in page.status.text()


def test_rate_histograms_and_tops_match_pandas(qtbot, make_window, known):
    page = open_analytics(qtbot, make_window())
    pick(qtbot, page, page.metric_box, "Cancellation rate")
    pick(qtbot, page, page.controls.filter_boxes["property"], "Hotel A")
    sel = known[known["property_name"] == "Hotel A"].copy()
    sel["p"] = sel["ci"].dt.strftime("%Y-%m")
    rate = sel.groupby("p")["cxl"].mean()
    for period, shown in cells(page.table):
        if period in rate:
            assert number(shown) == pytest.approx(rate[period] * 100, abs=0.005)
        else:
            assert shown == "–"  # no bookings: no rate (not 0 %)

    # lead time (check-in day - booked_at's day in UTC) in fixed bins, every status
    booked = sel[sel["booked_at"].notna()]
    lead = (booked["ci"] - local_day(booked, "UTC")).dt.days
    edges = [-np.inf, -0.5, 0.5, 7.5, 30.5, 90.5, 180.5, 365.5, np.inf]
    binned = pd.cut(lead, edges).value_counts(sort=False).tolist()
    assert [number(r[1]) for r in cells(page.bars["lead"].table)] == binned
    assert f"median {lead.median():,.2f}" in page.bars["lead"].title.text()

    los = sel.loc[~sel["cxl"], "nights"].astype(int)
    los_edges = [-0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 14.5, 28.5, np.inf]
    want_los = pd.cut(los, los_edges).value_counts(sort=False).tolist()
    assert [number(r[1]) for r in cells(page.bars["los"].table)] == want_los

    by_channel = sel.groupby("channel").agg(b=("cxl", "size"), c=("cxl", "sum"))
    by_channel = by_channel.sort_values("b", ascending=False, kind="stable")
    assert [(r[0], number(r[1]), number(r[2])) for r in cells(page.bars["channel"].table)] == [
        (ch, b, c) for ch, (b, c) in by_channel.iterrows()
    ]
    page.tabs.setCurrentWidget(page.bars["room_type"])
    rooms = sel["room_type"].value_counts()
    assert {r[0]: number(r[1]) for r in cells(page.bars["room_type"].table)} == rooms.to_dict()


def test_no_bookings_match_and_bad_input_are_said_in_one_line(qtbot, make_window, known):
    page = open_analytics(qtbot, make_window())
    pick(qtbot, page, page.controls.filter_boxes["vendor"], "zenith")
    type_into(qtbot, page, page.controls.from_edit, "2030-01-01")
    type_into(qtbot, page, page.controls.to_edit, "2030-01-31")
    assert page.stack.currentWidget() is page.empty and page.empty.isVisible()
    assert "No bookings match vendor zenith, check-in 2030-01-01 to 2030-01-31 in Office" in page.empty.text()
    assert page.table.rowCount() == 0
    type_into(qtbot, page, page.controls.from_edit, "2030-02-30")
    assert "From '2030-02-30' is not a date (YYYY-MM-DD)" in page.status.text()
    assert page.controls.from_edit.text() == "2030-02-30"  # what the user typed stays as typed
    type_into(qtbot, page, page.controls.from_edit, "2030-02-01")
    assert "is after" in page.status.text()  # a range that ends before it starts
    type_into(qtbot, page, page.controls.from_edit, "")
    type_into(qtbot, page, page.controls.to_edit, "")
    type_into(qtbot, page, page.controls.zone_box.lineEdit(), "Mars/Olympus_Mons")
    assert "unknown time zone 'Mars/Olympus_Mons'" in page.status.text()
    type_into(qtbot, page, page.controls.zone_box.lineEdit(), "UTC")
    assert page.stack.currentWidget() is not page.empty and page.trend.query.vendor == "zenith"
    assert "\n" not in page.status.text()


def test_a_new_choice_supersedes_the_read_under_way(qtbot, make_window, known):
    page = open_analytics(qtbot, make_window())
    qtbot.keyClick(page.metric_box, Qt.Key.Key_End)  # lead time
    qtbot.waitUntil(lambda: not page._settle.isActive(), timeout=5_000)  # its read has started
    assert page.loading
    pick(qtbot, page, page.metric_box, "Room nights")
    assert page.dashboard.metric == "nights" and page.trend.query.metric == "nights"
    want = known[~known["cxl"]].assign(p=lambda d: d["ci"].dt.strftime("%Y-%m")).groupby("p")["nights"].sum()
    shown = {p: number(v) for p, v in cells(page.table)}
    assert shown == {p: want.get(p, 0) for p in shown} and sum(shown.values()) == want.sum()


def test_the_charts_are_readable_in_light_and_dark(qtbot, make_window, known):
    def luminance(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    def contrast(a: QColor, b: QColor) -> float:
        hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
        return (hi + 0.05) / (lo + 0.05)

    app = QApplication.instance()
    light = app.palette()
    page = open_analytics(qtbot, make_window())
    pick(qtbot, page, page.split_box, "Per channel")
    try:
        for palette, dark in ((light, False), (theme.dark_palette(), True)):
            app.setPalette(palette)
            qtbot.waitUntil(lambda d=dark: page.trend_chart._colors.dark == d, timeout=5_000)
            bg = page.plot.backgroundBrush().color()
            assert (bg.lightness() < 128) == dark
            text = page.plot.getAxis("left").textPen().color()
            assert contrast(text, bg) >= 4.5
            pens = [item.opts["pen"].color() for item in page.plot.getPlotItem().listDataItems()]
            assert len(pens) == 2 and pens[0] != pens[1]
            assert all(contrast(p, bg) >= 3 for p in pens)
            assert all(contrast(c, bg) >= 3 for c in theme.chart_palette(palette).series)
    finally:
        app.setPalette(light)


def test_a_database_that_does_not_answer_is_one_line(qtbot, make_window, office):
    w = make_window()
    page = open_analytics(qtbot, w)
    w.connection_target = ConnectionTarget(uri="mongodb://127.0.0.1:9", db_name="x", label="Nowhere")
    qtbot.waitUntil(lambda: page.error is not None and not page.loading, timeout=30_000)
    assert page.error.startswith("Cannot read the analytics from Nowhere")
    assert "\n" not in page.error and "Traceback" not in page.error
    assert page.stack.currentWidget() is page.empty


def test_check_ins_keep_their_day_in_any_zone_and_lead_times_follow_the_zone(qtbot, make_window, known):
    page = open_analytics(qtbot, make_window())
    in_utc = cells(page.table)
    type_into(qtbot, page, page.controls.zone_box.lineEdit(), "Pacific/Auckland")
    assert page.trend.query.tz == "Pacific/Auckland"
    assert cells(page.table) == in_utc  # a check-in is a civil date: the same month in every zone
    assert "from the rollup" in page.status.text() and "days in Pacific/Auckland" in page.status.text()
    booked = known[known["booked_at"].notna()]
    lead = (booked["ci"] - local_day(booked, "Pacific/Auckland")).dt.days
    edges = [-np.inf, -0.5, 0.5, 7.5, 30.5, 90.5, 180.5, 365.5, np.inf]
    want = pd.cut(lead, edges).value_counts(sort=False).tolist()
    assert [number(r[1]) for r in cells(page.bars["lead"].table)] == want
    utc_lead = (booked["ci"] - local_day(booked, "UTC")).dt.days
    assert (lead != utc_lead).any()  # the data has bookings whose day differs in Auckland (the test means it)
    assert f"mean {lead.mean():,.2f}" in page.bars["lead"].title.text()


def test_average_daily_rate_of_one_currency_and_status_matches_pandas(qtbot, make_window, known):
    page = open_analytics(qtbot, make_window())
    pick(qtbot, page, page.metric_box, "Average daily rate")
    pick(qtbot, page, page.controls.filter_boxes["currency"], "JPY")
    pick(qtbot, page, page.controls.filter_boxes["status"], "confirmed")
    assert headers(page.table) == ["Period", "JPY"]
    assert [p.getAxis("left").labelText for p in page.trend_chart.plots()] == ["Average daily rate (JPY)"]
    sel = known[(known["currency"] == "JPY") & (known["status"] == "confirmed")].copy()
    sel["p"] = sel["ci"].dt.strftime("%Y-%m")
    g = sel.groupby("p").agg(minor=("amount_minor", "sum"), nights=("nights", "sum"))
    for period, shown in cells(page.table):
        if period in g.index and g.at[period, "nights"]:
            assert number(shown) == pytest.approx(g.at[period, "minor"] / g.at[period, "nights"], abs=0.005)
        else:
            assert shown == "–"  # no nights: no rate
    # the bars read out too: a bin chosen in the length-of-stay table
    page.tabs.setCurrentWidget(page.bars["los"])
    los = page.bars["los"]
    rect = los.table.visualItemRect(los.table.item(3, 0))
    qtbot.mouseClick(los.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    nights3 = int((sel["nights"] == 3).sum())
    assert los.readout.text() == f"3: {nights3:,}"
