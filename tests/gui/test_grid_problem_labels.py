"""The problems panel never hides what it says: in a narrow dock the counts stay whole, a name that
does not fit keeps its whole text (and an example message) in its tooltip, and the summary wraps."""

from __future__ import annotations

import pytest
from gui_helpers import open_and_wait
from PySide6.QtCore import Qt

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
