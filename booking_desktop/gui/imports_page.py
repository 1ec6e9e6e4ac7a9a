"""The Imports page: every import of the connected database and what needs a manager's attention.

- the history (newest first): when, which file, vendor, status, records and what became of them, how long
  it took, records per second, who ran it; failed imports are marked with the error colour and
  interrupted ones with the warning colour, the error itself in the status cell's tooltip;
- imports per day over the last weeks, every day shown (a day without a file is a zero, not a gap that a
  chart hides), failed and interrupted imports stacked in their colours;
- each vendor's last file, how long ago, and its usual interval;
- the alerts of :func:`booking_desktop.analytics.health.alerts_of`, with the thresholds set in the page
  and kept in the settings; changing one recomputes the alerts at once from the records already read.

The import records are read once per refresh, on a worker; the rest is computed from them (there are few).
Days and times are in the page's zone (UTC unless the window gives another), the same for the table and
the chart, so that an import near midnight is on the same day in both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyqtgraph as pg  # type: ignore[import-untyped]  # pyqtgraph ships no type information
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.analytics import health
from booking_desktop.analytics.periods import local_day, periods_between, zone
from booking_desktop.gui import charts, recent_files, theme
from booking_desktop.gui.connection_manager import ConnectionManager

HISTORY_COLUMNS = (
    "Started",
    "File",
    "Vendor",
    "Status",
    "Records",
    "Inserted",
    "Updated",
    "Unchanged",
    "Rejected",
    "Duration",
    "Records/s",
    "By",
)
NUMERIC = {4, 5, 6, 7, 8, 9, 10}
LAST_COLUMNS = ("Vendor", "Files", "Last file", "Since", "Usually every")
HISTORY_ROWS = 500  # the table shows the latest ones; the chart and the alerts use them all
CHART_DAYS = 42
SETTINGS_PREFIX = "imports/alerts/"
STATUS_ROLE = Qt.ItemDataRole.UserRole


def read_imports(target: Any, local: Any) -> list[dict[str, Any]]:
    """On a worker: every import record of ``target``'s database (None = the local database), oldest first."""
    from booking_desktop.storage.connection import open_connection

    conn = open_connection(local.target() if target is None else target, indexes=False)
    try:
        return health.imports_of(conn.db)
    finally:
        conn.close()


def span(seconds: float | None) -> str:
    """A duration as a person reads it: 0.8 s, 42 s, 3 min 05 s, 2 h 10 min, 3.5 days."""
    if seconds is None:
        return "–"
    if seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        m, s = divmod(round(seconds), 60)
        return f"{m} min {s:02d} s"
    if seconds < 2 * 86400:
        h, m = divmod(round(seconds / 60), 60)
        return f"{h} h {m:02d} min"
    return f"{seconds / 86400:.1f} days"


class SpinSetting:
    """A threshold's spin box, its settings key and its default (a stored value that is not a number, or
    is out of range, is the default again: never a traceback)."""

    def __init__(self, box: QSpinBox | QDoubleSpinBox, key: str, default: float, scale: float = 1.0):
        self.box, self.key, self.default, self.scale = box, SETTINGS_PREFIX + key, default, scale

    def load(self) -> None:
        raw: Any = recent_files.settings().value(self.key, self.default)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = self.default
        if not self.box.minimum() <= value * self.scale <= self.box.maximum():
            value = self.default
        self.box.blockSignals(True)
        if isinstance(self.box, QSpinBox):
            self.box.setValue(round(value))
        else:
            self.box.setValue(value * self.scale)
        self.box.blockSignals(False)

    def save(self) -> None:
        recent_files.settings().setValue(self.key, self.value)

    @property
    def value(self) -> float:
        return float(self.box.value()) / self.scale


class ImportsPage(charts.ChartPage):
    def __init__(self, connections: ConnectionManager, parent: QWidget | None = None, tz: str = "UTC"):
        super().__init__("historyPage", "history", connections, parent)
        self.tz = tz
        self._zone = zone(tz)
        self.docs: list[dict[str, Any]] | None = None  # None: not read (or the read failed)
        self.history: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.read_at = datetime.now(UTC)

        self.table = QTableWidget(0, len(HISTORY_COLUMNS))
        self.table.setObjectName("historyTable")
        self.table.setAccessibleName("Imports history")
        self.table.setHorizontalHeaderLabels([f"Started ({tz})", *HISTORY_COLUMNS[1:]])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.per_day_plot = charts.new_plot("importsPerDayPlot", "Imports per day")
        self.last_table = QTableWidget(0, len(LAST_COLUMNS))
        self.last_table.setObjectName("lastFilesTable")
        self.last_table.setAccessibleName("Each vendor's last file")
        self.last_table.setHorizontalHeaderLabels(list(LAST_COLUMNS))
        self.last_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.last_table.verticalHeader().setVisible(False)
        self.last_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.last_table.horizontalHeader().setStretchLastSection(True)

        self.silence = QDoubleSpinBox()
        self.silence.setObjectName("alertSilenceFactor")
        self.silence.setRange(1.0, 100.0)
        self.silence.setSingleStep(0.5)
        self.silence.setDecimals(1)
        self.silence.setSuffix(" × usual interval")
        self.min_files = QSpinBox()
        self.min_files.setObjectName("alertMinFiles")
        self.min_files.setRange(2, 1000)
        self.min_files.setSuffix(" files")
        self.max_rate = QDoubleSpinBox()
        self.max_rate.setObjectName("alertMaxRejection")
        self.max_rate.setRange(0.0, 100.0)
        self.max_rate.setSingleStep(0.5)
        self.max_rate.setDecimals(1)
        self.max_rate.setSuffix(" %")
        self.failed_days = QDoubleSpinBox()
        self.failed_days.setObjectName("alertFailedDays")
        self.failed_days.setRange(0.0, 3650.0)
        self.failed_days.setDecimals(0)
        self.failed_days.setSuffix(" days")
        d = health.Thresholds()
        self.settings = [
            SpinSetting(self.silence, "silence_factor", d.silence_factor),
            SpinSetting(self.min_files, "min_imports", d.min_imports),
            SpinSetting(self.max_rate, "max_rejection_rate", d.max_rejection_rate, scale=100.0),
            SpinSetting(self.failed_days, "failed_within_days", d.failed_within_days),
        ]
        for s in self.settings:
            s.load()
            s.box.valueChanged.connect(lambda _v, s=s: self._threshold_changed(s))
        self.alerts_list = QListWidget()
        self.alerts_list.setObjectName("alertsList")
        self.alerts_list.setAccessibleName("Alerts")
        self.alerts_list.setWordWrap(True)
        self.alerts_summary = QLabel("")
        self.alerts_summary.setObjectName("alertsSummary")
        self.alerts_summary.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Vendor silent for more than", self.silence)
        form.addRow("once it has sent", self.min_files)
        form.addRow("Rejection rate above", self.max_rate)
        form.addRow("Failed imports of the last", self.failed_days)
        alerts_tab = QWidget()
        al = QVBoxLayout(alerts_tab)
        al.addLayout(form)
        al.addWidget(self.alerts_summary)
        al.addWidget(self.alerts_list, 1)
        self.side_tabs = QTabWidget()  # tabs, not a stack of boxes: the page's minimum height stays small
        self.side_tabs.setObjectName("importsSideTabs")
        self.side_tabs.addTab(alerts_tab, "Alerts")
        self.side_tabs.addTab(self.last_table, "Each vendor's last file")

        top = QHBoxLayout()
        top.addWidget(QLabel("<h3>Imports</h3>"))
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.per_day_plot)
        bottom.addWidget(self.side_tabs)
        bottom.setSizes([600, 450])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(bottom)
        split.setSizes([380, 420])
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        self.restyle()

    # ------------------------------------------------------------------ reading
    def thresholds(self) -> health.Thresholds:
        silence, min_files, max_rate, failed_days = (s.value for s in self.settings)
        return health.Thresholds(
            silence_factor=silence,
            min_imports=int(min_files),
            max_rejection_rate=max_rate,
            failed_within_days=failed_days,
        )

    def refresh(self) -> None:
        if self.reads.start(read_imports, self.connections.target, self.connections.local_db, again=self.refresh):
            self.status.setText(f"Reading the imports of {self.connections.label}…")

    def _failed(self, message: str) -> None:
        self.docs = None
        self._render()
        self.status.setText(f"Cannot read the imports of {self.connections.label}: {message}")

    def _show(self, docs: list[dict[str, Any]]) -> None:
        self.docs = docs
        self.read_at = datetime.now(UTC)
        self._render()
        n = len(self.history)
        if not n:
            self.status.setText(f"No imports yet in {self.connections.label}.")
            return
        bad = sum(1 for h in self.history if h["status"] in ("failed", "interrupted"))
        shown = f"the latest {HISTORY_ROWS:,} of {n:,}" if n > HISTORY_ROWS else f"{n:,}"
        self.status.setText(
            f"{shown} import(s) in {self.connections.label}"
            + (f", {bad:,} failed or interrupted (marked)." if bad else ".")
        )

    def _threshold_changed(self, setting: SpinSetting) -> None:
        setting.save()
        self._show_alerts()

    # ------------------------------------------------------------------ showing
    def _style(self) -> None:
        charts.style(self.per_day_plot, self.palette(), f"Imports per day, last {CHART_DAYS} days", "imports")

    def _render(self) -> None:
        docs = self.docs or []
        self.history = health.history_of(docs)
        self._show_history()
        self._show_per_day()
        self._show_last_files()
        self._show_alerts()

    def local(self, iso: str | None) -> str:
        if not iso:
            return ""
        return datetime.fromisoformat(iso).astimezone(self._zone).strftime("%Y-%m-%d %H:%M")

    def _show_history(self) -> None:
        rows = self.history[:HISTORY_ROWS]
        self.table.setRowCount(len(rows))
        for r, h in enumerate(rows):
            rate = h["records_per_second"]
            cells = (
                self.local(h["started_at"]),
                str(h["file"] or ""),
                str(h["vendor"] or ""),
                str(h["status"] or ""),
                f"{h['records']:,}",
                *(f"{h[k]:,}" for k in ("inserted", "updated", "unchanged", "rejected")),
                span(h["seconds"]),
                "–" if rate is None else f"{rate:,.0f}",
                str(h["user"] or ""),
            )
            colour = {"failed": theme.error_color, "interrupted": theme.warning_color}.get(str(h["status"]))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in NUMERIC:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if colour is not None:
                    item.setBackground(QBrush(colour(self.palette())))
                    item.setData(STATUS_ROLE, h["status"])
                if c == 3 and h.get("error"):
                    item.setToolTip(str(h["error"]))
                self.table.setItem(r, c, item)

    def per_day(self) -> tuple[list[str], dict[str, dict[str, int]]]:
        """The chart's days (the last CHART_DAYS up to today, in the page's zone) and their counts."""
        today = local_day(self.read_at, self._zone)
        days = periods_between(today - timedelta(days=CHART_DAYS - 1), today, "day")
        return days, health.imports_per_day(self.history, self.tz)

    def _show_per_day(self) -> None:
        charts.clear(self.per_day_plot)
        days, counts = self.per_day()
        charts.category_ticks(self.per_day_plot, [d[5:] for d in days], max_ticks=8)
        xs = list(range(len(days)))
        zero = {"imports": 0, "failed": 0, "interrupted": 0}
        failed = [counts.get(d, zero)["failed"] for d in days]
        interrupted = [counts.get(d, zero)["interrupted"] for d in days]
        other = [counts.get(d, zero)["imports"] - f - i for d, f, i in zip(days, failed, interrupted, strict=True)]
        pal = self.palette()
        base = [0] * len(days)
        shown = 0
        for name, heights, colour in (
            ("completed or running", other, theme.series_color(0, pal)),
            ("failed", failed, theme.error_text_color(pal)),
            ("interrupted", interrupted, theme.warning_text_color(pal)),
        ):
            if any(heights) or name == "completed or running":
                bars = pg.BarGraphItem(
                    x=xs, y0=base, height=heights, width=0.8, brush=colour, pen=pg.mkPen(None), name=name
                )
                self.per_day_plot.addItem(bars)
                shown += 1
            base = [b + h for b, h in zip(base, heights, strict=True)]
        self.per_day_plot.setXRange(-0.5, len(days) - 0.5, padding=0)
        charts.legend_columns(self.per_day_plot, shown)
        charts.y_range(self.per_day_plot, max(base, default=0), integer=True)

    def _show_last_files(self) -> None:
        last = health.last_files_of(self.docs or [], self.read_at)
        self.last_table.setRowCount(len(last))
        for r, lf in enumerate(last):
            cells = (
                lf["vendor"],
                f"{lf['files']:,}",
                self.local(lf["last_at"]),
                span(lf["seconds_since_last"]) + " ago",
                span(lf["usual_interval_seconds"]),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (1, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.last_table.setItem(r, c, item)

    def _mark_silent(self, silent: set[str]) -> None:
        for r in range(self.last_table.rowCount()):
            first = self.last_table.item(r, 0)
            marked = first is not None and first.text() in silent
            for c in range(self.last_table.columnCount()):
                item = self.last_table.item(r, c)
                if item is None:
                    continue
                item.setBackground(QBrush(theme.warning_color(self.palette())) if marked else QBrush())
                item.setData(STATUS_ROLE, "silent" if marked else None)

    def _show_alerts(self) -> None:
        self.alerts = health.alerts_of(self.docs or [], self.thresholds(), self.read_at)
        self.alerts_list.clear()
        pal = self.palette()
        for a in self.alerts:
            item = QListWidgetItem(("⚠ " if a["kind"] in ("vendor_silent", "rejection_rate") else "✖ ") + a["message"])
            item.setData(STATUS_ROLE, a["kind"])
            failed = a["kind"].startswith("import_")
            item.setForeground(theme.error_text_color(pal) if failed else theme.warning_text_color(pal))
            self.alerts_list.addItem(item)
        self._mark_silent({a["vendor"] for a in self.alerts if a["kind"] == "vendor_silent"})
        self.side_tabs.setTabText(0, f"Alerts ({len(self.alerts)})" if self.alerts else "Alerts")
        if self.docs is None:
            self.alerts_summary.setText("")
        elif self.alerts:
            self.alerts_summary.setText(f"{len(self.alerts)} alert(s) with these thresholds:")
        else:
            self.alerts_summary.setText("No alerts with these thresholds.")
