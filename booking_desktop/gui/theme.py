"""Colours that carry meaning (error, warning, health), for light and dark palettes.

Why a module: the grid, the mapping panel and the status bar must agree on what
"error" looks like, and the colours must stay readable when the operator runs a
dark palette.  Every helper takes the palette in force (``widget.palette()`` or
``QApplication.palette()``) and picks the light or dark variant from the
window colour's lightness, so nothing here depends on a platform style name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

# (light palette, dark palette) pairs.  Backgrounds are soft so text stays
# readable; foregrounds are strong enough for small text on the window colour.
_ERROR_BG = ("#f8d0d0", "#6b2a2a")
_WARNING_BG = ("#fbe7b5", "#5e4b1c")
_AMBIGUOUS_BG = ("#dbe8fb", "#243d5e")
_ERROR_FG = ("#b00020", "#ff8a80")
_WARNING_FG = ("#8a5a00", "#ffd180")
_OK_FG = ("#1b7a2f", "#7ee08f")
_MUTED_FG = ("#6b6b6b", "#9e9e9e")
# the frame of the grid's current cell: near-black on light, near-white on dark, so that it stands
# out (3:1 or more) on the plain, the selected, the error and the warning backgrounds alike
_CURRENT_CELL = ("#141414", "#f4f4f4")
# a note across the top of a page (the Import page's file notes): its own text colour on its own
# background, both picked from the palette in force, so that neither follows the other into the unreadable
_BANNER_BG = ("#fbe7b5", "#4a3a10")
_BANNER_FG = ("#3b2a00", "#ffe6a6")
class Health(StrEnum):
    """Traffic-light state of a connection."""

    OK = "ok"  # green: answering quickly
    SLOW = "slow"  # amber: answering, but slowly, or checking
    DOWN = "down"  # red: not answering
    UNKNOWN = "unknown"  # grey: not checked yet


def _palette(palette: QPalette | None) -> QPalette:
    return palette if palette is not None else QGuiApplication.palette()


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is dark (lightness below half)."""
    return _palette(palette).color(QPalette.ColorRole.Window).lightness() < 128


def _pick(pair: tuple[str, str], palette: QPalette | None) -> QColor:
    return QColor(pair[1] if is_dark(palette) else pair[0])


def error_color(palette: QPalette | None = None) -> QColor:
    """Background of a cell with an error."""
    return _pick(_ERROR_BG, palette)


def warning_color(palette: QPalette | None = None) -> QColor:
    """Background of a cell with a warning (distinct from errors by hue, not only shade)."""
    return _pick(_WARNING_BG, palette)


def ambiguous_color(palette: QPalette | None = None) -> QColor:
    """Background of a mapping row that needs the operator's decision (e.g. dmy vs mdy)."""
    return _pick(_AMBIGUOUS_BG, palette)


def error_brush(palette: QPalette | None = None) -> QBrush:
    return QBrush(error_color(palette))


def warning_brush(palette: QPalette | None = None) -> QBrush:
    return QBrush(warning_color(palette))


def ambiguous_brush(palette: QPalette | None = None) -> QBrush:
    return QBrush(ambiguous_color(palette))


def error_text_color(palette: QPalette | None = None) -> QColor:
    """Foreground for error text shown on the window background (labels, counts)."""
    return _pick(_ERROR_FG, palette)


def warning_text_color(palette: QPalette | None = None) -> QColor:
    return _pick(_WARNING_FG, palette)


def ok_text_color(palette: QPalette | None = None) -> QColor:
    return _pick(_OK_FG, palette)


def muted_text_color(palette: QPalette | None = None) -> QColor:
    return _pick(_MUTED_FG, palette)


def current_cell_color(palette: QPalette | None = None) -> QColor:
    """Frame around the grid's current cell."""
    return _pick(_CURRENT_CELL, palette)


def banner_colors(palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(background, text) of a note across the top of a page."""
    return _pick(_BANNER_BG, palette), _pick(_BANNER_FG, palette)


def series_color(n: int, palette: QPalette | None = None) -> QColor:
    """The colour of a chart's ``n``-th series (the same hue in light and dark)."""
    return plot_colors(palette).series_color(n)


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio (1 to 21): 4.5 or more for text, 3 or more for lines and large text."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def health_color(health: Health | str, palette: QPalette | None = None) -> QColor:
    """Dot colour of the connection status: green / amber / red / grey."""
    h = Health(health)
    if h is Health.OK:
        return ok_text_color(palette)
    if h is Health.SLOW:
        return warning_text_color(palette)
    if h is Health.DOWN:
        return error_text_color(palette)
    return muted_text_color(palette)


def dark_palette() -> QPalette:
    """A neutral dark palette (Fusion-friendly), for the screenshots and for users who ask for it."""
    p = QPalette()
    window, base, text = QColor("#2b2b2b"), QColor("#1f1f1f"), QColor("#e6e6e6")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#262626"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#3a3a3a"))
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, QColor("#353535"))
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.BrightText, QColor("#ff5252"))
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3d6fb6"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a8a8a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a7a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
    return p


DARK_SETTING = "ui/dark"


def dark_wanted(settings: Any) -> bool:
    return str(settings.value(DARK_SETTING, "false")).lower() in ("true", "1")


def apply(app: Any, dark: bool) -> None:
    """Switch the whole application to the dark palette or back to the style's own light one."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


# -- charts (pyqtgraph): background, axes and text, grid, and the series colours ---------------------
# Series colours keep 3:1 or more against their plot background (lines and bars are graphical objects):
# darker hues on the light plot, lighter ones on the dark plot, in the same order so that a series keeps
# its hue when the palette changes.
_PLOT_BG = ("#ffffff", "#1c1c1c")
_PLOT_FG = ("#2b2b2b", "#dcdcdc")
_PLOT_GRID = ("#c8c8c8", "#4a4a4a")
_PLOT_CURSOR = ("#7a7a7a", "#9a9a9a")
_SERIES = (
    ("#0b62a4", "#6cb4ff"),
    ("#c4461b", "#ff8f5a"),
    ("#1b7f4a", "#5fd38a"),
    ("#8e44ad", "#c792ea"),
    ("#9a6400", "#f2c14e"),
    ("#0f7f91", "#4fd1e0"),
    ("#b0306a", "#ff7eb6"),
    ("#555555", "#c8c8c8"),
)


class PlotColors:
    """The colours of one chart in the palette in force (``dark`` tells which variant)."""

    def __init__(self, dark: bool):
        i = 1 if dark else 0
        self.dark = dark
        self.background = QColor(_PLOT_BG[i])
        self.foreground = QColor(_PLOT_FG[i])
        self.grid = QColor(_PLOT_GRID[i])
        self.cursor = QColor(_PLOT_CURSOR[i])
        self.series = tuple(QColor(pair[i]) for pair in _SERIES)

    def series_color(self, n: int) -> QColor:
        return self.series[n % len(self.series)]


def plot_colors(palette: QPalette | None = None) -> PlotColors:
    return PlotColors(is_dark(palette))
