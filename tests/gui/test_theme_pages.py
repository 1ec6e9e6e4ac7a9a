"""Dark and light palettes both readable: the Import page's file notes (unreadable in dark: the light
amber stayed under text that turned light) and the managers' charts, checked on what is painted."""

from __future__ import annotations

import pytest
from gui_helpers import open_and_wait
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from booking_desktop.gui import theme
from booking_desktop.gui.main_window import PAGES

pytestmark = pytest.mark.gui


@pytest.fixture
def restore_palette():
    app = QApplication.instance()
    old_palette, old_style = app.palette(), app.style().name()
    yield
    app.setPalette(old_palette)
    app.setStyle(old_style)


def painted_background(widget) -> QColor:
    """The colour actually painted in the widget's top-left corner (inside its margins)."""
    return widget.grab().toImage().pixelColor(2, 2)


@pytest.mark.parametrize("first_dark", [False, True])
def test_the_file_notes_stay_readable_across_a_switch_of_palette(
    qtbot, make_window, bookings_csv, restore_palette, first_dark
):
    w = make_window()
    w.set_dark(first_dark)
    open_and_wait(qtbot, w, bookings_csv)
    notes = w.page.notes
    assert notes.isVisible() and notes.label.text()  # no profile matches: the banner says so
    for dark in (first_dark, not first_dark, first_dark):
        w.set_dark(dark)
        qtbot.waitUntil(lambda d=dark: theme.is_dark(w.page.palette()) is d)
        bg, fg = theme.banner_colors(w.page.palette())
        assert painted_background(notes) == bg
        text = notes.label.palette().color(notes.label.foregroundRole())
        assert text == fg
        assert theme.contrast_ratio(text, painted_background(notes)) >= 4.5


def test_the_banner_and_chart_colours_are_readable_in_both_palettes():
    from PySide6.QtGui import QPalette

    for dark in (False, True):
        pal = theme.dark_palette() if dark else QPalette(QColor("#f0f0f0"))
        assert theme.is_dark(pal) is dark
        bg, fg = theme.banner_colors(pal)
        assert theme.contrast_ratio(bg, fg) >= 7
        colors = theme.plot_colors(pal)
        plot_bg, plot_fg = colors.background, colors.foreground
        assert theme.contrast_ratio(plot_bg, plot_fg) >= 7
        for n in range(8):
            assert theme.contrast_ratio(theme.series_color(n, pal), plot_bg) >= 3, (dark, n)


@pytest.fixture
def office(tmp_path, monkeypatch, memory_keyring, server, db):
    from booking_desktop.gui import recent_files
    from booking_desktop.storage.connections import ConnectionStore

    monkeypatch.setenv("BOOKING_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("BOOKING_MONGODB_URI", raising=False)
    ConnectionStore().add("Office", server.uri, db_name=db.name)
    recent_files.settings().setValue("connection/name", "Office")
    return db


@pytest.mark.parametrize("name", ["quality", "history"])
def test_the_charts_follow_a_switch_to_dark(qtbot, make_window, restore_palette, office, name):
    w = make_window()
    w.set_dark(False)
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    w.show_page(name)
    page = w.page_widgets[name]
    assert [n for n, _t in PAGES][w.nav.currentRow()] == name
    plot = page.rate_plot if name == "quality" else page.per_day_plot
    qtbot.waitUntil(lambda: not page.loading, timeout=20_000)
    for dark in (True, False):
        w.set_dark(dark)
        qtbot.waitUntil(lambda d=dark: theme.is_dark(page.palette()) is d)
        colors = theme.plot_colors(page.palette())
        bg, fg = colors.background, colors.foreground
        assert plot.backgroundBrush().color() == bg
        assert plot.getAxis("left").textPen().color() == fg
