"""The commit panel: what will happen, doing it, and what happened, beside the grid (not modal).

It lives in a dock at the bottom of the Import page (:class:`~booking_desktop.gui.commit_flow.CommitFlow`
puts it there), so the operator can scroll and sort the grid while the database works.  Three stages:

1. *Preview* — ``CommitEngine.preview_steps`` (a read-only look-up on a worker) shows its progress
   (rows/s, time left) and can be cancelled; it counts new / changed / unchanged / rejected rows.
2. *Running* — ``CommitEngine.commit`` on a :class:`GeneratorWorker`; each ``CommitProgress`` moves
   the bar, the rate and the time left; Cancel asks the engine to stop between batches (the import
   is marked *interrupted*, resumable).
3. *Summary* — the engine's ``CommitSummary`` in words whose numbers add up to the records
   (:mod:`~booking_desktop.gui.commit_text`), the counts, and the import record.

Decisions follow error *codes* (``Problem.code``), never the text of a message.  Every number comes
from the engine.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import commit_text, theme
from booking_desktop.gui.commit_counts import PREVIEW_ROWS, RESULT_ROWS, CountsGrid
from booking_desktop.gui.commit_work import commit_work as _commit
from booking_desktop.gui.commit_work import error_code
from booking_desktop.gui.commit_work import preview_work as _preview
from booking_desktop.gui.workers import GeneratorWorker

log = logging.getLogger(__name__)

_CONNECTION_HINT = "Check the connection (status bar) and try again, or choose another connection."
# what the operator can do, by code: a file changed on disk is reopened, not retried
_HINTS = {"file-changed": "Nothing was written.", "missing-vendor": "Nothing was written."}
LOCK_NOTE = "Editing is paused while this panel prepares or runs the commit; the grid can be scrolled and sorted."


def _bar(parent: QWidget, name: str, accessible: str) -> QProgressBar:
    bar = QProgressBar(parent)
    bar.setObjectName(name)
    bar.setAccessibleName(accessible)
    return bar


class CommitPanel(QWidget):
    """Preview, run and summarise one commit of ``result`` through ``engine``.

    ``result`` is what the session says may be committed (``WorkSession.committable()``); ``engine``
    a ``storage.CommitEngine`` bound to the chosen database; ``target`` the connection's display name.
    ``committed(summary)`` is emitted when the engine returns (completed, interrupted or failed);
    ``finished(0)`` when the operator closes the panel.
    """

    committed = Signal(object)
    finished = Signal(int)

    def __init__(self, result: Any, engine: Any, target: str = "", parent: QWidget | None = None,
                 profile_name: str | None = None):
        super().__init__(parent)
        self.setObjectName("CommitPanel")
        self.setAccessibleName("Commit")
        self._result, self._engine, self._profile_name = result, engine, profile_name
        self._worker: GeneratorWorker | None = None
        self.preview_result: Any = None
        self.summary: Any = None
        self.outcome: Any = None
        self.last_progress: Any = None
        self.commit_started_at = self.first_progress_at = self.preview_first_progress_at = 0.0
        self.record_dialog: Any = None
        self.records = int(getattr(result, "records", 0) or len(getattr(result, "text", ())))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        name = getattr(getattr(getattr(result, "raw", None), "source", None), "path", None)
        head = QLabel(f"<b>{getattr(name, 'name', '') or 'Current data'}</b> → <b>{target or 'database'}</b>", self)
        head.setObjectName("commit_target")
        lay.addWidget(head)
        self.lock_note = QLabel(LOCK_NOTE, self)
        self.lock_note.setObjectName("commit_lock_note")
        lay.addWidget(self.lock_note)
        self.stack = QStackedWidget(self)
        lay.addWidget(self.stack, 1)
        self._build_preview_page()
        self._build_running_page()
        self._build_summary_page()

        self.error_label = QLabel(self)
        self.error_label.setObjectName("commit_error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        pal = self.error_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, theme.error_text_color(self.palette()))
        self.error_label.setPalette(pal)
        lay.addWidget(self.error_label)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.commit_button = QPushButton("Commit", self)
        self.commit_button.setObjectName("commit_button")
        self.commit_button.setEnabled(False)
        self.commit_button.clicked.connect(self.start_commit)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("close_button")
        self.close_button.clicked.connect(self.close)
        for b in (self.commit_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self._start_preview()

    # -- pages ----------------------------------------------------------------
    def _build_preview_page(self) -> None:
        page = QWidget(self.stack)
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        self.preview_status = QLabel("Looking up which bookings already exist…", page)
        self.preview_status.setObjectName("preview_status")
        self.preview_status.setWordWrap(True)
        pl.addWidget(self.preview_status)
        self.preview_progress = _bar(page, "preview_progress", "Preview progress")
        self.preview_progress.setRange(0, 0)
        pl.addWidget(self.preview_progress)
        self.preview_counts = CountsGrid(PREVIEW_ROWS, "preview", page)
        self.preview_labels = self.preview_counts.labels
        pl.addWidget(self.preview_counts)
        pl.addStretch(1)
        self.stack.addWidget(page)

    def _build_running_page(self) -> None:
        page = QWidget(self.stack)
        rl = QVBoxLayout(page)
        rl.setContentsMargins(0, 0, 0, 0)
        self.progress = _bar(page, "commit_progress", "Commit progress")
        rl.addWidget(self.progress)
        self.rate_label = QLabel("Starting…", page)
        self.rate_label.setObjectName("commit_rate")
        rl.addWidget(self.rate_label)
        self.counts_label = QLabel("", page)
        self.counts_label.setObjectName("commit_counts")
        rl.addWidget(self.counts_label)
        rl.addStretch(1)
        self.stack.addWidget(page)

    def _build_summary_page(self) -> None:
        page = QWidget(self.stack)
        sl = QVBoxLayout(page)
        sl.setContentsMargins(0, 0, 0, 0)
        self.summary_status = QLabel(page)
        self.summary_status.setObjectName("summary_status")
        self.summary_status.setWordWrap(True)
        sl.addWidget(self.summary_status)
        self.summary_counts = CountsGrid(RESULT_ROWS, "summary", page)
        self.summary_labels = self.summary_counts.labels
        sl.addWidget(self.summary_counts)
        link = QHBoxLayout()
        link.addWidget(QLabel("Import record:", page))
        self.import_id_label = QLabel(page)
        self.import_id_label.setObjectName("import_id")
        self.import_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        link.addWidget(self.import_id_label, 1)
        self.copy_button = QPushButton("Copy id", page)
        self.copy_button.setObjectName("copy_import_id")
        self.copy_button.clicked.connect(self.copy_import_id)
        self.show_record_button = QPushButton("Show import record…", page)
        self.show_record_button.setObjectName("show_import_record")
        self.show_record_button.clicked.connect(self.show_import_record)
        link.addWidget(self.copy_button)
        link.addWidget(self.show_record_button)
        sl.addLayout(link)
        sl.addStretch(1)
        self.stack.addWidget(page)

    # -- stage 1 ------------------------------------------------------------
    def _start_preview(self) -> None:
        self.stack.setCurrentIndex(0)
        w = GeneratorWorker(_preview, self._engine, self._result)
        w.signals.progress.connect(self._preview_progress)
        w.signals.result.connect(self._preview_ready)
        w.signals.errored.connect(lambda m, w=w: self._preview_failed(m, w.error))
        w.signals.aborted.connect(self._preview_cancelled)
        self._worker = w
        w.start()

    def _preview_progress(self, p: Any) -> None:
        if not self.preview_first_progress_at:
            self.preview_first_progress_at = time.perf_counter()
        self.preview_status.setText(commit_text.preview_words(p, self.records))
        if p.total:
            self.preview_progress.setRange(0, p.total)
            self.preview_progress.setValue(p.done)

    def _preview_ready(self, preview: Any) -> None:
        self.preview_result = preview
        shown = {
            "new": preview.new,
            "changed": preview.changed,
            "unchanged": preview.unchanged,
            "rejected": preview.rejected - preview.duplicates,
            "duplicates": preview.duplicates,
            "records": preview.records,
        }
        self.preview_counts.show_counts(shown)
        self.preview_progress.setVisible(False)
        self.preview_status.setText(commit_text.preview_result_words(preview))
        self.commit_button.setEnabled(True)
        self.commit_button.setFocus()

    def _preview_cancelled(self) -> None:
        self.preview_progress.setVisible(False)
        self.preview_status.setText(
            "The look-up was cancelled; nothing was written. Commit anyway (the counts are then known at the "
            "end), or close this panel."
        )
        self.commit_button.setEnabled(True)

    def _preview_failed(self, message: str, exc: BaseException | None) -> None:
        self.preview_progress.setVisible(False)
        self.preview_status.setText("The preview could not be computed.")
        self._show_error(message, _HINTS.get(error_code(exc), _CONNECTION_HINT))

    # -- stage 2 ------------------------------------------------------------
    def start_commit(self) -> None:
        if self.is_busy():
            return
        self.commit_button.setEnabled(False)
        self.error_label.setVisible(False)
        self.stack.setCurrentIndex(1)
        self.progress.setRange(0, max(self.records, 1))
        self.progress.setValue(0)
        self.rate_label.setText("Starting…")
        self.counts_label.setText("")
        self.cancel_button.setEnabled(True)
        self.close_button.setEnabled(False)
        self.commit_started_at, self.first_progress_at = time.perf_counter(), 0.0
        w = GeneratorWorker(_commit, self._engine, self._result, profile_name=self._profile_name)
        w.signals.progress.connect(self._on_progress)
        w.signals.result.connect(self._on_finished)
        w.signals.aborted.connect(lambda w=w: self._on_finished(w.value))
        w.signals.errored.connect(lambda m, w=w: self._commit_failed(m, w.error))
        self._worker = w
        w.start()

    def _on_progress(self, p: Any) -> None:
        if not self.first_progress_at:
            self.first_progress_at = time.perf_counter()
        self.last_progress = p
        self.progress.setRange(0, max(int(p.records), 1))
        self.progress.setValue(int(p.records_done))
        self.rate_label.setText(commit_text.progress_words(p))
        self.counts_label.setText(commit_text.progress_counts(p))

    def _on_finished(self, value: Any) -> None:
        if value is None:  # cancelled before the engine could return anything
            self._commit_failed("The commit stopped before it started; nothing was written.", None)
            return
        summary, outcome = value
        self.summary, self.outcome = summary, outcome
        dups = int(outcome.duplicates) if outcome is not None else 0
        done = int(summary.inserted + summary.updated + summary.unchanged + summary.rejected)
        shown = {
            "inserted": summary.inserted,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "rejected": summary.rejected - dups,
            "duplicates": dups,
            "not_committed": summary.records - done,
            "records": summary.records,
        }
        self.summary_counts.show_counts(shown)
        self.stack.setCurrentIndex(2)
        self.import_id_label.setText(summary.import_id)
        self.summary_status.setText(commit_text.summary_words(summary, dups))
        self.lock_note.setVisible(False)
        self.error_label.setVisible(False)
        self.cancel_button.setVisible(False)
        self.commit_button.setVisible(False)
        self.close_button.setEnabled(True)
        self.close_button.setFocus()
        self.committed.emit(summary)

    def _commit_failed(self, message: str, exc: BaseException | None) -> None:
        self.stack.setCurrentIndex(0)
        self.close_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        default = "Nothing more was written. Check the connection and press Commit to try again."
        self._show_error(message, _HINTS.get(error_code(exc), default))
        self.commit_button.setEnabled(error_code(exc) not in _HINTS)

    # -- cancel / close --------------------------------------------------------
    def _cancel_clicked(self) -> None:
        if self.is_busy():
            assert self._worker is not None
            self._worker.cancel()
            if self.stack.currentIndex() == 1:
                self.cancel_button.setEnabled(False)
                self.rate_label.setText(self.rate_label.text() + " — cancelling after this batch…")
            return
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Never abandon a running commit silently: closing cancels it, and the summary shows."""
        if self.is_busy() and self.stack.currentIndex() == 1:
            self._cancel_clicked()
            event.ignore()
            return
        if self.is_busy() and self._worker is not None:
            self._worker.cancel()  # the preview's look-up stops between chunks
        event.accept()
        self.finished.emit(0)

    def is_busy(self) -> bool:
        return self._worker is not None and not self._worker.is_done

    def when_idle(self, callback: Any) -> None:
        """``callback()`` once no worker of this panel uses the engine any more (now, if none does)."""
        if self.is_busy() and self._worker is not None:
            self._worker.signals.finished.connect(callback)
        else:
            callback()

    # -- the import record -----------------------------------------------------
    def copy_import_id(self) -> None:
        if self.summary is not None:
            QGuiApplication.clipboard().setText(self.summary.import_id)

    def import_record(self) -> dict[str, Any] | None:
        """The ``imports`` document of this commit (read from the database)."""
        if self.summary is None:
            return None
        return self._engine.db.imports.find_one({"_id": self.summary.import_id}, {"batches": 0})

    def show_import_record(self) -> None:
        w = GeneratorWorker(self.import_record, pass_cancel=False)
        w.signals.result.connect(self._show_record)
        w.signals.errored.connect(lambda m: self._show_error(m, "The import record could not be read."))
        w.start()

    def _show_record(self, doc: dict[str, Any] | None) -> None:
        from booking_desktop.gui.commit_record import ImportRecordDialog

        dlg = ImportRecordDialog(doc, self.summary.import_id if self.summary else "", self)
        self.record_dialog = dlg
        dlg.show()

    def _show_error(self, message: str, what_next: str) -> None:
        log.warning("commit panel: %s", message)
        self.error_label.setText(message + (f"\n{what_next}" if what_next else ""))
        self.error_label.setVisible(True)
