"""How the grid presents its columns: titles an operator reads (the canonical name in the tooltip),
numbers right-aligned, the booking reference frozen at the left edge while scrolling sideways, and
a current cell that stands out in the light and the dark palettes."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import CSV_HEADER, open_and_wait
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from booking_desktop.gui import theme

pytestmark = pytest.mark.gui
NUMBERS = ("amount", "nights", "adults", "children")


@pytest.fixture
def many_rows_csv(tmp_path):
    """300 bookings: enough rows and columns to scroll both ways."""
    p = tmp_path / "many.csv"
    rows = [
        f"B{i:04d},confirmed,Guest Number {i},guest{i}@example.com,Hotel {i % 7},2024-05-01,2024-05-03,2,{1 + i % 3},"
        f"{100 + i}.00,EUR,DE"
        for i in range(300)
    ]
    p.write_text(CSV_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return p


def header_x(view, col: int) -> int:
    return view.horizontalHeader().sectionViewportPosition(col) + view.horizontalHeader().sectionSize(col) // 2


def test_headers_read_as_words_with_the_canonical_name_in_the_tooltip(qtbot, make_window, many_rows_csv):
    w = make_window()
    open_and_wait(qtbot, w, many_rows_csv)
    m = w.model
    title = {f: m.headerData(c, Qt.Orientation.Horizontal) for c, f in enumerate(m.fields)}
    assert title["check_in"] == "Check-in" and title["customer_name"] == "Guest name"
    assert title["booking_ref"] == "Booking ref" and title["check_out"] == "Check-out"
    assert all("_" not in t for t in title.values())
    tip = m.headerData(m.fields.index("customer_name"), Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == "customer_name ← column guest_name"
    # the header the user sees says the title
    hh = w.view.horizontalHeader()
    assert hh.model().headerData(m.fields.index("check_in"), Qt.Orientation.Horizontal) == "Check-in"


def ink_columns(image, rect, background: QColor) -> list[int]:
    """x positions inside ``rect`` where some pixel differs clearly from the background (text ink)."""
    xs = []
    for x in range(rect.left() + 3, rect.right() - 2):
        for y in range(rect.top() + 3, rect.bottom() - 2):
            c = image.pixelColor(x, y)
            if abs(c.red() - background.red()) + abs(c.green() - background.green()) > 150:
                xs.append(x)
                break
    return xs


def test_numbers_are_right_aligned_and_text_left_aligned(qtbot, make_window, many_rows_csv):
    w = make_window()
    open_and_wait(qtbot, w, many_rows_csv)
    m, v = w.model, w.view
    for c, f in enumerate(m.fields):
        align = m.data(m.index(0, c), Qt.ItemDataRole.TextAlignmentRole)
        if f in NUMBERS:
            assert align is not None and Qt.AlignmentFlag(align) & Qt.AlignmentFlag.AlignRight, f
        else:
            assert align is None or not Qt.AlignmentFlag(align) & Qt.AlignmentFlag.AlignRight, f
    # as painted: the amount's digits end at the cell's right edge, a name starts at its left
    v.setCurrentIndex(m.index(5, 0))
    for field, right in (("amount", True), ("customer_name", False)):
        idx = m.index(1, m.fields.index(field))
        v.scrollTo(idx)
        qtbot.wait(20)
        rect = v.visualRect(idx)
        ink = ink_columns(v.viewport().grab().toImage(), rect, v.palette().base().color())
        assert ink, field
        if right:
            assert rect.right() - max(ink) < 12 and min(ink) - rect.left() > 12, (field, rect, min(ink), max(ink))
        else:
            assert min(ink) - rect.left() < 12, (field, rect, min(ink))


def test_the_booking_ref_stays_at_the_left_edge_while_scrolling_sideways(qtbot, make_window, many_rows_csv):
    w = make_window(size=(700, 600))
    open_and_wait(qtbot, w, many_rows_csv)
    v, m = w.view, w.model
    frozen = v.frozen
    key = m.fields.index("booking_ref")
    assert frozen.isVisible() and v.horizontalHeader().visualIndex(key) == 0  # first, whatever the file's order
    assert [c for c in range(m.columnCount()) if not frozen.isColumnHidden(c)] == [key]
    at = frozen.geometry().topLeft()
    assert frozen.width() == v.columnWidth(key)

    bar = v.horizontalScrollBar()
    assert bar.maximum() > 0  # the columns do not fit: there is something to scroll
    bar.setValue(bar.maximum())
    qtbot.wait(20)
    assert frozen.geometry().topLeft() == at and frozen.isVisible()
    row_y = frozen.rowViewportPosition(0) + 3
    assert frozen.indexAt(QPoint(5, row_y)).data() == "B0000"
    assert v.indexAt(QPoint(frozen.width() + 5, row_y)).column() != key  # another column runs under it

    # up and down together, rows of the same height
    v.verticalScrollBar().setValue(150)
    qtbot.wait(20)
    assert frozen.verticalScrollBar().value() == 150
    y = frozen.rowViewportPosition(150) + 3
    assert frozen.indexAt(QPoint(5, y)).row() == v.indexAt(QPoint(frozen.width() + 5, y)).row() == 150
    assert frozen.rowHeight(150) == v.rowHeight(150)
    frozen.verticalScrollBar().setValue(40)  # the wheel over the frozen column scrolls the grid too
    assert v.verticalScrollBar().value() == 40

    # widening the key column widens the frozen column
    v.setColumnWidth(key, v.columnWidth(key) + 30)
    qtbot.wait(20)
    assert frozen.width() == v.columnWidth(key)


def test_the_frozen_column_selects_sorts_and_edits_like_the_grid(qtbot, make_window, many_rows_csv):
    w = make_window(size=(700, 600))
    open_and_wait(qtbot, w, many_rows_csv)
    v, m, frozen = w.view, w.model, w.view.frozen
    key = m.fields.index("booking_ref")
    assert frozen.selectionModel() is v.selectionModel()

    # a click on the frozen cell makes it the grid's current cell (and the record's details show)
    rect = frozen.visualRect(m.index(3, key))
    QTest.mouseClick(frozen.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    assert v.currentIndex() == m.index(3, key)
    assert "Record 4" in w.details.location.text()

    # sorting from the frozen header: descending on the second click, both views in the new order
    hh = frozen.horizontalHeader()
    for _ in range(2):
        QTest.mouseClick(hh.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(header_x(frozen, key), 5))  # fmt: skip
        qtbot.waitUntil(lambda: not m.ordering)
    refs = [m.data(m.index(r, key)) for r in range(m.rowCount())]
    assert refs == sorted(refs, reverse=True) and refs[0] == "B0299"
    assert v.horizontalHeader().sortIndicatorSection() == key
    assert v.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    v.scrollToTop()
    qtbot.wait(20)
    assert frozen.indexAt(QPoint(5, frozen.rowViewportPosition(0) + 3)).data() == "B0299"

    # typing on a key cell edits it where the operator sees it: in the frozen column
    v.setFocus()
    v.setCurrentIndex(m.index(0, key))
    qtbot.keyClick(v, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not None and editor.parent() is frozen.viewport() and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "Z0299")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: frozen.state() != frozen.State.EditingState)
    assert w.session.value(299, "booking_ref") == "Z0299"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is v)  # keys go back to the grid


def test_keyboard_moves_never_leave_the_current_cell_under_the_frozen_column(qtbot, make_window, many_rows_csv):
    w = make_window(size=(700, 600))
    open_and_wait(qtbot, w, many_rows_csv)
    v, m = w.view, w.model
    hh = v.horizontalHeader()
    v.setFocus()
    last = hh.logicalIndex(m.columnCount() - 1)
    v.setCurrentIndex(m.index(2, last))
    v.scrollTo(m.index(2, last))
    assert v.horizontalScrollBar().value() > 0
    for _ in range(m.columnCount() - 2):  # walk left up to the column next to the key
        qtbot.keyClick(v, Qt.Key.Key_Left)
        cur = v.currentIndex()
        assert v.visualRect(cur).left() >= v.frozen.width(), m.fields[cur.column()]
    assert hh.visualIndex(v.currentIndex().column()) == 1


def luminance(c: QColor) -> float:
    def ch(x: float) -> float:
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("dark", [False, True])
def test_the_current_cell_is_framed_clearly_in_light_and_dark(qtbot, make_window, bookings_csv, dark):
    w = make_window()
    open_and_wait(qtbot, w, bookings_csv)
    app = QApplication.instance()
    old_palette, old_style = app.palette(), app.style().name()
    try:
        w.set_dark(dark)
        qtbot.waitUntil(lambda: theme.is_dark(w.view.palette()) is dark)
        pal = w.view.palette()
        assert theme.is_dark(pal) is dark
        frame = theme.current_cell_color(pal)
        m, v = w.model, w.view
        bad = m.index(1, m.fields.index("booking_ref"))  # an error cell: the red background
        for behind in (pal.base().color(), pal.highlight().color(), theme.error_color(pal), theme.warning_color(pal)):
            assert contrast(frame, behind) >= 3.0, (frame.name(), behind.name())  # WCAG non-text contrast
        amount = m.index(3, m.fields.index("amount"))
        v.setFocus()
        v.setCurrentIndex(amount)
        qtbot.wait(30)
        img = v.viewport().grab().toImage()
        rect = v.visualRect(amount)
        edge = [img.pixelColor(rect.left() + 1, rect.center().y()), img.pixelColor(rect.center().x(), rect.top() + 1)]
        assert all(c.name() == frame.name() for c in edge), [c.name() for c in edge]
        other = v.visualRect(m.index(4, m.fields.index("amount")))
        assert img.pixelColor(other.left() + 1, other.center().y()).name() != frame.name()  # only the current one
        # the frozen column frames its current cell the same way
        v.setCurrentIndex(bad)
        qtbot.wait(30)
        fimg = v.frozen.viewport().grab().toImage()
        frect = v.frozen.visualRect(bad)
        assert fimg.pixelColor(frect.left() + 1, frect.center().y()).name() == frame.name()
    finally:
        app.setPalette(old_palette)
        app.setStyle(old_style)


VENDOR_COLUMN_PROFILE = """\
version: 1
name: vendor_column
vendor: MIXED
signature:
  columns: [vendor, booking_ref, status, guest_name, hotel, check_in, check_out, adults, total, currency]
  min_match: 0.9
fields:
  vendor: {column: vendor}
  booking_ref: {column: booking_ref}
  status: {column: status}
  customer_name: {column: guest_name}
  property_name: {column: hotel}
  check_in: {column: check_in}
  check_out: {column: check_out}
  adults: {column: adults}
  amount: {column: total}
  currency: {column: currency}
"""


def test_f8_walks_a_row_left_to_right_as_shown(qtbot, make_window, tmp_path):
    """The key column is shown first though vendor comes first in the canonical order: F8 reads the
    row as the operator does, the reference's problem before the vendor's."""
    p = tmp_path / "vendors.csv"
    p.write_text(
        "vendor,booking_ref,status,guest_name,hotel,check_in,check_out,adults,total,currency\n"
        f"{'V' * 101},,confirmed,Ann,H,2024-05-01,2024-05-03,2,10.00,EUR\n"  # a vendor too long, no reference
        "V,R2,confirmed,Bob,H,2024-05-01,2024-05-03,2,10.00,XXX\n",
        encoding="utf-8",
    )
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "vendors.yaml").write_text(VENDOR_COLUMN_PROFILE, encoding="utf-8")
    w = make_window(profiles_dir=profiles)
    open_and_wait(qtbot, w, p)
    assert w.session.result.profile.name == "vendor_column"
    f = w.session.result.problems.frame
    assert {"vendor", "booking_ref"} <= set(f.loc[f["row"] == 0, "field"])
    m, v = w.model, w.view
    v.setFocus()

    def at() -> tuple[int, str]:
        cur = v.currentIndex()
        return m.frame_row(cur.row()), m.fields[cur.column()]

    v.setCurrentIndex(m.index(0, m.fields.index("booking_ref")))
    seen = []
    for _ in range(3):
        qtbot.keyClick(v, Qt.Key.Key_F8)
        seen.append(at())
    assert seen == [(0, "vendor"), (1, "currency"), (0, "booking_ref")]  # wraps round to the first
    v.setCurrentIndex(m.index(0, m.fields.index("status")))
    back = []
    for _ in range(2):
        qtbot.keyClick(v, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
        back.append(at())
    assert back == [(0, "vendor"), (0, "booking_ref")]


def test_a_click_on_the_frozen_column_gives_the_grid_the_keys_and_its_context_menu(qtbot, make_window, many_rows_csv):
    from PySide6.QtGui import QContextMenuEvent

    w = make_window(size=(700, 600))
    open_and_wait(qtbot, w, many_rows_csv)
    v, m, frozen = w.view, w.model, w.view.frozen
    key = m.fields.index("booking_ref")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.error_panel.search.setFocus()
    qtbot.waitUntil(lambda: w.error_panel.search.hasFocus())
    # the last row, cut by the bottom edge: a click there selects that row in both views
    height = frozen.viewport().height()
    size = v.verticalHeader().defaultSectionSize()
    while not 6 <= height % size <= size - 4:  # a row height that leaves the last row half shown
        size += 1
    v.verticalHeader().setDefaultSectionSize(size)
    qtbot.wait(20)
    row = frozen.rowAt(height - 1)
    rect = frozen.visualRect(m.index(row, key))
    assert frozen.rowHeight(row) == size and rect.bottom() >= height > rect.top() + 5  # partly hidden
    point = QPoint(rect.center().x(), (rect.top() + height) // 2)
    QTest.mouseClick(frozen.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert v.hasFocus() and v.currentIndex() == m.index(row, key)
    assert [(i.row(), i.column()) for i in v.selectionModel().selectedIndexes()] == [(row, key)]
    qtbot.keyClick(v, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)  # the grid's shortcut works
    assert np.flatnonzero(w.session.deleted).tolist() == [row]
    # and the same in the grid's own columns
    status = m.fields.index("status")
    grect = v.visualRect(m.index(row, status))
    gpoint = QPoint(grect.center().x(), (grect.top() + v.viewport().height()) // 2)
    QTest.mouseClick(v.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, gpoint)
    assert [(i.row(), i.column()) for i in v.selectionModel().selectedIndexes()] == [(row, status)]

    QApplication.sendEvent(
        frozen.viewport(),
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point, frozen.viewport().mapToGlobal(point)),
    )
    qtbot.waitUntil(lambda: frozen.menu is not None and frozen.menu.isVisible())
    names = {a.objectName() for a in frozen.menu.actions()}
    assert {"actCopy", "actPaste", "actDeleteRows", "actRestoreRows"} <= names
    frozen.menu.close()
