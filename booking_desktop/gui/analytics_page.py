"""The Analytics page for managers: the trend of a metric, lead time, length of stay and the top
properties / room types / channels, each chart with its numbers in a table beside it.

The page only shows what :func:`booking_desktop.analytics.dashboard.read_dashboard` computes (the
definitions the CLI's ``report trends`` uses).  Reads run on a worker: the window never freezes, and a
new choice supersedes the read under way (it is cancelled between its steps and its result, should it
still arrive, is ignored), so what is drawn is always the last choice made.  Choices that arrive in a
burst (a list scrolled with the keyboard) are gathered for :data:`SETTLE_MS` into one read.

States: reading (the last charts stay, the status says so), charts, empty ("No bookings match ..." or
an empty database), error (one line; the log has the details).  ``first_chart_seconds`` is the time
from the page being opened to its first charts drawn.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import theme
from booking_desktop.gui.analytics_controls import AnalyticsControls
from booking_desktop.gui.chart_widgets import BarChart, ChartPanel, TrendChart, display
from booking_desktop.gui.connection_manager import ConnectionManager
from booking_desktop.gui.workers import GeneratorWorker

log = logging.getLogger(__name__)
SETTLE_MS = 120
Y_LABELS = {
    "bookings": "Bookings",
    "cancellations": "Cancelled bookings",
    "cancellation_rate": "Cancelled (% of bookings)",
    "nights": "Room nights",
    "revenue": "Revenue",
    "adr": "Average daily rate",
    "lead_time": "Mean lead time (days)",
}


def read_page(target: Any, local: Any, query: Any, metric: str, cancelled: Any) -> Any:
    """On a worker: everything the page shows for ``query`` in ``target``'s database (None = local)."""
    from booking_desktop.analytics.dashboard import read_dashboard
    from booking_desktop.storage.connection import open_connection

    conn = open_connection(local.target() if target is None else target, indexes=False)
    try:
        return (yield from read_dashboard(conn.db, query, metric, cancelled))
    finally:
        conn.close()


class AnalyticsPage(QWidget):
    def __init__(self, connections: ConnectionManager, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("analyticsPage")
        self.connections = connections
        self.dashboard: Any = None  # the last Dashboard drawn
        self.trend: Any = None  # its Trend (what the tests and the screenshots wait for)
        self.error: str | None = None
        self.first_chart_seconds: float | None = None
        self._opened_at: float | None = None
        self._workers: list[GeneratorWorker] = []
        self._generation = 0
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._start)

        self.controls = AnalyticsControls()
        self.controls.changed.connect(self.refresh)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("analyticsRefresh")
        self.refresh_button.setToolTip("Read the numbers again (F5)")
        self.refresh_button.setShortcut("F5")
        self.refresh_button.clicked.connect(self.refresh)
        self.status = QLabel("")
        self.status.setObjectName("analyticsStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.trend_chart = TrendChart()
        self.bars: dict[str, BarChart] = {
            "lead": BarChart("lead_time", "Lead time (days)"),
            "los": BarChart("length_of_stay", "Length of stay (nights)"),
            "property": BarChart("top_properties", "Top properties"),
            "room_type": BarChart("top_room_types", "Top room types"),
            "channel": BarChart("top_channels", "Top channels"),
        }
        self.tabs = QTabWidget()
        self.tabs.setObjectName("analyticsTabs")
        for key, text in (
            ("lead", "Lead time"),
            ("los", "Length of stay"),
            ("property", "Top properties"),
            ("room_type", "Top room types"),
            ("channel", "Top channels"),
        ):
            self.tabs.addTab(self.bars[key], text)
        charts = QSplitter(Qt.Orientation.Vertical)
        charts.setChildrenCollapsible(False)
        charts.addWidget(self.trend_chart)
        charts.addWidget(self.tabs)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 2)
        self.empty = QLabel("")
        self.empty.setObjectName("analyticsEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setMargin(40)
        self.stack = QStackedWidget()
        self.stack.addWidget(charts)
        self.stack.addWidget(self.empty)

        title = QLabel("<h3>Analytics</h3>")
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(title, alignment=Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.controls, 1)
        row.addWidget(self.refresh_button, alignment=Qt.AlignmentFlag.AlignTop)
        # the choices scroll sideways in a narrow window rather than widen its minimum size
        choices = QScrollArea()
        choices.setObjectName("analyticsChoices")
        choices.setWidget(bar)
        choices.setWidgetResizable(True)
        choices.setFrameShape(QFrame.Shape.NoFrame)
        choices.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        choices.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        choices.setFixedHeight(bar.sizeHint().height() + choices.horizontalScrollBar().sizeHint().height() + 2)
        lay = QVBoxLayout(self)
        lay.addWidget(choices)
        lay.addWidget(self.status)
        lay.addWidget(self.stack, 1)
        for panel in self.panels():
            panel.message.connect(lambda text, failed: self._say(text, error=failed))
        self._apply_colors()
        connections.changed.connect(lambda _label: self.refresh() if self.isVisible() else None)

    # -- what tests and the window reach --------------------------------------------------------
    def panels(self) -> list[ChartPanel]:
        return [self.trend_chart, *self.bars.values()]

    @property
    def loading(self) -> bool:
        # a worker leaves the list when its ``finished`` arrives, after its result was drawn
        return self._settle.isActive() or bool(self._workers)

    # the controls, by the names the first version of this page had
    metric_box = property(lambda self: self.controls.metric_box)
    period_box = property(lambda self: self.controls.period_box)
    date_box = property(lambda self: self.controls.date_box)
    split_box = property(lambda self: self.controls.split_box)
    plot = property(lambda self: self.trend_chart.plot)
    table = property(lambda self: self.trend_chart.table)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._opened_at is None:  # the first read starts now: nothing to gather yet
            self._opened_at = time.perf_counter()
            self._settle.stop()
            self._start()
            return
        self.refresh()

    def hideEvent(self, event: Any) -> None:
        """Another page (or the window closing): the reads under way stop and nothing late is drawn; the
        page reads again when it is shown."""
        super().hideEvent(event)
        if event.spontaneous():  # the window minimised: its page stays as it is
            return
        self._settle.stop()
        for w in self._workers:
            w.cancel()
        self._generation += 1

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colors()
            if self.dashboard is not None:
                self._draw(self.dashboard)

    # -- reading --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read again for the current choices (gathered with any made within SETTLE_MS)."""
        self._settle.start()

    def _start(self) -> None:
        from booking_desktop.analytics.periods import PeriodError

        for w in self._workers:
            w.cancel()  # superseded: stops between its reads; its result is ignored
        self._generation += 1
        try:
            q = self.controls.query()
        except PeriodError as exc:
            self._show_error(str(exc), bad_input=True)
            return
        gen = self._generation
        metric = self.controls.metric_name
        self._say(f"Reading {self.controls.metric_box.currentText().lower()} from {self.connections.label}…")
        w = GeneratorWorker(read_page, self.connections.target, self.connections.local_db, q, metric)
        w.signals.progress.connect(lambda msg, g=gen: self._progress(g, msg))
        w.signals.result.connect(lambda d, g=gen: self._arrived(g, d))
        w.signals.errored.connect(lambda msg, g=gen: self._failed(g, msg))
        w.signals.finished.connect(lambda w=w: self._forget(w))
        self._workers.append(w)
        w.start()

    def _progress(self, gen: int, msg: Any) -> None:
        if gen != self._generation:
            return
        if isinstance(msg, str):
            self._say(f"Reading from {self.connections.label}: {msg}…")
        else:  # the dashboard but its lead times, still being counted: draw the rest now
            self._arrived(gen, msg, partial=True)

    def _forget(self, w: GeneratorWorker) -> None:
        if w in self._workers:
            self._workers.remove(w)

    def _failed(self, gen: int, msg: str) -> None:
        if gen == self._generation:
            self._show_error(f"Cannot read the analytics from {self.connections.label}: {msg}")

    def _show_error(self, msg: str, bad_input: bool = False) -> None:
        self.error = msg
        self._say(msg, error=True)
        if not bad_input:  # a typo keeps the last charts on screen; a failed read does not show stale ones
            self.empty.setText(msg)
            self.stack.setCurrentWidget(self.empty)

    def _arrived(self, gen: int, dash: Any, partial: bool = False) -> None:
        if gen != self._generation:
            return  # a newer choice was made meanwhile
        self.error = None
        self.dashboard = dash
        self._draw(dash)
        if self.first_chart_seconds is None and self._opened_at is not None:
            self.first_chart_seconds = time.perf_counter() - self._opened_at
            log.info("analytics: first chart %.3f s after the page opened", self.first_chart_seconds)
        if not partial:
            self.trend = dash.trend

    # -- drawing --------------------------------------------------------------------------------
    def _apply_colors(self) -> None:
        colors = theme.plot_colors(self.palette())
        for p in self.panels():
            p.apply_colors(colors)
        muted = theme.muted_text_color(self.palette()).name()
        self.empty.setStyleSheet(f"color: {muted}; font-size: 15px;")

    def _draw(self, dash: Any) -> None:
        from booking_desktop.analytics.dashboard import describe
        from booking_desktop.analytics.periods import key_start

        self.controls.set_choices(dash.choices)
        q = dash.query
        label = self.connections.label
        if dash.database_empty:
            self._empty(f"No bookings in {label} yet: import a file to see its trends.")
            return
        if dash.matched == 0:
            self._empty(f"No bookings match {describe(q)} in {label}. Change the filters or the dates.")
            return
        self.stack.setCurrentIndex(0)
        tr = dash.trend
        starts = [key_start(p, q.by) for p in tr.periods]
        note = " — one chart per currency, never converted nor added" if q.metric in ("revenue", "adr") else ""
        self.trend_chart.title.setText(f"<b>{self.controls.metric_box.currentText()} by {q.by}</b>{note}")
        money = q.metric in ("revenue", "adr")
        self.trend_chart.show_trend(
            tr.periods,
            starts,
            dash.trend_table(),
            dash.metric == "cancellation_rate",
            Y_LABELS[dash.metric],
            [s.currency for s in tr.series] if money else None,
        )
        lead, los = dash.lead, dash.los
        if lead is None:
            self.bars["lead"].title.setText(f"<b>Lead time (days)</b> — counting in {q.tz} from the bookings…")
            self.bars["lead"].clear()
        else:
            self.bars["lead"].title.setText(f"<b>Lead time (days)</b>{_stats(lead, 'bookings with a booking date')}")
        self.bars["lead"].show_bars(dash.lead_table())
        self.bars["los"].title.setText(f"<b>Length of stay (nights)</b>{_stats(los, 'bookings not cancelled')}")
        self.bars["los"].show_bars(dash.los_table())
        for by in ("property", "room_type", "channel"):
            self.bars[by].show_bars(dash.top_table(by))
        where = "the rollup" if dash.source == "rollup" else "the bookings themselves (slower: not in the rollup)"
        self._say(
            f"{dash.matched:,} booking(s) match; {len(tr.periods)} period(s), {len(tr.series)} series, "
            f"from {where} of {label}; days in {q.tz}; read in {dash.seconds:.2f} s."
        )

    def _say(self, text: str, error: bool = False) -> None:
        """The status line (plain text: a vendor's name is never read as markup); red for an error."""
        color = theme.error_text_color(self.palette()).name() if error else ""
        self.status.setStyleSheet(f"color: {color};" if color else "")
        self.status.setText(text)

    def _empty(self, text: str) -> None:
        self._say(text)
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        for p in self.panels():
            p.clear()
            p.table.setRowCount(0)
            p.table_data = None


def _stats(d: dict[str, Any], of: str) -> str:
    if not d.get("count"):
        return ""
    return f" — {d['count']:,} {of}; mean {display(d['mean'])}, median {display(d['median'])}"

