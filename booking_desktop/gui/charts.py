"""What the managers' Data quality and Imports pages share: their frame (:class:`ChartPage`), and about
their pyqtgraph charts: colours from the palette in force (light or dark, :mod:`booking_desktop.gui.theme`),
a category axis whose labels are the core's own period keys (so the axis can never disagree with the
grouping), and a plot set up the same way on every page."""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg  # type: ignore[import-untyped]  # pyqtgraph ships no type information
from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from booking_desktop.gui import theme
from booking_desktop.gui.workers import PageReads

MAX_TICKS = 12


def new_plot(name: str, accessible: str) -> Any:
    """A plot with a grid and a legend, its mouse zoom kept to what a manager needs (no right-click menu
    full of options, pan and zoom on the x axis only)."""
    plot = pg.PlotWidget()
    plot.setObjectName(name)
    plot.setAccessibleName(accessible)
    plot.showGrid(x=False, y=True, alpha=0.3)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=True, y=False)
    plot.addLegend(offset=(10, 5))
    plot.setMinimumSize(200, 120)  # a small window keeps its size (the pages share its minimum)
    return plot


def style(plot: Any, palette: QPalette, title: str = "", y_label: str = "") -> None:
    """Background, axes, labels, title and legend text in the palette's light or dark variant."""
    bg, fg = theme.plot_colors(palette)
    plot.setBackground(bg)
    for side in ("left", "bottom"):
        axis = plot.getAxis(side)
        axis.setPen(fg)
        axis.setTextPen(fg)
    plot.setTitle(title, color=fg.name(), size="10pt")
    plot.setLabel("left", y_label, color=fg.name())
    legend = plot.getPlotItem().legend
    if legend is not None:
        legend.setLabelTextColor(fg)
        legend.setBrush(pg.mkBrush(bg.red(), bg.green(), bg.blue(), 200))


def category_ticks(plot: Any, labels: list[str], max_ticks: int = MAX_TICKS) -> None:
    """Label x = 0, 1, 2... with ``labels`` (every n-th one when there are many)."""
    step = max(1, -(-len(labels) // max_ticks))
    plot.getAxis("bottom").setTicks([[(i, t) for i, t in enumerate(labels) if i % step == 0]])


def legend_columns(plot: Any, entries: int, most: int = 4) -> None:
    """The legend in one row across the top (up to ``most`` entries a row), over the headroom that
    :func:`y_range` leaves, so that it does not sit on the data."""
    legend = plot.getPlotItem().legend
    if legend is not None:
        legend.setColumnCount(max(1, min(entries, most)))


def y_range(plot: Any, top: float, integer: bool = False, least: float = 1.0, headroom: float = 1.3) -> None:
    """From zero (a value is seen as its size) to ``top`` with room for the legend; counts get whole
    ticks (no "0.5 imports")."""
    high = max(top, least) * headroom
    plot.setYRange(0, high, padding=0)
    axis = plot.getAxis("left")
    if integer:
        major = max(1, math.ceil(max(top, least) / 6))
        axis.setTickSpacing(major, major)
    else:
        axis.setTickSpacing()


def clear(plot: Any) -> None:
    """No data items and no legend entries left from the last answer."""
    plot.clear()
    legend = plot.getPlotItem().legend
    if legend is not None:
        legend.clear()


class ChartPage(QWidget):
    """What the managers' Data quality and Imports pages share: a status line and a Refresh button, one
    read at a time on a worker (:class:`~booking_desktop.gui.workers.PageReads`: a page shown, Refresh, a
    change of connection), and charts restyled on a switch of palette.  A page gives :meth:`refresh`,
    ``_show`` / ``_failed`` (the read's outcome), ``_style`` (its charts) and ``_render`` (what it shows)."""

    def __init__(self, name: str, prefix: str, connections: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.connections = connections
        self._styling = False
        self.status = QLabel("")
        self.status.setObjectName(f"{prefix}Status")
        self.status.setWordWrap(True)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName(f"{prefix}Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.reads = PageReads(self.refresh_button, self._show, self._failed)
        connections.changed.connect(lambda _label: self.refresh() if self.isVisible() else None)

    @property
    def loading(self) -> bool:
        return self.reads.loading

    def refresh(self) -> None:
        raise NotImplementedError

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def _failed(self, message: str) -> None:
        raise NotImplementedError

    def _style(self) -> None:
        raise NotImplementedError

    def _render(self) -> None:
        raise NotImplementedError

    def restyle(self) -> None:
        """The charts in the palette in force (styling changes the palette too: not a switch)."""
        self._styling = True
        try:
            self._style()
        finally:
            self._styling = False

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self._styling:  # light <-> dark
            self.restyle()
            self._render()
