"""The Review page's test helpers (the ``review_db`` fixture is in conftest.py): open the page, wait for
it to settle, read it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from booking_desktop.gui.main_window import PAGES


def open_review(qtbot, w):
    qtbot.waitUntil(lambda: w.connection_target is not None, timeout=10_000)
    item = w.nav.item([name for name, _title in PAGES].index("review"))
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())
    page = w.page_widgets["review"]
    settle(qtbot, page)
    return page


def settle(qtbot, page):
    qtbot.waitUntil(lambda: page.table is not None and page.stats is not None and not page.working, timeout=30_000)


def records_shown(page):
    return [r["record"] for r in page.table.rows]


def cell(page, view_row, field):
    return page.model.data(page.model.index(view_row, page.model.fields.index(field)))


def row_doc(db, record):
    return db.rejected_rows.find_one({"record": record})


