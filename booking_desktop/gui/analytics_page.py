"""The Analytics page: one trend chart (pyqtgraph) over the rollup, with the same numbers in a table.

The page only shows what :mod:`booking_desktop.analytics` computes (the CLI's ``report trends`` gives the
same numbers); the query runs on a worker so the window never freezes.  The x axis is the list of
periods the core returns, already in the chosen zone (a day, an ISO week, a month), so the axis can never
disagree with the grouping; one line per series (currency for money, or the split chosen).
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg  # type: ignore[import-untyped]  # pyqtgraph ships no type information
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import theme
from booking_desktop.gui.connection_manager import ConnectionManager
from booking_desktop.gui.workers import GeneratorWorker

METRICS = (
    ("bookings", "Bookings"),
    ("cancellations", "Cancellations"),
    ("nights", "Room nights"),
    ("revenue", "Revenue"),
    ("adr", "Average daily rate"),
    ("lead_time", "Lead time (days)"),
)
PERIODS = (("month", "Month"), ("week", "ISO week"), ("day", "Day"))
DATES = (("check_in", "Check-in"), ("booked_at", "Booked at"))
SPLITS = (("", "No split"), ("vendor", "Per vendor"), ("channel", "Per channel"), ("currency", "Per currency"))
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def read_trend(target: Any, local: Any, query: Any) -> Any:
    """On a worker: the trend of ``query`` in ``target``'s database (None = the local database)."""
    from booking_desktop.analytics import rollup
    from booking_desktop.analytics.metrics import trend
    from booking_desktop.storage.connection import open_connection

    conn = open_connection(local.target() if target is None else target, indexes=False)
    try:
        rows, source = rollup.rows_for(conn.db, query)
        return trend(rows, query, source)
    finally:
        conn.close()


def series_label(s: Any) -> str:
    parts = [str(v) for k, v in s.key.items() if k != "currency"]
    if s.currency:
        parts.append(s.currency)
    return " ".join(parts) or "all"


def cell(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}"
    return f"{v:,}"


class AnalyticsPage(QWidget):
    def __init__(self, connections: ConnectionManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("analyticsPage")
        self.connections = connections
        self._worker: GeneratorWorker | None = None
        self.trend: Any = None
        self.metric_box = self._combo("analyticsMetric", METRICS)
        self.period_box = self._combo("analyticsPeriod", PERIODS)
        self.date_box = self._combo("analyticsDate", DATES)
        self.split_box = self._combo("analyticsSplit", SPLITS)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("analyticsRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel("")
        self.status.setObjectName("analyticsStatus")
        self.status.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("analyticsPlot")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.addLegend()
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("analyticsTable")
        self.table.setAccessibleName("Trend values")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Analytics</h3>"))
        for w in (self.metric_box, self.period_box, self.date_box, self.split_box, self.refresh_button):
            top.addWidget(w)
        top.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)
        for combo in (self.metric_box, self.period_box, self.date_box, self.split_box):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        connections.changed.connect(lambda _label: self.refresh() if self.isVisible() else None)

    def _combo(self, name: str, items: tuple[tuple[str, str], ...]) -> QComboBox:
        c = QComboBox()
        c.setObjectName(name)
        # the choices must not widen the window's minimum size (a small window keeps its size)
        c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        c.setMinimumContentsLength(6)
        for value, text in items:
            c.addItem(text, value)
        return c

    @property
    def loading(self) -> bool:
        return self._worker is not None and not self._worker.is_done

    def query(self) -> Any:
        from booking_desktop.analytics.metrics import TrendQuery

        return TrendQuery(
            metric=self.metric_box.currentData(),
            by=self.period_box.currentData(),
            date=self.date_box.currentData(),
            split=self.split_box.currentData() or None,
        )

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        if self.loading:
            self._again = True
            return
        self._again = False
        q = self.query()
        self.status.setText(f"Reading {self.metric_box.currentText().lower()} from {self.connections.label}…")
        self.refresh_button.setEnabled(False)
        w = GeneratorWorker(read_trend, self.connections.target, self.connections.local_db, q, pass_cancel=False)
        w.signals.result.connect(self._show)
        w.signals.errored.connect(lambda msg: self.status.setText(f"Cannot read the analytics: {msg}"))
        w.signals.finished.connect(self._finished)
        self._worker = w
        w.start()

    def _finished(self) -> None:
        self.refresh_button.setEnabled(True)
        if getattr(self, "_again", False):  # the choice changed while the last query ran
            self.refresh()

    def _show(self, tr: Any) -> None:
        self.trend = tr
        self.plot.clear()
        dark = theme.is_dark(self.palette())
        self.plot.setBackground("#202020" if dark else "w")
        periods = tr.periods
        axis = self.plot.getAxis("bottom")
        step = max(1, len(periods) // 12)
        axis.setTicks([[(i, p) for i, p in enumerate(periods) if i % step == 0]])
        for n, s in enumerate(tr.series):
            ys = [float("nan") if p["value"] is None else float(p["value"]) for p in s.points]
            pen = pg.mkPen(COLOURS[n % len(COLOURS)], width=2)
            self.plot.plot(list(range(len(ys))), ys, pen=pen, symbol="o", symbolSize=5, name=series_label(s))
        values = [float(p["value"]) for s in tr.series for p in s.points if p["value"] is not None]
        if values and min(values) >= 0:  # the axis starts at zero: a drop is seen as the size it is
            self.plot.setYRange(0, max(values) * 1.05 or 1, padding=0)
        else:
            self.plot.enableAutoRange(axis="y")
        self.table.clear()
        self.table.setColumnCount(1 + len(tr.series))
        self.table.setHorizontalHeaderLabels(["Period", *(series_label(s) for s in tr.series)])
        self.table.setRowCount(len(periods))
        for r, p in enumerate(periods):
            self.table.setItem(r, 0, QTableWidgetItem(p))
            for c, s in enumerate(tr.series, start=1):
                item = QTableWidgetItem(cell(s.points[r]["value"]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if not periods or not tr.series:
            self.status.setText(f"No bookings in {self.connections.label} yet: import a file to see its trends.")
        else:
            where = "the rollup" if tr.source == "rollup" else "the bookings themselves (slower)"
            self.status.setText(
                f"{len(periods)} period(s), {len(tr.series)} series, from {where} of "
                f"{self.connections.label}; days in {tr.query.tz}."
            )
