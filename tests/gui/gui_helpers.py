"""Helpers for GUI tests: the small vendor file, and acting on the window as a user would."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit

CSV_HEADER = "booking_ref,status,guest_name,email,hotel,check_in,check_out,nights,adults,total,currency,country\n"
# rows 2 and 4 have errors (missing ref / bad amount; departure before arrival); row 5 a bad email
CSV_ROWS = [
    "B001,confirmed,Ann Smith,ann@example.com,Hotel A,2024-05-01,2024-05-03,2,2,200.00,EUR,DE",
    ",confirmed,Bob Jones,bob@example.com,Hotel A,2024-05-02,2024-05-04,2,1,100.00,EUR,FR",
    "B003,cancelled,Cy Twain,cy@example.com,Hotel B,2024-06-01,2024-06-04,3,2,300.00,USD,US",
    "B004,confirmed,Di Prince,di@example.com,Hotel B,2024-07-09,2024-07-08,1,2,abc,EUR,GB",
    "B005,confirmed,Ed Stone,ed@example,Hotel C,2024-08-01,2024-08-02,1,1,80.00,EUR,DE",
    "B006,confirmed,Flo Rida,flo@example.com,Hotel C,2024-08-03,2024-08-05,2,2,180.00,EUR,ES",
]

# A vendor profile for the file above: the commit engine refuses rows without a vendor (a booking's
# identity is its vendor with its booking_ref), and no shipped profile matches these headers.
VENDOR_PROFILE_YAML = """\
version: 1
name: gui_test_vendor
vendor: ACME
signature:
  columns: [booking_ref, status, guest_name, email, hotel, check_in, check_out, nights, adults, total, currency,
            country]
  min_match: 0.9
fields:
  booking_ref: {column: booking_ref}
  status: {column: status}
  customer_name: {column: guest_name}
  customer_email: {column: email}
  property_name: {column: hotel}
  check_in: {column: check_in}
  check_out: {column: check_out}
  nights: {column: nights}
  adults: {column: adults}
  amount: {column: total}
  currency: {column: currency}
  country: {column: country}
"""


def open_and_wait(qtbot, window, path: Path, timeout: int = 60_000) -> None:
    with qtbot.waitSignal(window.session_loaded, timeout=timeout):
        assert window.open_file(path)
    qtbot.waitUntil(lambda: not window.is_loading, timeout=timeout)


def cell_point(window, view_row: int, field: str) -> QPoint:
    m, v = window.model, window.view
    idx = m.index(view_row, m.fields.index(field))
    v.scrollTo(idx)
    return v.visualRect(idx).center()


def click_cell(qtbot, window, view_row: int, field: str) -> None:
    QTest.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        cell_point(window, view_row, field),
    )


def type_into_cell(qtbot, window, view_row: int, field: str, text: str) -> None:
    """Double-click the cell, replace its text, press Enter."""
    pos = cell_point(window, view_row, field)
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    viewport = window.view.viewport()
    frozen = getattr(window.view, "frozen", None)
    viewports = (viewport, frozen.viewport()) if frozen is not None else (viewport,)

    def editor_open() -> bool:
        f = QApplication.focusWidget()
        return isinstance(f, QLineEdit) and f.parent() in viewports

    qtbot.waitUntil(editor_open)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits on a queued call: wait for the editor to close
    views = (window.view, frozen) if frozen is not None else (window.view,)  # a key cell edits in the frozen one
    qtbot.waitUntil(lambda: all(v.state() != QAbstractItemView.State.EditingState for v in views))


def on_modal(callback) -> None:
    """Run ``callback(dialog)`` once the next modal dialog is up (a modal ``exec()`` blocks the test)."""

    def poll() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, poll)
            return
        callback(dlg)

    QTimer.singleShot(0, poll)


class LoopGaps:
    """A 10 ms timer on the UI thread: the gaps between its ticks are how long the event loop
    was blocked.  ``label()`` says what was going on at each tick."""

    def __init__(self, label=lambda: "") -> None:
        self.gaps: list[float] = []
        self.where: list[str] = []
        self._label = label
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self.where.append(self._label())
        self._last = now

    def restart(self) -> None:
        self.gaps.clear()
        self.where.clear()
        self._last = time.perf_counter()

    def idle(self, qtbot, ms: int = 1000) -> float:
        """The worst gap with nothing loading (the machine's own noise); then starts afresh."""
        self.restart()
        qtbot.wait(ms)
        baseline = max(self.gaps)
        self.restart()
        return baseline

    def worst(self) -> tuple[float, str]:
        i = max(range(len(self.gaps)), key=self.gaps.__getitem__)
        return self.gaps[i], self.where[i]


def choose_item(qtbot, combo, starts: str) -> None:
    """Open ``combo``'s popup and click the first item whose text starts with ``starts``, as a user does."""
    texts = [combo.itemText(i) for i in range(combo.count())]
    idx = next((i for i, t in enumerate(texts) if t.startswith(starts)), -1)
    assert idx >= 0, f"{starts!r} not offered in {texts}"
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=10_000)
    index = view.model().index(idx, 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10_000)
