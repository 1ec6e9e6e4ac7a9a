"""The commit dialog: what will happen, doing it, and what happened.

Three stages in one window so the operator never loses context:

1. *Preview* — ``CommitEngine.preview`` (a read-only look-up, run in a worker)
   counts new / changed / unchanged / rejected rows before anything is written.
2. *Running* — ``CommitEngine.commit`` runs in a :class:`GeneratorWorker`;
   each yielded ``CommitProgress`` moves the bar and the rate; Cancel asks the
   engine to stop between batches (it marks the import *interrupted*, resumable).
3. *Summary* — the engine's ``CommitSummary``; the import id is the link to the
   import record, which can be shown or copied.

The dialog holds no rule of its own: every number comes from the engine.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo.errors import PyMongoError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.errors import Problem, ProblemError
from booking_desktop.gui import theme
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.readers.source import FILE_CHANGED_TEXT
from booking_desktop.storage.engine import StorageError

log = logging.getLogger(__name__)

_COUNT_ROWS = (
    ("new", "New bookings (inserted)"),
    ("changed", "Changed bookings (updated)"),
    ("unchanged", "Unchanged (left as they are)"),
    ("rejected", "Rejected (go to the review queue)"),
)
_RESULT_ROWS = (
    ("inserted", "Inserted"),
    ("updated", "Updated"),
    ("unchanged", "Unchanged"),
    ("rejected", "Rejected (review queue)"),
)


def _database_problem(exc: BaseException) -> ProblemError:
    """A storage failure as a one-line message without secrets (the worker shows ProblemErrors verbatim)."""
    from booking_desktop.storage.connections import mask_uri

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, PyMongoError):
        text = f"cannot reach the database ({type(exc).__name__})"
    return ProblemError(Problem(code="storage", message=mask_uri(text) or type(exc).__name__))


_CONNECTION_HINT = "Check the connection (status bar) and try again, or choose another connection."
_REOPEN_HINT = "Nothing was written."


def _hint(message: str, default: str) -> str:
    """What the operator can do: a changed file is reopened, not retried."""
    return _REOPEN_HINT if FILE_CHANGED_TEXT in message else default


def _preview(engine: Any, result: Any) -> Any:
    try:
        return engine.preview(result)
    except (PyMongoError, StorageError) as exc:
        raise _database_problem(exc) from None


def _commit(engine: Any, result: Any, cancelled: Any, profile_name: str | None = None) -> Any:
    try:
        return (yield from engine.commit(result, cancelled=cancelled, profile_name=profile_name))
    except (PyMongoError, StorageError) as exc:
        raise _database_problem(exc) from None


def _count_grid(parent: QWidget, rows: tuple[tuple[str, str], ...], prefix: str) -> tuple[QGridLayout, dict]:
    grid = QGridLayout()
    labels: dict[str, QLabel] = {}
    for i, (key, text) in enumerate(rows):
        grid.addWidget(QLabel(text, parent), i, 0)
        value = QLabel("…", parent)
        value.setObjectName(f"{prefix}_{key}")
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(value, i, 1)
        labels[key] = value
    grid.setColumnStretch(0, 1)
    return grid, labels


class CommitDialog(QDialog):
    """Preview, run and summarise one commit of ``result`` through ``engine``.

    ``result`` is what the session says may be committed (``WorkSession.committable()``);
    ``engine`` a ``storage.CommitEngine`` bound to the chosen database;
    ``target`` the connection's display name.  ``committed(summary)`` is emitted
    when the engine returns (completed, interrupted or failed).
    """

    committed = Signal(object)

    def __init__(self, result: Any, engine: Any, target: str = "", parent: QWidget | None = None,
                 profile_name: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Commit to database")
        self.setObjectName("CommitDialog")
        self.setMinimumWidth(460)
        self._result = result
        self._engine = engine
        self._profile_name = profile_name
        self._worker: GeneratorWorker | None = None
        self.preview_result: Any = None
        self.summary: Any = None
        self.last_progress: Any = None

        lay = QVBoxLayout(self)
        name = getattr(getattr(getattr(result, "raw", None), "source", None), "path", None)
        head = QLabel(
            f"<b>{getattr(name, 'name', '') or 'Current data'}</b> → <b>{target or 'database'}</b>", self
        )
        head.setObjectName("commit_target")
        lay.addWidget(head)
        self.stack = QStackedWidget(self)
        lay.addWidget(self.stack)

        # page 0: preview
        page = QWidget(self.stack)
        pl = QVBoxLayout(page)
        self.preview_status = QLabel("Looking up which bookings already exist…", page)
        self.preview_status.setObjectName("preview_status")
        self.preview_status.setWordWrap(True)
        pl.addWidget(self.preview_status)
        grid, self.preview_labels = _count_grid(page, _COUNT_ROWS, "preview")
        pl.addLayout(grid)
        pl.addStretch(1)
        self.stack.addWidget(page)

        # page 1: running
        page = QWidget(self.stack)
        rl = QVBoxLayout(page)
        self.progress = QProgressBar(page)
        self.progress.setObjectName("commit_progress")
        self.progress.setAccessibleName("Commit progress")
        rl.addWidget(self.progress)
        self.rate_label = QLabel("Starting…", page)
        self.rate_label.setObjectName("commit_rate")
        rl.addWidget(self.rate_label)
        rl.addStretch(1)
        self.stack.addWidget(page)

        # page 2: summary
        page = QWidget(self.stack)
        sl = QVBoxLayout(page)
        self.summary_status = QLabel(page)
        self.summary_status.setObjectName("summary_status")
        self.summary_status.setWordWrap(True)
        sl.addWidget(self.summary_status)
        grid, self.summary_labels = _count_grid(page, _RESULT_ROWS, "summary")
        sl.addLayout(grid)
        link = QHBoxLayout()
        link.addWidget(QLabel("Import record:", page))
        self.import_id_label = QLabel(page)
        self.import_id_label.setObjectName("import_id")
        self.import_id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        link.addWidget(self.import_id_label, 1)
        sl.addLayout(link)
        link = QHBoxLayout()
        link.addStretch(1)
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

        self.error_label = QLabel(self)
        self.error_label.setObjectName("commit_error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        pal = self.error_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, theme.error_text_color(self.palette()))
        self.error_label.setPalette(pal)
        lay.addWidget(self.error_label)

        buttons = QDialogButtonBox(self)
        self.commit_button = buttons.addButton("Commit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.commit_button.setObjectName("commit_button")
        self.commit_button.setEnabled(False)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("cancel_button")
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("close_button")
        self.close_button.setVisible(False)
        # the dialog decides itself when to close: a button box would accept/reject on click
        self.commit_button.clicked.connect(self.start_commit)
        self.cancel_button.clicked.connect(self._cancel_clicked)
        self.close_button.clicked.connect(self.accept)
        lay.addWidget(buttons)

        self._start_preview()

    # -- stage 1 ------------------------------------------------------------
    def _start_preview(self) -> None:
        self.stack.setCurrentIndex(0)
        w = GeneratorWorker(_preview, self._engine, self._result, pass_cancel=False)
        w.signals.result.connect(self._preview_ready)
        w.signals.errored.connect(self._preview_failed)
        self._worker = w
        w.start()

    def _preview_ready(self, preview: Any) -> None:
        self.preview_result = preview
        for key, label in self.preview_labels.items():
            label.setText(f"{int(getattr(preview, key)):,}")
        writes = preview.new + preview.changed
        if writes:
            self.preview_status.setText(
                f"{preview.records:,} records. Committing will write {writes:,} booking(s); "
                "nothing is written until you press Commit."
            )
        else:
            self.preview_status.setText(
                f"{preview.records:,} records. Every valid booking is already in the database unchanged: "
                "committing records the import and queues the rejected rows, and inserts nothing."
            )
        self.commit_button.setEnabled(True)
        self.commit_button.setFocus()

    def _preview_failed(self, message: str) -> None:
        self.preview_status.setText("The preview could not be computed.")
        self._show_error(message, _hint(message, _CONNECTION_HINT))

    # -- stage 2 ------------------------------------------------------------
    def start_commit(self) -> None:
        if self._worker is not None and not self._worker.is_done:
            return
        self.commit_button.setEnabled(False)
        self.error_label.setVisible(False)
        self.stack.setCurrentIndex(1)
        total = int(getattr(self._result, "records", 0) or len(getattr(self._result, "text", ())))
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.cancel_button.setText("Cancel")
        w = GeneratorWorker(_commit, self._engine, self._result, profile_name=self._profile_name)
        w.signals.progress.connect(self._on_progress)
        w.signals.result.connect(self._on_finished)
        w.signals.aborted.connect(lambda: self._on_finished(w.value))
        w.signals.errored.connect(self._commit_failed)
        self._worker = w
        w.start()

    def _on_progress(self, p: Any) -> None:
        self.last_progress = p
        self.progress.setRange(0, max(int(p.records), 1))
        self.progress.setValue(int(p.records_done))
        self.rate_label.setText(
            f"{p.records_done:,} of {p.records:,} records — batch {p.batch} of {p.batches} — "
            f"{p.rate:,.0f} records/s — {p.inserted:,} inserted, {p.updated:,} updated, "
            f"{p.unchanged:,} unchanged, {p.rejected:,} rejected"
        )

    def _on_finished(self, summary: Any) -> None:
        if summary is None:  # cancelled before the engine could return anything
            self._commit_failed("The commit stopped before it started; nothing was written.")
            return
        self.summary = summary
        self.stack.setCurrentIndex(2)
        for key, label in self.summary_labels.items():
            label.setText(f"{int(getattr(summary, key)):,}")
        self.import_id_label.setText(summary.import_id)
        status = summary.status
        if status == "completed":
            text = f"Committed {summary.records:,} records in {summary.seconds:.1f} s."
            if summary.resumed:
                text += " (An earlier interrupted import of this file was resumed.)"
        elif status == "interrupted":
            text = (
                f"The commit was interrupted ({summary.error or 'stopped'}). What was written stays written; "
                "commit the same file again to resume where it stopped."
            )
        else:
            text = f"The commit failed: {summary.error or 'unknown error'}."
        self.summary_status.setText(text)
        if status != "completed":
            self._show_error(text, "")
        self.cancel_button.setVisible(False)
        self.commit_button.setVisible(False)
        self.close_button.setVisible(True)
        self.close_button.setFocus()
        self.committed.emit(summary)

    def _commit_failed(self, message: str) -> None:
        self.stack.setCurrentIndex(0)
        self._show_error(message, _hint(message, "Nothing more was written. Check the connection and press Commit to "
                                                   "try again."))
        self.commit_button.setEnabled(True)

    # -- cancel / close --------------------------------------------------------
    def _cancel_clicked(self) -> None:
        if self._worker is not None and not self._worker.is_done and self.stack.currentIndex() == 1:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)
            self.rate_label.setText(self.rate_label.text() + " — cancelling after this batch…")
            return
        self.reject()

    def reject(self) -> None:
        """Escape / window close: never abandon a running commit silently."""
        if self._worker is not None and not self._worker.is_done:
            self._worker.cancel()
            if self.stack.currentIndex() == 1:
                self.cancel_button.setEnabled(False)
                return  # the summary will show once the engine stops between batches
        super().reject()

    def is_busy(self) -> bool:
        return self._worker is not None and not self._worker.is_done

    def when_idle(self, callback: Any) -> None:
        """``callback()`` once no worker of this dialog uses the engine any more (now, if none does)."""
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
        dlg = QDialog(self)
        dlg.setObjectName("ImportRecordDialog")
        dlg.setWindowTitle(f"Import {self.summary.import_id if self.summary else ''}")
        lay = QVBoxLayout(dlg)
        text = QPlainTextEdit(dlg)
        text.setObjectName("import_record_text")
        text.setReadOnly(True)
        text.setPlainText(json.dumps(doc, indent=2, default=str) if doc else "The import record was not found.")
        lay.addWidget(text)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
        box.rejected.connect(dlg.reject)
        lay.addWidget(box)
        dlg.resize(520, 480)
        self.record_dialog = dlg
        dlg.show()

    def _show_error(self, message: str, what_next: str) -> None:
        log.warning("commit dialog: %s", message)
        self.error_label.setText(message + (f"\n{what_next}" if what_next else ""))
        self.error_label.setVisible(True)
