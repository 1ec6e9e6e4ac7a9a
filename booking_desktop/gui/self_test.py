"""``booking-desktop [--samples] --self-test FILE``: open FILE in the real window, commit it, quit.

A check of a build (the frozen bundle above all, ``scripts/smoke-bundle.sh``),
not a test framework: it goes through the same code paths as an operator —
``MainWindow.open_file``, the Commit action (which starts the local database
when no connection is chosen), the commit dialog's preview and its Commit
button — and only watches the window's own signals and widgets.  FILE is a path or, with ``--samples``,
the name of a sample file, opened by clicking its button on the welcome page
(so the check also shows that the samples are found).  It prints one
line with the outcome on stdout and returns 0 when the commit completed, 1 with
the window's own message otherwise (a load error, a message box, an error in the
dialog, or no progress within the time limit).  It never edits anything, so
quitting never asks about unsaved edits.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

POLL_MS = 100
DEFAULT_TIMEOUT_S = 120.0


class SelfTest(QObject):
    """Drives one open-and-commit through ``window``; ``finished(exit_code)`` when it ends."""

    finished = Signal(int)

    def __init__(self, window: Any, path: Path, timeout_s: float = DEFAULT_TIMEOUT_S):
        super().__init__(window)
        self.window = window
        self.path = Path(path)
        self.timeout_s = timeout_s
        self.stage = "opening the file"
        self.exit_code: int | None = None
        self._started = time.monotonic()
        self._clicked = False
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._step)
        window.session_loaded.connect(self._loaded)
        window.load_failed.connect(lambda message: self._finish(1, f"could not open the file: {message}"))

    def start(self) -> None:
        self._poll.start()
        if self.path.is_file():
            if not self.window.open_file(self.path):
                self._finish(1, f"could not open {self.path}")
            return
        samples = {p.name: button for p, button in self.window.welcome.file_buttons.items()}
        button = samples.get(self.path.name) if self.path.name == str(self.path) else None
        if button is None:
            offered = f"the welcome page offers: {', '.join(sorted(samples))}" if samples else "no samples (--samples)"
            self._finish(1, f"{self.path}: no such file, nor a sample file on the welcome page ({offered})")
            return
        self._say(f"welcome page: {len(samples)} sample files; clicking {self.path.name}")
        button.click()

    def _loaded(self) -> None:
        r = self.window.session.result
        self._say(f"opened {self.path.name}: {r.records} records, {r.invalid} with errors, vendor {r.vendor or '?'}")
        self.stage = "connecting to the database"
        self.window.commit()

    def _step(self) -> None:
        if self.exit_code is not None:
            return
        box = self.window.last_message
        if box is not None and isValid(box) and box.isVisible():
            self._finish(1, f"{box.windowTitle() or 'message'}: {box.text()}")
            return
        dlg = getattr(self.window, "commit_dialog", None)
        if dlg is not None:
            if dlg.error_label.isVisible():
                self._finish(1, f"commit dialog: {dlg.error_label.text()}")
                return
            if not self._clicked and dlg.commit_button.isEnabled():
                self._clicked = True
                self.stage = "committing"
                self._say(f"preview: {dlg.preview_status.text()}")
                dlg.committed.connect(self._committed)
                dlg.commit_button.click()
            elif not self._clicked:
                self.stage = "computing the commit preview"
        if time.monotonic() - self._started > self.timeout_s:
            self._finish(1, f"no result after {self.timeout_s:.0f} s (stuck {self.stage})")

    def _committed(self, summary: Any) -> None:
        line = (
            f"commit {summary.import_id}: {summary.status} — {summary.records} records: {summary.inserted} inserted, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.rejected} rejected"
        )
        if summary.status == "completed":
            self._finish(0, line)
        else:
            self._finish(1, f"{line} ({summary.error or 'not completed'})")

    def _finish(self, code: int, message: str) -> None:
        if self.exit_code is not None:
            return
        self.exit_code = code
        self._poll.stop()
        self._say(message if code == 0 else f"FAILED: {message}", sys.stdout if code == 0 else sys.stderr)
        dlg = getattr(self.window, "commit_dialog", None)
        if dlg is not None and not dlg.is_busy():
            dlg.close()
        box = self.window.last_message
        if box is not None and isValid(box) and box.isVisible():
            box.close()
        self.window.close()
        self.finished.emit(code)

    def _say(self, text: str, stream: Any = None) -> None:
        print(f"self-test: {text}", file=stream or sys.stdout, flush=True)


def run(app: QApplication, window: Any, path: Path, timeout_s: float = DEFAULT_TIMEOUT_S) -> int:
    """Open ``path`` in ``window``, commit it through the commit dialog and quit; the exit code."""
    test = SelfTest(window, path, timeout_s)
    test.finished.connect(app.exit)
    QTimer.singleShot(0, test.start)
    code = app.exec()
    return test.exit_code if test.exit_code is not None else int(code or 1)
