"""Chart panels of the Analytics page: a pyqtgraph chart, the same numbers in a table beside it, a hover
read-out of exact values, and export of the chart as PNG and of its numbers as CSV.

Why the x axis is civil days: every period the core returns is already a calendar day / ISO week / month
*in the chosen zone* (analytics/periods.py), so the axis places each period at its first day (days since
1970-01-01, no time zone left to apply) and labels it with the period's own key.  The axis can then never
disagree with the grouping, months of 28 and 31 days are spaced as they are, and zooming keeps dates.

The table holds the core's exact values (:class:`booking_desktop.analytics.dashboard.Table`); the screen
shows them rounded for reading, the CSV export writes them exactly.
"""

from __future__ import annotations

import bisect
import math
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyqtgraph as pg  # type: ignore[import-untyped]  # pyqtgraph ships no type information
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.prompts import ask_save_path

EPOCH = date(1970, 1, 1).toordinal()
MAX_SYMBOLS = 60  # points drawn with a marker up to this many periods (beyond, the markers hide the line)
EXPORT_DIR_KEY = "analytics/export_dir"
STACKED_AXIS_WIDTH = 84  # px: value axes of plots stacked per currency line up (room for "12,345,678")


def day_number(d: date) -> int:
    return d.toordinal() - EPOCH


def display(v: Any, percent: bool = False) -> str:
    """A value as the table shows it (the CSV keeps it exact)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return str(v)
    if percent and isinstance(v, int | float):
        return f"{v * 100:,.2f} %"
    if isinstance(v, Decimal):
        places = max(0, -int(v.as_tuple().exponent)) if isinstance(v.as_tuple().exponent, int) else 2
        return f"{v:,.{places}f}"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


class PeriodAxis(pg.AxisItem):
    """An axis whose ticks are the positions given by :meth:`set_labels`, labelled with their names and
    thinned out so that the labels never overlap."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._xs: list[float] = []
        self._names: dict[float, str] = {}
        self._px_per_label = 60.0

    def set_labels(self, xs: list[float], names: list[str]) -> None:
        self._xs = list(xs)
        self._names = dict(zip(xs, names))
        longest = max((len(n) for n in names), default=4)
        self._px_per_label = 7.0 * longest + 18
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:
        if not self._xs:
            return []
        lo = bisect.bisect_left(self._xs, minVal)
        hi = bisect.bisect_right(self._xs, maxVal)
        shown = self._xs[lo:hi]
        if not shown:
            return []
        fit = max(1, int(size // self._px_per_label))
        step = max(1, math.ceil(len(shown) / fit))
        # steps that read well: every period, 2, 3, 4, 6 (quarters and half years of months), 12 ...
        for nice in (1, 2, 3, 4, 6, 12, 13, 26, 52):
            if nice >= step:
                step = nice
                break
        start = lo
        if step > 1:  # months on quarter / half-year / year starts (2024-01, 2024-04 ...)
            for i in range(lo, min(hi, lo + step)):
                name = self._names.get(self._xs[i], "")
                if len(name) == 7 and name[4] == "-" and name[5:].isdigit() and (int(name[5:]) - 1) % step == 0:
                    start = i
                    break
        return [(float(step), self._xs[start:hi:step])]

    def boundingRect(self) -> Any:
        # room for the labels at both ends (the first period's), which pyqtgraph would otherwise drop
        return super().boundingRect().adjusted(-40, 0, 40, 0)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [self._names.get(v, "") for v in values]


class ValueAxis(pg.AxisItem):
    """Values with thousands separators and no SI prefix or exponent (1,250,000, not 1.25e+06)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.enableAutoSIPrefix(False)

    def boundingRect(self) -> Any:
        # room for the labels at the ends (the 0 of an axis starting at zero): pyqtgraph leaves none
        # when the axis draws a grid, and drops a label that does not fit
        return super().boundingRect().adjusted(0, -12, 0, 12)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        places = 0 if spacing >= 1 else min(6, max(0, -math.floor(math.log10(spacing))))
        return [f"{v * scale:,.{places}f}" for v in values]


class ChartPanel(QWidget):
    """Title, hover read-out, export buttons; the chart with its table beside it."""

    message = Signal(str, bool)  # a one-line note for the page, and whether it reports a failure

    def __init__(self, name: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"chart_{name}")
        self.name = name
        self.table_data: Any = None  # the dashboard.Table shown
        self.percent = False
        self.title = QLabel(f"<b>{title}</b>")
        self.title.setObjectName(f"chartTitle_{name}")
        self.readout = QLabel("")
        self.readout.setObjectName(f"chartReadout_{name}")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.png_button = QToolButton()
        self.png_button.setText("PNG…")
        self.png_button.setObjectName(f"exportPng_{name}")
        self.png_button.setToolTip("Export this chart as a PNG image")
        self.png_button.clicked.connect(self.export_png)
        self.csv_button = QToolButton()
        self.csv_button.setText("CSV…")
        self.csv_button.setObjectName(f"exportCsv_{name}")
        self.csv_button.setToolTip("Export the numbers of this chart (the table) as CSV, exactly")
        self.csv_button.clicked.connect(self.export_csv)
        self._colors = theme.chart_palette(self.palette())
        self.plot_area = QWidget()  # the chart(s): one plot, or one per currency (TrendChart)
        self.plot_area.setObjectName(f"chartArea_{name}")
        self._area = QVBoxLayout(self.plot_area)
        self._area.setContentsMargins(0, 0, 0, 0)
        self._area.setSpacing(2)
        self.extra: list[Any] = []  # the plots after the first
        self.plot = self._new_plot()
        self.axis: PeriodAxis = self.plot.getAxis("bottom")
        self.crosshair = self.plot.crosshair
        self.table = QTableWidget(0, 0)
        self.table.setObjectName(f"chartTable_{name}")
        self.table.setAccessibleName(f"{title}: values")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        self.table.currentCellChanged.connect(self._row_chosen)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title)
        head.addWidget(self.readout, 1)
        head.addWidget(self.png_button)
        head.addWidget(self.csv_button)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.plot_area)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(split, 1)

    # -- what every chart does ------------------------------------------------------------------
    def _new_plot(self) -> Any:
        plot = pg.PlotWidget(
            axisItems={"bottom": PeriodAxis(orientation="bottom"), "left": ValueAxis(orientation="left")}
        )
        plot.setObjectName(f"chartPlot_{self.name}" if not hasattr(self, "plot") else f"chartPlot_{self.name}_more")
        plot.setMenuEnabled(False)
        plot.setMinimumHeight(90)
        plot.getPlotItem().hideButtons()
        plot.crosshair = pg.InfiniteLine(angle=90, movable=False)
        plot.crosshair.setVisible(False)
        plot.addItem(plot.crosshair, ignoreBounds=True)
        plot.scene().sigMouseMoved.connect(lambda pos, p=plot: self._hover(p, pos))
        self._area.addWidget(plot, 1)
        self._style(plot, self._colors)
        return plot

    def add_plot(self) -> Any:
        """One more plot under the others, on the same x range (a currency of its own)."""
        plot = self._new_plot()
        plot.setXLink(self.plot)
        self.extra.append(plot)
        return plot

    def plots(self) -> list[Any]:
        return [self.plot, *self.extra]

    def clear(self) -> None:
        for plot in self.extra:
            self._area.removeWidget(plot)
            plot.setParent(None)
            plot.deleteLater()
        self.extra = []
        self.plot.clear()
        legend = self.plot.getPlotItem().legend
        if legend is not None:
            legend.clear()
        self.plot.addItem(self.crosshair, ignoreBounds=True)
        self.crosshair.setVisible(False)
        self.readout.setText("")

    def _style(self, plot: Any, colors: theme.PlotColors) -> None:
        plot.setBackground(colors.background)
        for side in ("left", "bottom"):
            ax = plot.getAxis(side)
            ax.setPen(pg.mkPen(colors.foreground))
            ax.setTextPen(pg.mkPen(colors.foreground))
        plot.showGrid(x=False, y=True, alpha=0.35 if colors.dark else 0.25)
        plot.crosshair.setPen(pg.mkPen(colors.cursor, width=1, style=Qt.PenStyle.DashLine))
        legend = plot.getPlotItem().legend
        if legend is not None:
            legend.setLabelTextColor(colors.foreground)
            bg = QColor(colors.background)
            bg.setAlpha(215)
            legend.setBrush(pg.mkBrush(bg))
            legend.setPen(pg.mkPen(colors.grid))

    def apply_colors(self, colors: theme.PlotColors) -> None:
        self._colors = colors
        for plot in self.plots():
            self._style(plot, colors)

    def show_table(self, table: Any) -> None:
        """``table`` (dashboard.Table) in the table view; values shown rounded, kept exact for the CSV."""
        self.table_data = table
        self.table.clear()
        self.table.setColumnCount(len(table.headers))
        self.table.setHorizontalHeaderLabels(list(table.headers))
        self.table.setRowCount(len(table.rows))
        for r, row in enumerate(table.rows):
            for c, v in enumerate(row):
                item = QTableWidgetItem(display(v, percent=self.percent and c > 0))
                if c > 0 and not isinstance(v, str):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def y_from_zero(self, values: list[float], plot: Any = None) -> None:
        """Counts and sums start at zero (a drop is seen as the size it is); auto-range only below zero."""
        plot = plot if plot is not None else self.plot
        finite = [v for v in values if not math.isnan(v)]
        if finite and min(finite) >= 0:
            plot.setYRange(0, max(finite) * 1.08 or 1, padding=0)
        else:
            plot.enableAutoRange(axis="y")

    # -- hover ----------------------------------------------------------------------------------
    def _hover(self, plot: Any, pos: QPointF) -> None:
        vb = plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            plot.crosshair.setVisible(False)
            return
        text, at = self.readout_at(vb.mapSceneToView(pos).x())
        for p in self.plots():
            p.crosshair.setVisible(at is not None)
            if at is not None:
                p.crosshair.setPos(at)
        self.readout.setText(text if at is not None else "")

    def readout_at(self, x: float) -> tuple[str, float | None]:
        raise NotImplementedError

    def x_of_row(self, row: int) -> float | None:
        raise NotImplementedError

    def _row_chosen(self, row: int, *_rest: int) -> None:
        """A row chosen in the table (keyboard or click) is marked on the chart, its values read out."""
        x = self.x_of_row(row) if row >= 0 else None
        text, at = self.readout_at(x) if x is not None else ("", None)
        for p in self.plots():
            p.crosshair.setVisible(at is not None)
            if at is not None:
                p.crosshair.setPos(at)
        self.readout.setText(text if at is not None else "")

    # -- export ---------------------------------------------------------------------------------
    def _suggested(self, ext: str) -> str:
        return f"{self.name}-{date.today().isoformat()}.{ext}"

    def _chosen(self, caption: str, ext: str, filters: str) -> Path | None:
        text = ask_save_path(self, caption, self._suggested(ext), filters, EXPORT_DIR_KEY)
        if not text:
            return None
        path = Path(text)
        if path.suffix.lower() != f".{ext}":
            path = path.with_name(path.name + f".{ext}")
        recent_files.settings().setValue(EXPORT_DIR_KEY, str(path.parent))
        return path

    def export_png(self) -> Path | None:
        path = self._chosen("Export the chart as PNG", "png", "PNG image (*.png)")
        if path is None:
            return None
        for p in self.plots():
            p.crosshair.setVisible(False)
        if not self.plot_area.grab().save(str(path), "PNG"):
            self.message.emit(f"The chart was not exported: {path} could not be written.", True)
            return None
        self.message.emit(f"Chart written to {path}", False)
        return path

    def export_csv(self) -> Path | None:
        if self.table_data is None:
            self.message.emit("Nothing to export yet.", False)
            return None
        path = self._chosen("Export the chart's numbers as CSV", "csv", "CSV (*.csv)")
        if path is None:
            return None
        try:
            self.table_data.write_csv(path)
        except OSError as exc:
            self.message.emit(f"The numbers were not exported: {path}: {exc.strerror or exc}", True)
            return None
        self.message.emit(f"{len(self.table_data.rows):,} row(s) written to {path}", False)
        return path


class TrendChart(ChartPanel):
    """One line per series over the periods, x at each period's first day (civil days)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("trend", "Trend", parent)
        self.plot.addLegend(offset=(10, 5))
        self.xs: list[float] = []
        self.periods: list[str] = []
        self.series_names: list[str] = []
        self.columns: list[list[Any]] = []

    def show_trend(
        self,
        periods: list[str],
        starts: list[date],
        table: Any,
        percent: bool,
        y_label: str,
        groups: list[str | None] | None = None,
    ) -> None:
        """The table's series as lines.  ``groups`` (one per series) puts each group on a plot of its
        own, one under the other on the same x range: money per currency, so that a currency counted in
        thousands (JPY) does not flatten one counted in units (EUR) on a shared axis."""
        self.clear()
        self.percent = percent
        self.periods = list(periods)
        self.xs = [float(day_number(d)) for d in starts]
        self.series_names = list(table.headers[1:])
        self.columns = [[row[c] for row in table.rows] for c in range(1, len(table.headers))]
        groups = list(groups) if groups is not None else [None] * len(self.series_names)
        order = list(dict.fromkeys(groups)) or [None]
        plots = [self.plot]
        for _ in order[1:]:
            extra = self.add_plot()
            extra.addLegend(offset=(10, 5))
            self._style(extra, self._colors)
            plots.append(extra)
        for plot, group in zip(plots, order):
            plot.getAxis("bottom").set_labels(self.xs, self.periods)
            label = f"{y_label} ({group})" if group is not None else y_label
            plot.setLabel("left", label, color=self._colors.foreground.name())
            every: list[float] = []
            members = [n for n, g in enumerate(groups) if g == group]
            for n in members:
                ys = [float("nan") if v is None else float(v) * (100 if percent else 1) for v in self.columns[n]]
                every.extend(ys)
                color = self._colors.series_color(n)
                plot.plot(
                    self.xs,
                    ys,
                    pen=pg.mkPen(color, width=2),
                    symbol="o" if len(ys) <= MAX_SYMBOLS else None,
                    symbolSize=6,
                    symbolBrush=color,
                    symbolPen=color,
                    name=self.series_names[n],
                    connect="finite",
                )
            legend = plot.getPlotItem().legend
            if legend is not None:
                legend.setVisible(len(members) > 1 or len(order) > 1)
            self.y_from_zero(every, plot)
        for plot in plots:  # one period axis, under the last plot; the value axes as wide as each other
            plot.getAxis("bottom").setStyle(showValues=plot is plots[-1])
            plot.getAxis("left").setWidth(STACKED_AXIS_WIDTH if len(plots) > 1 else None)
        if self.xs:
            pad = 0.5 * ((self.xs[-1] - self.xs[0]) / max(1, len(self.xs) - 1) or 1)
            self.plot.setXRange(self.xs[0] - pad, self.xs[-1] + pad, padding=0)
        self.show_table(table)

    def x_of_row(self, row: int) -> float | None:
        return self.xs[row] if 0 <= row < len(self.xs) else None

    def index_at(self, x: float) -> int | None:
        if not self.xs:
            return None
        i = bisect.bisect_left(self.xs, x)
        near = [j for j in (i - 1, i) if 0 <= j < len(self.xs)]
        return min(near, key=lambda j: abs(self.xs[j] - x))

    def readout_at(self, x: float) -> tuple[str, float | None]:
        i = self.index_at(x)
        if i is None:
            return "", None
        values = " · ".join(
            f"{name} {display(col[i], self.percent)}" for name, col in zip(self.series_names, self.columns)
        )
        return f"{self.periods[i]}: {values}", self.xs[i]


class BarChart(ChartPanel):
    """Bars over categories (histogram bins, the top N), one colour, labels on the axis."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None):
        super().__init__(name, title, parent)
        self.labels: list[str] = []
        self.counts: list[Any] = []

    def show_bars(self, table: Any, value_column: int = 1, y_label: str = "Bookings") -> None:
        self.clear()
        self.labels = [str(row[0]) for row in table.rows]
        self.counts = [row[value_column] for row in table.rows]
        xs = [float(i) for i in range(len(self.labels))]
        self.axis.set_labels(xs, self.labels)
        self.plot.setLabel("left", y_label, color=self._colors.foreground.name())
        heights = [float(v or 0) for v in self.counts]
        if xs:
            self.plot.addItem(
                pg.BarGraphItem(x=xs, height=heights, width=0.7, brush=self._colors.series_color(0), pen=pg.mkPen(None))
            )
            self.plot.setXRange(-0.6, len(xs) - 0.4, padding=0)
        self.y_from_zero(heights)
        self.show_table(table)

    def x_of_row(self, row: int) -> float | None:
        return float(row) if 0 <= row < len(self.labels) else None

    def readout_at(self, x: float) -> tuple[str, float | None]:
        i = round(x)
        if not 0 <= i < len(self.labels) or abs(x - i) > 0.45:
            return "", None
        return f"{self.labels[i]}: {display(self.counts[i])}", float(i)
