"""Building a transform with the form, in the real window: the preview shows the first records
before and after, and OK maps the grid's column with it (one undo step).  The file matches no
profile, so its mapping is a suggested one without a vendor."""

from __future__ import annotations

import pandas as pd
import pytest
from gui_helpers import choose_item, on_modal, open_and_wait
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from booking_desktop.gui.transform_dialog import TransformDialog

pytestmark = pytest.mark.gui


def column(w, field: str) -> list[str | None]:
    m = w.model
    c = m.fields.index(field)
    return [m.data(m.index(r, c)) for r in range(m.rowCount())]


def preview_cells(dlg: TransformDialog) -> tuple[list[str], list[list[str]]]:
    t = dlg.preview_table
    headers = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    return headers, [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def tick(qtbot, lst, name: str) -> None:
    """Select the item and press Space, as a keyboard user ticks it."""
    item = lst.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    lst.scrollToItem(item)
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(item).center())
    qtbot.keyClick(lst, Qt.Key.Key_Space)
    assert item.checkState() == Qt.CheckState.Checked


@pytest.fixture
def window(qtbot, make_window, bookings_csv, tmp_path):
    w = make_window(profiles_dir=tmp_path / "no_profiles")
    open_and_wait(qtbot, w, bookings_csv)
    w.page.mapping_dock.raise_()
    qtbot.waitUntil(lambda: w.mapping_panel.isVisible() and w.mapping_panel._raw is not None, timeout=10_000)
    return w


def test_joining_two_columns_with_the_form_previews_and_maps_the_column(qtbot, window, bookings_csv):
    w = window
    csv = pd.read_csv(bookings_csv, dtype=str)
    expected = (csv["guest_name"] + " @ " + csv["hotel"]).tolist()  # computed apart from the app
    seen = {}

    def build(dlg):
        assert isinstance(dlg, TransformDialog)
        choose_item(qtbot, dlg.kind_combo, "Join columns")
        form = dlg.form()
        tick(qtbot, form.widget("concat"), "guest_name")
        tick(qtbot, form.widget("concat"), "hotel")
        qtbot.keyClicks(form.widget("sep"), " @ ")
        seen["preview"] = preview_cells(dlg)
        seen["yaml"] = dlg.editor.toPlainText()
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok.isEnabled(), dlg.error.text()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    on_modal(build)
    with qtbot.waitSignal(w.model.modelReset, timeout=30_000):
        qtbot.mouseClick(w.mapping_panel._rows["customer_name"].edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.files.is_remapping, timeout=30_000)
    headers, rows = seen["preview"]
    assert headers == ["guest_name", "hotel", "→ customer_name"]
    assert rows[0] == [csv["guest_name"][0], csv["hotel"][0], expected[0]]
    assert [r[-1] for r in rows] == expected[: len(rows)]
    assert "concat" in seen["yaml"] and "sep: ' @ '" in seen["yaml"]
    assert column(w, "customer_name") == expected
    assert w.session.result.profile.fields["customer_name"] == {"concat": ["guest_name", "hotel"], "sep": " @ "}
    assert w.session.undo_label == "Change mapping"
    # regression: a suggested mapping has no vendor, and no edit of it was applied until one was typed;
    # the vendor is asked before the commit instead
    assert w.session.needs_vendor


def test_a_constant_typed_in_the_form_fills_every_row(qtbot, window):
    w = window
    seen = {}

    def build(dlg):
        choose_item(qtbot, dlg.kind_combo, "Constant")
        qtbot.keyClicks(dlg.form().widget("constant"), "2")
        seen["after"] = [r[-1] for r in preview_cells(dlg)[1]]
        qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    on_modal(build)
    with qtbot.waitSignal(w.model.modelReset, timeout=30_000):
        qtbot.mouseClick(w.mapping_panel._rows["adults"].edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not w.files.is_remapping, timeout=30_000)
    n = len(w.session.text)
    assert seen["after"] == ["2"] * min(n, 5)
    assert column(w, "adults") == ["2"] * n


def test_an_incomplete_form_cannot_be_accepted_and_says_what_is_missing(qtbot, window):
    w = window
    seen = {}

    def build(dlg):
        choose_item(qtbot, dlg.kind_combo, "Sum")
        tick(qtbot, dlg.form().widget("sum"), "nights")  # a sum needs two
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["one"] = (ok.isEnabled(), dlg.error.text())
        tick(qtbot, dlg.form().widget("sum"), "adults")
        seen["two"] = ok.isEnabled()
        dlg.reject()

    on_modal(build)
    qtbot.mouseClick(w.mapping_panel._rows["children"].edit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "two" in seen, timeout=10_000)
    assert seen["one"][0] is False and "at least 2" in seen["one"][1]
    assert seen["two"] is True
    assert not w.session.can_undo  # cancelled: nothing applied
