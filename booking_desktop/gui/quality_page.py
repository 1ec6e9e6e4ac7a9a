"""The Data quality page: how much of what each vendor sends is rejected, why, and what is still waiting.

- the rejection rate per vendor and period (month or ISO week of the import's start), one line per vendor
  over every period from the first import to the last: a period in which a vendor sent nothing is a gap
  at its place (no records, no rate), never a line drawn across it;
- the error codes per vendor in one period (or all), with how many of those rows are still open; a
  double-click (or Enter) on a row emits :attr:`QualityPage.open_review` (vendor, code) so that the window
  can show the Review queue filtered on that vendor and code;
- the open rejected rows of each vendor by age (``health.AGE_BUCKETS``);
- the same numbers in tables beside the charts.

Everything comes from :func:`booking_desktop.analytics.health.quality_report` (the CLI's ``report quality``
gives the same rows), read on a worker.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg  # type: ignore[import-untyped]  # pyqtgraph ships no type information
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.analytics.health import AGE_BUCKETS, QualityReport
from booking_desktop.gui import charts, theme
from booking_desktop.gui.connection_manager import ConnectionManager

PERIODS = (("month", "Month"), ("week", "ISO week"))
ALL_PERIODS = "All periods"
AGE_LABELS = [label for label, _lo, _hi in AGE_BUCKETS]
CODE_COLUMNS = ("Vendor", "Error code", "Rejected rows", "Still open")
RATE_COLUMNS = ("Vendor", "Period", "Imports", "Received", "Committed", "Rejected", "Rejection rate", "Still open")
AGE_COLUMNS = ("Vendor", *AGE_LABELS, "Open", "Oldest (days)")
KEY_ROLE = Qt.ItemDataRole.UserRole


def read_quality(target: Any, local: Any, by: str, tz: str) -> QualityReport:
    """On a worker: the quality report of ``target``'s database (None = the local database)."""
    from booking_desktop.analytics.health import quality_report
    from booking_desktop.storage.connection import open_connection

    conn = open_connection(local.target() if target is None else target, indexes=False)
    try:
        return quality_report(conn.db, by=by, tz=tz)
    finally:
        conn.close()


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"


def number(n: int) -> str:
    return f"{n:,}"


def _item(text: str, numeric: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if numeric:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(name: str, accessible: str, columns: tuple[str, ...]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setObjectName(name)
    t.setAccessibleName(accessible)
    t.setHorizontalHeaderLabels(list(columns))
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return t


def _fill(table: QTableWidget, rows: list[list[tuple[str, bool]]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, (text, numeric) in enumerate(cells):
            table.setItem(r, c, _item(text, numeric))


class QualityPage(charts.ChartPage):
    open_review = Signal(str, str)  # vendor, error code: the Review queue filtered on both (open rows)

    def __init__(self, connections: ConnectionManager, parent: QWidget | None = None, tz: str = "UTC"):
        super().__init__("qualityPage", "quality", connections, parent)
        self.tz = tz
        self.report: QualityReport | None = None
        self.error: str | None = None

        self.period_box = QComboBox()
        self.period_box.setObjectName("qualityPeriod")
        self.period_box.setAccessibleName("Period")
        for value, text in PERIODS:
            self.period_box.addItem(text, value)
        self.period_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.codes_period_box = QComboBox()
        self.codes_period_box.setObjectName("qualityCodesPeriod")
        self.codes_period_box.setAccessibleName("Error codes of the period")
        self.codes_period_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.codes_period_box.currentIndexChanged.connect(lambda _i: self._show_codes())

        self.rate_plot = charts.new_plot("qualityRatePlot", "Rejection rate per vendor")
        self.age_plot = charts.new_plot("qualityAgePlot", "Open rejected rows by age")
        self.codes_table = _table("qualityCodesTable", "Error codes per vendor", CODE_COLUMNS)
        self.codes_table.setToolTip("Double-click a row (or press Enter) to open its open rows in the Review queue")
        self.codes_table.cellDoubleClicked.connect(lambda row, _col: self._open_row(row))
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.codes_table, context=Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(lambda: self._open_row(self.codes_table.currentRow()))
        self.rates_table = _table("qualityRatesTable", "Rejection rate per vendor and period", RATE_COLUMNS)
        self.ages_table = _table("qualityAgesTable", "Open rejected rows by age", AGE_COLUMNS)

        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Data quality</h3>"))
        by = QLabel("By")
        by.setBuddy(self.period_box)
        top.addWidget(by)
        top.addWidget(self.period_box)
        top.addWidget(self.refresh_button)
        top.addStretch(1)

        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.rate_plot)
        plots.addWidget(self.age_plot)
        plots.setSizes([600, 400])
        codes = QWidget()
        cl = QVBoxLayout(codes)
        cl.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Error codes</b> in"))
        head.addWidget(self.codes_period_box)
        head.addStretch(1)
        cl.addLayout(head)
        cl.addWidget(self.codes_table, 1)
        hint = QLabel("Double-click a row to see its open rows in the Review queue.")
        hint.setObjectName("qualityCodesHint")
        cl.addWidget(hint)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("qualityTables")
        self.tabs.addTab(self.rates_table, "Rejection rate per period")
        self.tabs.addTab(self.ages_table, "Open rows by age")
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.addWidget(codes)
        tables.addWidget(self.tabs)
        tables.setSizes([450, 550])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(plots)
        split.addWidget(tables)
        split.setSizes([500, 400])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)
        self.restyle()

    # ------------------------------------------------------------------ reading
    @property
    def by(self) -> str:
        return str(self.period_box.currentData())

    def refresh(self) -> None:
        """Read again (a choice made while a read runs is read once that one has ended)."""
        args = (self.connections.target, self.connections.local_db, self.by, self.tz)
        if self.reads.start(read_quality, *args, again=self.refresh):
            self.status.setText(f"Reading the data quality of {self.connections.label}…")

    def _failed(self, message: str) -> None:
        """Nothing from another database (or an older read) is left on show as if it were the answer."""
        self.report, self.error = None, message
        self._render()
        self.status.setText(f"Cannot read the data quality of {self.connections.label}: {message}")

    def _show(self, report: QualityReport) -> None:
        self.report, self.error = report, None
        self._render()
        if not report.rows and not report.ages:
            self.status.setText(f"No imports in {self.connections.label} yet: import a file to see its data quality.")
            return
        received = sum(r["received"] for r in report.rows)
        rejected = sum(r["rejected"] for r in report.rows)
        still_open = sum(a["open"] for a in report.ages)
        self.status.setText(
            f"{len(report.vendors)} vendor(s), {len(report.periods)} {self.period_box.currentText().lower()}(s): "
            f"{rejected:,} of {received:,} records rejected ({percent(rejected / received if received else None)}), "
            f"{still_open:,} rejected row(s) still open, in {self.connections.label}; periods of the import's "
            f"start in {report.tz}."
        )

    # ------------------------------------------------------------------ showing
    def _colour(self, vendor: str) -> Any:
        vendors = self.report.vendors if self.report is not None else []
        return theme.series_color(vendors.index(vendor) if vendor in vendors else 0, self.palette())

    def _style(self) -> None:
        charts.style(self.rate_plot, self.palette(), "Rejection rate per vendor", "% of records rejected")
        charts.style(self.age_plot, self.palette(), "Open rejected rows by age", "rows")

    def _render(self) -> None:
        rep = self.report
        self._show_rates(rep)
        self._show_ages(rep)
        periods = list(reversed(rep.periods)) if rep is not None else []
        chosen = self.codes_period_box.currentText()
        self.codes_period_box.blockSignals(True)
        self.codes_period_box.clear()
        self.codes_period_box.addItem(ALL_PERIODS, None)
        for p in periods:
            self.codes_period_box.addItem(p, p)
        found = self.codes_period_box.findText(chosen)
        self.codes_period_box.setCurrentIndex(max(found, 0))
        self.codes_period_box.blockSignals(False)
        self._show_codes()

    def _show_rates(self, rep: QualityReport | None) -> None:
        charts.clear(self.rate_plot)
        rows = rep.rows if rep is not None else []
        _fill(
            self.rates_table,
            [
                [
                    (r["vendor"], False),
                    (r["period"], False),
                    (number(r["imports"]), True),
                    (number(r["received"]), True),
                    (number(r["committed"]), True),
                    (number(r["rejected"]), True),
                    (percent(r["rejection_rate"]), True),
                    (number(r["open"]), True),
                ]
                for r in sorted(rows, key=lambda r: (r["vendor"], r["period"]))
            ],
        )
        if rep is None or not rep.periods:
            charts.category_ticks(self.rate_plot, [])
            return
        charts.category_ticks(self.rate_plot, rep.periods)
        top = 0.0
        xs = list(range(len(rep.periods)))
        for vendor in rep.vendors:
            ys = [math.nan if v is None else 100 * v for v in rep.rates(vendor)]
            if all(math.isnan(y) for y in ys):
                continue
            top = max(top, *(y for y in ys if not math.isnan(y)))
            colour = self._colour(vendor)
            self.rate_plot.plot(
                xs,
                ys,
                pen=pg.mkPen(colour, width=2),
                symbol="o",
                symbolSize=7,
                symbolBrush=colour,
                symbolPen=colour,
                connect="finite",
                name=vendor,
            )
        self.rate_plot.setXRange(-0.5, len(xs) - 0.5, padding=0)
        charts.legend_columns(self.rate_plot, len(rep.vendors))
        charts.y_range(self.rate_plot, top)

    def _show_ages(self, rep: QualityReport | None) -> None:
        charts.clear(self.age_plot)
        ages = rep.ages if rep is not None else []
        _fill(
            self.ages_table,
            [
                [
                    (a["vendor"], False),
                    *((number(a["buckets"][label]), True) for label in AGE_LABELS),
                    (number(a["open"]), True),
                    ("–" if a["oldest_days"] is None else f"{a['oldest_days']:,.1f}", True),
                ]
                for a in ages
            ],
        )
        charts.category_ticks(self.age_plot, AGE_LABELS)
        if not ages:
            return
        width = 0.8 / len(ages)
        top = 0
        for n, a in enumerate(ages):
            heights = [a["buckets"][label] for label in AGE_LABELS]
            top = max(top, *heights)
            colour = self._colour(a["vendor"])
            bars = pg.BarGraphItem(
                x=[i - 0.4 + width * (n + 0.5) for i in range(len(AGE_LABELS))],
                height=heights,
                width=width * 0.9,
                brush=colour,
                pen=pg.mkPen(None),  # a bucket with no rows draws nothing (not a hairline)
                name=a["vendor"],
            )
            self.age_plot.addItem(bars)
        self.age_plot.setXRange(-0.5, len(AGE_LABELS) - 0.5, padding=0)
        charts.legend_columns(self.age_plot, len(ages))
        charts.y_range(self.age_plot, top, integer=True)

    def _show_codes(self) -> None:
        rep = self.report
        period = self.codes_period_box.currentData()
        rows = rep.codes_in(period) if rep is not None else []
        _fill(
            self.codes_table,
            [
                [(c["vendor"], False), (c["code"], False), (number(c["rows"]), True), (number(c["open"]), True)]
                for c in rows
            ],
        )
        for r, c in enumerate(rows):
            for col in range(self.codes_table.columnCount()):
                item = self.codes_table.item(r, col)
                if item is None:
                    continue
                item.setData(KEY_ROLE, (c["vendor"], c["code"]))
                item.setToolTip(f"Double-click: the open rows of {c['vendor']} with {c['code']} in the Review queue")

    def _open_row(self, row: int) -> None:
        item = self.codes_table.item(row, 0) if row >= 0 else None
        key = item.data(KEY_ROLE) if item is not None else None
        if key:
            self.open_review.emit(str(key[0]), str(key[1]))
