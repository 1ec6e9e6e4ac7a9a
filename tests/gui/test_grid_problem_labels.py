"""The problems panel never hides what it says: in a narrow dock the counts stay whole, a name that
does not fit keeps its whole text (and an example message) in its tooltip, and the summary wraps."""

from __future__ import annotations

import pytest
from gui_helpers import open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

pytestmark = pytest.mark.gui

LONG_CSV = """booking_ref,status,guest_name,hotel,check_in,check_out,adults,total,currency,booked_at,country
R1,confirmed,Ann,H,2024-05-01,2024-05-03,2,10.00,EUR,2024-06-01T10:00:00Z,DE
R2,confirmed,Bob,H,2024-05-02,2024-05-01,2,x,EUR,2024-06-01T10:00:00Z,QQ
,confirmed,Cy,H,2024-05-02,2024-05-04,2,10.00,EUR,2024-04-01T10:00:00Z,FR
"""


def items(tree):
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        yield top
        for j in range(top.childCount()):
            yield top.child(j)


@pytest.mark.parametrize("width", [150, 230])
def test_narrow_problems_panel_keeps_counts_whole_and_names_in_tooltips(qtbot, make_window, tmp_path, width):
    path = tmp_path / "long.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    w = make_window()
    open_and_wait(qtbot, w, path)
    page, panel = w.page, w.error_panel
    qtbot.wait(100)  # the dock widened to its names as the file opened; then the operator narrows it
    page.resizeDocks([page.errors_dock], [width], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: panel.width() <= width + 40)
    qtbot.wait(50)
    tree = panel.tree
    fm = tree.fontMetrics()
    codes = {str(c) for c in w.session.result.problems.frame["code"]}
    assert {"booked_after_check_in", "date_order", "required"} <= codes  # long labels, warnings and errors
    names_cut = 0
    for item in items(tree):
        # the count is never cut
        count_rect = tree.visualItemRect(item)
        assert tree.columnWidth(1) >= fm.horizontalAdvance(item.text(1)), item.text(1)
        assert count_rect.isValid()
        # the name either fits or its tooltip holds the whole of it
        indent = tree.indentation() * (2 if item.parent() is not None else 1)
        fits = fm.horizontalAdvance(item.text(0)) + indent <= tree.columnWidth(0)
        names_cut += not fits
        tip = item.toolTip(0)
        assert item.text(0).split(" (")[0] in tip, (item.text(0), tip)
        if item.parent() is not None:
            assert f"{int(item.text(1).replace(',', '')):,} cell(s)" in tip and "For example:" in tip
    tops = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    ref = next(t for t in tops if t.text(0) == "booking_ref")
    assert "Booking ref" in ref.toolTip(0)  # the column's title in the grid, for finding it there
    if width == 150:
        assert names_cut > 0  # the dock is narrow enough to elide: the tooltips are what the user has
    # the summary wraps instead of being cut
    s = panel.summary
    assert s.wordWrap() and s.height() >= s.heightForWidth(s.width())
    assert "with errors" in s.text() and s.toolTip().count("\n") >= 2


def test_problem_tooltips_quote_a_real_message_of_that_code(qtbot, make_window, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    w = make_window()
    open_and_wait(qtbot, w, path)
    f = w.session.result.problems.frame
    for item in items(w.error_panel.tree):
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if key is None or key[1] is None:
            continue
        field, code = key
        msgs = f.loc[(f["field"].astype(object).fillna("(row)") == field) & (f["code"] == code), "message"]
        assert f"For example: {msgs.iloc[0]}" in item.toolTip(0)


@pytest.mark.parametrize("dark", [True, False])
def test_problem_colours_follow_a_switch_of_palette(qtbot, make_window, bookings_csv, dark):
    """Switching to the dark palette left the counts on the light palette's pink, under light text."""
    from PySide6.QtWidgets import QApplication

    from booking_desktop.gui import theme

    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    app = QApplication.instance()
    old_palette, old_style = app.palette(), app.style().name()
    try:
        w.set_dark(not dark)
        w.set_dark(dark)
        panel = w.error_panel
        qtbot.waitUntil(lambda: theme.is_dark(panel.palette()) is dark)
        children = [i for i in items(panel.tree) if i.parent() is not None]
        assert children
        for item in children:
            sev = "error" if "(error)" in item.text(0) else "warning"
            want = theme.error_color(panel.palette()) if sev == "error" else theme.warning_color(panel.palette())
            assert item.background(0).color() == want, item.text(0)
    finally:
        app.setPalette(old_palette)
        app.setStyle(old_style)


def test_the_record_details_problem_colours_follow_a_switch_to_dark(qtbot, make_window, bookings_csv):
    from gui_helpers import click_cell
    from PySide6.QtWidgets import QApplication

    from booking_desktop.gui import theme

    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    app = QApplication.instance()
    old_palette, old_style = app.palette(), app.style().name()
    try:
        w.set_dark(False)
        click_cell(qtbot, w, 3, "amount")
        light = theme.error_text_color(w.details.palette()).name()
        assert light in w.details.problems.text()
        w.set_dark(True)
        qtbot.waitUntil(lambda: theme.is_dark(w.details.palette()))
        dark = theme.error_text_color(w.details.palette()).name()
        assert dark != light and dark in w.details.problems.text() and light not in w.details.problems.text()
    finally:
        app.setPalette(old_palette)
        app.setStyle(old_style)


def test_commit_marks_in_the_row_header_follow_a_switch_to_dark(qtbot, make_window, bookings_csv):
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from booking_desktop.gui import theme
    from booking_desktop.gui.grid_model import MARK_ERROR, MARK_OK

    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    app = QApplication.instance()
    old_palette, old_style = app.palette(), app.style().name()
    m = w.model
    try:
        w.set_dark(False)
        m.set_row_marks(np.array([MARK_OK, MARK_ERROR, 0, 0, 0, 0], dtype=np.int8), {MARK_OK: "in", MARK_ERROR: "out"})
        deco = Qt.ItemDataRole.DecorationRole
        assert m.headerData(0, Qt.Orientation.Vertical, deco) == theme.ok_text_color()
        w.set_dark(True)
        qtbot.waitUntil(lambda: theme.is_dark())
        assert m.headerData(0, Qt.Orientation.Vertical, deco) == theme.ok_text_color()
        assert m.headerData(1, Qt.Orientation.Vertical, deco) == theme.error_text_color()
        assert theme.ok_text_color() != QColor("#1b7a2f")  # the dark variant, not the light one
    finally:
        app.setPalette(old_palette)
        app.setStyle(old_style)


def test_opened_file_shows_every_problem_name_whole(qtbot, make_window, tmp_path):
    """As opened (no narrowing by the user), the problems dock widens until no name is elided."""
    path = tmp_path / "long.csv"
    path.write_text(LONG_CSV, encoding="utf-8")
    w = make_window()
    w.resize(1400, 860)
    w.show()
    open_and_wait(qtbot, w, path)
    tree = w.error_panel.tree
    fm = tree.fontMetrics()

    def cut() -> list[str]:
        out = []
        for item in items(tree):
            indent = tree.indentation() * (2 if item.parent() is not None else 1)
            if fm.horizontalAdvance(item.text(0)) + indent > tree.columnWidth(0):
                out.append(item.text(0))
        return out

    assert any(item.text(0).startswith("booked_after_check_in") for item in items(tree))
    qtbot.waitUntil(lambda: not cut(), timeout=3000)
    assert w.page.errors_dock.width() <= int(w.page.width() * 0.4) + 1  # the grid keeps most of the page
