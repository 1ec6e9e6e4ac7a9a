"""The operator's workspace: open a vendor file, fix it in the grid, commit it.

The window only shows state and forwards intent: reading, mapping and
validating run in a :class:`GeneratorWorker` (progress and Cancel in the status
bar); edits go to the Qt-free :class:`WorkSession`, which journals them so a
crash loses nothing; the commit runs in the commit dialog's own worker.
Panels built by others (mapping panel, connection dialog, commit dialog,
connection status) are imported with guards so the window runs without them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.details_pane import DetailsPane
from booking_desktop.gui.edit_dialogs import FindReplaceDialog, SetValueDialog, ValueMapDialog
from booking_desktop.gui.error_panel import FILTER_ALL, FILTER_ERRORS, ErrorPanel
from booking_desktop.gui.grid_model import GridData, GridModel, build_grid_data, fill_column_cache, next_problem
from booking_desktop.gui.grid_view import GridView
from booking_desktop.gui.welcome import WelcomePage
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.pipeline import Progress
from booking_desktop.readers import openable_extensions
from booking_desktop.session import Journal, PendingJournal, WorkSession, pending_journals

log = logging.getLogger(__name__)

CACHE_FILL_DELAY_MS = 300  # let the first paint and the panels finish before converting columns
MAPPING_PANEL_DELAY_MS = 50  # after the first paint of the grid, in its own event-loop turn
BULK_WORKER_ROWS = 100_000  # from this many records on, edits run on a worker (re-validation takes seconds)
FILE_FILTER = f"Vendor exports ({' '.join('*' + e for e in openable_extensions())});;All files (*)"


@dataclass
class Loaded:
    """What the load worker hands to the UI thread."""

    session: WorkSession
    data: GridData
    replayed: int = 0
    restore_problem: str = ""
    pending: PendingJournal | None = None  # an older journal of the same file, not yet restored


def load_session(
    path: Path,
    profile: Any = None,
    profiles_dir: Path | None = None,
    journal_dir: Path | None = None,
    restore: PendingJournal | None = None,
    pipeline_run: Any = None,
    cancelled: Any = bool,
):
    """Generator run on a worker: pipeline -> session -> grid data (-> journal replay)."""
    if pipeline_run is None:
        from booking_desktop.pipeline import run as pipeline_run
    result = yield from pipeline_run(path, profile=profile, profiles_dir=profiles_dir, cancelled=cancelled)
    yield Progress("grid", 3, 4, "preparing the grid")
    session = WorkSession.from_result(result)
    sha = session.source_sha256()
    loaded = Loaded(session, build_grid_data(session))
    if restore is not None:
        if restore.sha256 != sha:
            loaded.restore_problem = (
                f"{path.name} has changed since the edits were made, so they cannot be restored exactly. "
                "The file was opened without them."
            )
        else:
            loaded.replayed = session.replay(Journal.open_existing(restore.path).commands())
            loaded.data = build_grid_data(session)
    else:
        loaded.pending = next((p for p in pending_journals(journal_dir) if p.sha256 == sha), None)
    session.attach_journal(journal_dir)
    return loaded


class MainWindow(QMainWindow):
    session_loaded = Signal()  # the first rows are shown
    fully_loaded = Signal()  # every column cached: scrolling anywhere is O(1)
    load_failed = Signal(str)
    _undo_state_changed = Signal()

    def __init__(
        self,
        journal_dir: Path | None = None,
        profiles_dir: Path | None = None,
        samples_dir: Path | None = None,
        pipeline_run: Any = None,
        check_journals: bool = True,
        local_db: Any = None,
    ):
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("Booking Desktop")
        self.setAccessibleName("Booking Desktop")
        self.setAcceptDrops(True)
        self.journal_dir = journal_dir
        self.profiles_dir = profiles_dir
        self.samples_dir = samples_dir
        self._pipeline_run = pipeline_run
        self.session: WorkSession | None = None
        self.connection_target: Any = None  # storage.client.ConnectionTarget, None = the local database
        # the built-in local database, started when first needed and stopped when the window closes
        # (unless it was already running: started by `local-db start` or another program)
        from booking_desktop.gui.commit_flow import CommitFlow
        from booking_desktop.storage.localdb import LocalDatabase

        self.local_db = local_db if local_db is not None else LocalDatabase()
        self.commit_flow = CommitFlow(self, self.local_db)
        self.commit_flow.busy.connect(lambda on, text: self._set_busy(on, text) if on else self._set_busy(False))
        self.commit_flow.failed.connect(lambda msg: self.show_message("Cannot reach the database", msg))
        self.commit_flow.vendor_chosen.connect(self._vendor_chosen)
        self.commit_flow.committed.connect(lambda summary: self._committed(self.session, summary))
        self._load_worker: GeneratorWorker | None = None
        self._cache_worker: GeneratorWorker | None = None
        self._remap_worker: GeneratorWorker | None = None
        self._edit_worker: GeneratorWorker | None = None
        self._commit_after_remap = False
        self._undo_state_changed.connect(self._update_actions)
        self.last_message: QMessageBox | None = None
        self.load_started_at = 0.0
        self.first_rows_at = 0.0
        self.fully_loaded_at = 0.0

        self.model = GridModel(self)
        self.model.edit_failed.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.view = GridView()
        self.view.setModel(self.model)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setAccessibleName("File notes")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_close = QToolButton()
        self.banner_close.setText("✕")
        self.banner_close.setAccessibleName("Dismiss file notes")
        self.banner_box = QWidget()
        self.banner_close.clicked.connect(lambda: self.banner_box.setVisible(False))
        bl = QHBoxLayout(self.banner_box)
        bl.setContentsMargins(6, 4, 6, 4)
        bl.addWidget(self.banner, 1)
        bl.addWidget(self.banner_close)
        self.banner_box.setVisible(False)
        self.banner_box.setAutoFillBackground(True)

        self.welcome = WelcomePage()
        self.welcome.open_requested.connect(self.open_dialog)
        self.welcome.file_requested.connect(self.open_file)
        self.welcome.refresh(recent_files.recent_files(), samples_dir)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.view)

        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.banner_box)
        cl.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.error_panel = ErrorPanel(self.model)
        self.error_panel.select_requested.connect(self._select_cells)
        self.error_panel.next_requested.connect(lambda: self.go_to_problem(True))
        self.error_panel.previous_requested.connect(lambda: self.go_to_problem(False))
        self.errors_dock = self._dock(
            "Problems", "problemsDock", self.error_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.details = DetailsPane(self.model)
        self.view.current_row_changed.connect(self._current_row_changed)
        self.details_dock = self._dock(
            "Record details", "detailsDock", self.details, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        # --- place for the mapping panel (GUI engineer B) ---
        self.mapping_panel: Any = None
        self.mapping_dock: QDockWidget | None = None
        self._install_mapping_panel()

        self._build_status_bar()
        self._build_actions()
        self._build_menus()
        self._update_actions()
        self._restore_settings()
        self.model.rows_changed.connect(self._update_actions)
        if check_journals:
            QTimer.singleShot(0, self.check_pending_journals)

    # ------------------------------------------------------------------ construction
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        return dock

    def _install_mapping_panel(self) -> None:
        try:
            from booking_desktop.gui.mapping_panel import MappingPanel
        except ImportError as exc:  # B's panel not there yet: the window works without it
            log.info("mapping panel unavailable: %s", exc)
            return
        try:
            self.mapping_panel = MappingPanel(self, mappings_dir=self.profiles_dir)
        except TypeError:
            self.mapping_panel = MappingPanel(self)
        self.mapping_panel.setAccessibleName("Mapping panel")
        self.mapping_panel.profile_changed.connect(self.remap)
        self._mapping_shown_for: WorkSession | None = None
        self.mapping_dock = self._dock(
            "Mapping", "mappingDock", self.mapping_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.details_dock, self.mapping_dock)
        self.details_dock.raise_()
        self.mapping_dock.visibilityChanged.connect(lambda shown: self._show_mapping(self.session) if shown else None)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.progress = QProgressBar()
        self.progress.setObjectName("loadProgress")
        self.progress.setAccessibleName("Progress")
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("progressLabel")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAccessibleName("Cancel loading")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_load)
        sb.addPermanentWidget(self.progress_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        # --- status-bar slot for the connection status (GUI engineer B) ---
        self.connection_status: Any = None
        try:
            from booking_desktop.gui.status_widgets import ConnectionStatusWidget
        except ImportError:
            return
        self.connection_status = ConnectionStatusWidget(self)
        sb.addPermanentWidget(self.connection_status)
        QTimer.singleShot(0, self._restore_connection)

    def _action(self, text: str, name: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        act = QAction(text, self)
        act.setObjectName(name)
        if shortcut is not None:
            if isinstance(shortcut, list):
                act.setShortcuts(shortcut)
            else:
                act.setShortcut(shortcut)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(tip)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        K = QKeySequence
        self.act_open = self._action("&Open…", "actOpen", self.open_dialog, K(K.StandardKey.Open), "Open a vendor file")
        self.act_close = self._action("&Close file", "actCloseFile", self.close_file, K("Ctrl+W"))
        self.act_quit = self._action("&Quit", "actQuit", self.close, K(K.StandardKey.Quit))
        self.act_commit = self._action(
            "&Commit…",
            "actCommit",
            self.commit,
            [K("Ctrl+Return"), K("Ctrl+Enter")],
            "Write the valid rows to the database",
        )
        self.act_connection = self._action("Co&nnection…", "actConnection", self.choose_connection)
        self.act_undo = self._action("&Undo", "actUndo", self.undo, K("Ctrl+Z"))
        self.act_redo = self._action("&Redo", "actRedo", self.redo, [K("Ctrl+Shift+Z"), K("Ctrl+Y")])
        self.act_find = self._action("&Find and replace…", "actFind", self.find_replace, K("Ctrl+F"))
        self.act_search = self._action("Searc&h rows", "actSearch", self.focus_search, K("Ctrl+Shift+F"))
        self.act_fill = self._action("Fill &down", "actFillDown", self.fill_down, K("Ctrl+D"))
        self.act_set = self._action("&Set value…", "actSetValue", self.set_value, K("Ctrl+Shift+V"))
        self.act_map = self._action("Apply value &map…", "actValueMap", self.value_map, K("Ctrl+M"))
        self.act_delete = self._action("&Delete rows", "actDeleteRows", self.delete_rows, K(K.StandardKey.Delete))
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.view.addAction(self.act_delete)
        self.removeAction(self.act_delete)
        self.act_restore = self._action("R&estore rows", "actRestoreRows", self.restore_rows, K("Ctrl+Shift+Delete"))
        self.act_errors_only = self._action("&Errors only", "actErrorsOnly", self.toggle_errors_only, K("Ctrl+E"))
        self.act_errors_only.setCheckable(True)
        self.act_next = self._action("&Next problem", "actNextProblem", lambda: self.go_to_problem(True), K("F8"))
        self.act_prev = self._action(
            "&Previous problem", "actPrevProblem", lambda: self.go_to_problem(False), K("Shift+F8")
        )

    def grid_context_actions(self) -> list[QAction]:
        return [self.act_fill, self.act_set, self.act_find, self.act_map, self.act_delete, self.act_restore]

    def _build_menus(self) -> None:
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.removeAction(self.act_delete)  # re-added in menu order; its shortcut works on the grid only
        for a in self.grid_context_actions():
            self.view.addAction(a)
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        m.addAction(self.act_close)
        m.addSeparator()
        m.addAction(self.act_commit)
        m.addAction(self.act_connection)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        for act in (
            self.act_undo,
            self.act_redo,
            None,
            self.act_find,
            self.act_fill,
            self.act_set,
            self.act_map,
            None,
            self.act_delete,
            self.act_restore,
        ):
            m.addSeparator() if act is None else m.addAction(act)
        m = mb.addMenu("&View")
        for a in (self.act_errors_only, self.act_next, self.act_prev, self.act_search):
            m.addAction(a)
        m.addSeparator()
        for dock in (self.errors_dock, self.details_dock, self.mapping_dock):
            if dock is not None:
                m.addAction(dock.toggleViewAction())

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = recent_files.recent_files()
        for p in files:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _checked=False, p=p: self.open_file(Path(p)))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", recent_files.clear_recent_files)
        self.recent_menu.setEnabled(bool(files))

    # ------------------------------------------------------------------ settings
    def _restore_settings(self) -> None:
        s = recent_files.settings()
        geo = s.value("window/geometry")
        if isinstance(geo, QByteArray | bytes):
            self.restoreGeometry(geo)
        else:
            self.resize(1280, 800)
        state = s.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)

    def _save_settings(self) -> None:
        s = recent_files.settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        if self.session is not None and self.session.result.profile is not None:
            s.setValue("lastProfile", str(getattr(self.session.result.profile, "name", "") or ""))
        s.sync()

    # ------------------------------------------------------------------ messages
    def show_message(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
        """A readable, non-blocking message box (never a traceback)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("messageBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        return box

    def _show_banner(self, text: str) -> None:
        pal = self.banner_box.palette()
        pal.setColor(self.banner_box.backgroundRole(), theme.warning_color(self.palette()))
        self.banner_box.setPalette(pal)
        self.banner.setText(text)
        self.banner_box.setVisible(bool(text))

    # ------------------------------------------------------------------ opening
    def open_dialog(self) -> None:
        start = str(self.samples_dir) if self.samples_dir else ""
        recent = recent_files.recent_files()
        if not start and recent:
            start = str(Path(recent[0]).parent)
        path, _ = QFileDialog.getOpenFileName(self, "Open a vendor file", start, FILE_FILTER)
        if path:
            self.open_file(Path(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])

    def open_file(self, path: Path, profile: Any = None, restore: PendingJournal | None = None) -> bool:
        """Start loading ``path`` in a worker.  False when the operator kept the current file."""
        path = Path(path)
        if self._load_worker is not None and not self._load_worker.is_done:
            self.statusBar().showMessage("Already loading a file; cancel it first.", 5000)
            return False
        if not self.close_file():
            return False
        if not path.is_file():
            recent_files.remove_recent_file(path)
            self.show_message("Cannot open file", f"{path} does not exist (it may have been moved or deleted).")
            return False
        self.load_started_at = time.perf_counter()
        self.first_rows_at = self.fully_loaded_at = 0.0
        self._set_busy(True, f"Opening {path.name}…")
        w = GeneratorWorker(
            load_session,
            path,
            profile=profile,
            profiles_dir=self.profiles_dir,
            journal_dir=self.journal_dir,
            restore=restore,
            pipeline_run=self._pipeline_run,
        )
        w.signals.progress.connect(self._on_progress)
        w.signals.result.connect(lambda loaded, p=path: self._on_loaded(p, loaded))
        w.signals.errored.connect(lambda msg, p=path: self._on_load_error(p, msg))
        w.signals.aborted.connect(self._on_load_cancelled)
        self._load_worker = w
        w.start()
        return True

    def cancel_load(self) -> None:
        for w in (self._load_worker, self._remap_worker):
            if w is not None and not w.is_done:
                w.cancel()
                self.progress_label.setText("Cancelling…")

    @property
    def is_loading(self) -> bool:
        return self._load_worker is not None and not self._load_worker.is_done

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress_label.setText(text)
        if busy:
            self.progress.setRange(0, 0)
        self._update_actions()

    def _on_progress(self, p: Any) -> None:
        if isinstance(p, Progress):
            if p.total:
                self.progress.setRange(0, p.total)
                self.progress.setValue(p.done)
            self.progress_label.setText(p.message or p.stage)

    def _on_load_error(self, path: Path, message: str) -> None:
        self._set_busy(False)
        if path.name not in message:
            message = f"{path.name}: {message}"
        self.load_failed.emit(message)
        self.show_message(
            "Cannot open file",
            f"{message}\n\nCheck that {path.name} is a vendor export (CSV, Excel, JSON or XML) and try again.",
        )

    def _on_load_cancelled(self) -> None:
        self._set_busy(False)
        self.statusBar().showMessage("Loading cancelled.", 5000)

    def _on_loaded(self, path: Path, loaded: Loaded) -> None:
        self._set_busy(False)
        session = loaded.session
        if loaded.pending is not None and self.ask_restore(loaded.pending):
            session.replay(Journal.open_existing(loaded.pending.path).commands())
            loaded.replayed = loaded.pending.commands
            loaded.data = build_grid_data(session)
        elif loaded.pending is not None and session.journal is not None:
            session.journal.discard()
        self.session = session
        session.undo_state_changed.connect(self._undo_state_changed.emit)  # queued when a worker edits
        self.model.set_session(session, loaded.data)
        self.pages.setCurrentWidget(self.view)
        self.first_rows_at = time.perf_counter()
        self.act_errors_only.setChecked(False)
        self.setWindowTitle(f"{path.name} — Booking Desktop")
        recent_files.add_recent_file(path)
        result = session.result
        notes = [str(p) for p in result.file_problems]
        if loaded.restore_problem:
            notes.insert(0, loaded.restore_problem)
        if loaded.replayed:
            notes.insert(0, f"Restored {loaded.replayed} unsaved change(s) from the last session.")
        if result.profile is None:
            notes.insert(
                0, "No vendor profile matches these headers: review the suggested mapping in the Mapping panel."
            )
        self._show_banner("\n".join(notes[:6]) + (f"\n… and {len(notes) - 6} more" if len(notes) > 6 else ""))
        if self.mapping_panel is not None:
            self._mapping_shown_for = None
            if result.profile is None and self.mapping_dock is not None:
                self.mapping_dock.raise_()
            # filled when visible, in its own event-loop turn: the grid paints first
            QTimer.singleShot(MAPPING_PANEL_DELAY_MS, self._show_mapping_if_visible)
        self.statusBar().showMessage(
            f"{result.records:,} records · {result.invalid:,} with errors · vendor {result.vendor or '?'}", 10000
        )
        self._update_actions()
        self.session_loaded.emit()
        QTimer.singleShot(CACHE_FILL_DELAY_MS, self._start_cache_fill)

    def _show_mapping_if_visible(self) -> None:
        if self.mapping_panel is not None and self.mapping_panel.isVisible():
            self._show_mapping(self.session)

    def _show_mapping(self, session: WorkSession | None) -> None:
        if session is None or session is not self.session or self.mapping_panel is None:
            return
        if self._mapping_shown_for is session:
            return
        self._mapping_shown_for = session
        r = session.result
        try:
            self.mapping_panel.set_source(r.raw, r.profile, r.suggestion)  # drift: the panel derives it
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            log.warning("mapping panel could not show %s: %s", session.source_path, exc)

    def _start_cache_fill(self) -> None:
        data, session = self.model.data_, self.session
        if data is None or session is None:
            return
        w = GeneratorWorker(fill_column_cache, data, session)
        w.signals.result.connect(lambda _d: self._on_fully_loaded(data))
        self._cache_worker = w
        w.start()

    def _on_fully_loaded(self, data: GridData) -> None:
        if data is self.model.data_:
            self.fully_loaded_at = time.perf_counter()
            self.fully_loaded.emit()

    # ------------------------------------------------------------------ session safety
    def check_pending_journals(self) -> int:
        """Offer to restore edits left by a session that did not close cleanly.  Returns how many were offered."""
        if self.session is not None or self.is_loading:
            return 0
        pending = pending_journals(self.journal_dir)
        for pj in pending:
            if not pj.source_exists:
                continue
            if self.ask_restore(pj):
                self.open_file(pj.source, restore=pj)
                return 1
            Journal(pj.path, pj.header).discard()
        return len(pending)

    def ask_restore(self, pj: PendingJournal) -> bool:
        box = QMessageBox(self)
        box.setObjectName("restoreBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restore unsaved edits?")
        box.setText(
            f"Booking Desktop did not close cleanly while you were editing {pj.source.name}.\n\n"
            f"{pj.commands} unsaved change(s) from {pj.created} can be restored exactly."
        )
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        restore.setObjectName("restoreButton")
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("discardButton")
        box.setDefaultButton(restore)
        box.exec()
        return box.clickedButton() is restore

    def ask_keep_edits(self) -> str:
        """'keep' (journal stays for next time), 'discard' or 'cancel'."""
        assert self.session is not None
        box = QMessageBox(self)
        box.setObjectName("unsavedBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Unsaved edits")
        box.setText(
            f"You have edits to {self.session.source_path.name} that were not committed.\n\n"
            "Keep them to restore next time, or discard them?"
        )
        keep = box.addButton("Keep for later", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        return "keep" if clicked is keep else "discard" if clicked is discard else "cancel"

    def close_file(self) -> bool:
        """Close the current file; False when the operator cancelled."""
        if self.session is None:
            return True
        if self.is_editing:
            self.statusBar().showMessage("An edit is still being applied; close the file when it is done.", 5000)
            return False
        if self.session.is_modified:
            answer = self.ask_keep_edits()
            if answer == "cancel":
                return False
            if answer == "discard" and self.session.journal is not None:
                self.session.journal.discard()
        elif self.session.journal is not None:
            self.session.journal.discard()
        if self._cache_worker is not None:
            self._cache_worker.cancel()
        self.session = None
        self.model.set_session(None)
        self._show_banner("")
        self.setWindowTitle("Booking Desktop")
        self._update_actions()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.close_file():
            event.ignore()
            return
        self.cancel_load()
        if self.connection_status is not None and hasattr(self.connection_status, "stop"):
            self.connection_status.stop()
        self._save_settings()
        self.local_db.stop_owned()  # quitting stops the local database this app started (only that one)
        event.accept()

    # ------------------------------------------------------------------ editing
    def _edit_guard(self) -> WorkSession | None:
        if self.session is None:
            return None
        if self._remap_worker is not None and not self._remap_worker.is_done:
            self.statusBar().showMessage("The mapping is being applied; try again in a moment.", 4000)
            return None
        if self.is_editing:
            self.statusBar().showMessage("The previous edit is still being applied; try again in a moment.", 4000)
            return None
        return self.session

    @property
    def is_editing(self) -> bool:
        return self._edit_worker is not None and not self._edit_worker.is_done

    def _run_edit(self, label: str, fn: Any, *args: Any, done: Any = None) -> Any:
        """Run one session edit: at once for small files, on a worker for big ones.

        A bulk edit at a million rows re-validates for seconds; on a worker the
        window keeps answering, the grid is read-only meanwhile and the session's
        events reach the model through queued Qt signals.  Returns the edit's
        result when it ran at once, None when it runs in the background.
        """
        s = self.session
        if s is None:
            return None
        if len(s) < BULK_WORKER_ROWS:
            try:
                out = fn(*args)
            except ValueError as exc:
                self.show_message(label, str(exc))
                return None
            if done is not None:
                done(out)
            return out
        self._set_busy(True, f"{label}…")
        self.cancel_button.setVisible(False)  # an edit is one step: it completes or fails, never half-done
        self.model.read_only = True
        w = GeneratorWorker(fn, *args, pass_cancel=False)

        def finished() -> None:
            self.model.read_only = False
            self._set_busy(False)

        w.signals.result.connect(lambda out: done(out) if done is not None else None)
        w.signals.errored.connect(lambda msg: self.show_message(label, msg))
        w.signals.finished.connect(finished)
        self._edit_worker = w
        w.start()
        return None

    def undo(self) -> None:
        s = self._edit_guard()
        if s is not None and s.can_undo:
            label = s.undo_label
            self._run_edit("Undo", s.undo, done=lambda _r: self._undone("Undone", label))

    def redo(self) -> None:
        s = self._edit_guard()
        if s is not None and s.can_redo:
            label = s.redo_label
            self._run_edit("Redo", s.redo, done=lambda _r: self._undone("Redone", label))

    def _undone(self, verb: str, label: str | None) -> None:
        self._after_undo_redo(label)
        self.statusBar().showMessage(f"{verb}: {label}", 4000)

    def _after_undo_redo(self, label: str | None) -> None:
        """Undoing a mapping change swaps the whole frame: refresh the panel and the cache."""
        if label == "Change mapping":
            self._start_cache_fill()
            if self.mapping_panel is not None:
                self._mapping_shown_for = None
                self._show_mapping_if_visible()

    def _selected_by_field(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for r, f in self.view.selected_cells():
            out.setdefault(f, []).append(r)
        if not out:
            cur = self.view.currentIndex()
            if cur.isValid():
                out[self.model.fields[cur.column()]] = [self.model.frame_row(cur.row())]
        return out

    def fill_down(self) -> None:
        s = self._edit_guard()
        if s is None:
            return
        edits: list[tuple[int, str, str | None]] = []
        for f, rows in self._selected_by_field().items():
            rows = sorted(set(rows), key=lambda r: self.model.view_row(r) or 0)
            if len(rows) < 2:
                continue
            top = s.value(rows[0], f)
            edits.extend((r, f, top) for r in rows[1:])
        if not edits:
            self.statusBar().showMessage("Select at least two cells in a column to fill down.", 4000)
            return
        self._run_edit("Fill down", s.set_cells, edits, "Fill down")

    def set_value(self) -> None:
        s = self._edit_guard()
        sel = self._selected_by_field()
        if s is None or not sel:
            return
        cells = [(r, f) for f, rows in sel.items() for r in rows]
        fields = sorted(sel)
        label = fields[0] if len(fields) == 1 else f"{len(fields)} fields"
        dlg = SetValueDialog(label, len(cells), "", self)
        if dlg.exec() != SetValueDialog.DialogCode.Accepted:
            return
        self._run_edit(f"Set {label}", s.set_cells, [(r, f, dlg.value()) for r, f in cells], f"Set {label}")

    def find_replace(self) -> None:
        s = self._edit_guard()
        if s is None:
            return
        cur = self.view.currentIndex()
        field = self.model.fields[cur.column()] if cur.isValid() else None
        rows = self.view.selected_frame_rows()
        dlg = FindReplaceDialog(self.model.fields, field, has_selection=len(rows) > 1, parent=self)
        if dlg.exec() != FindReplaceDialog.DialogCode.Accepted:
            return
        self.replace(*dlg.values(), rows=rows)

    def replace(
        self, field: str, find: str, repl: str, regex: bool, only_selected: bool, rows: list[int]
    ) -> int | None:
        """Cells changed (None while a big replace runs in the background)."""
        s = self._edit_guard()
        if s is None:
            return 0
        return self._run_edit(
            "Find and replace",
            s.replace_in_column,
            field,
            find,
            repl,
            regex,
            np.asarray(rows) if only_selected else None,
            done=lambda n: self.statusBar().showMessage(f"Replaced in {n:,} cell(s) of {field}.", 6000),
        )

    def value_map(self) -> None:
        s = self._edit_guard()
        if s is None:
            return
        cur = self.view.currentIndex()
        field = self.model.fields[cur.column()] if cur.isValid() else None
        dlg = ValueMapDialog(self.model.fields, s.text, field, self)
        if dlg.exec() != ValueMapDialog.DialogCode.Accepted:
            return
        fld, mapping = dlg.mapping()
        self._run_edit(
            "Apply value map",
            s.apply_value_map,
            fld,
            mapping,
            done=lambda n: self.statusBar().showMessage(f"Mapped {n:,} value(s) in {fld}.", 6000),
        )

    def delete_rows(self) -> None:
        s = self._edit_guard()
        rows = self.view.selected_frame_rows()
        if s is None or not rows:
            return
        s.delete_rows(rows)
        self.statusBar().showMessage(
            f"{len(rows):,} row(s) deleted (excluded from the commit; Ctrl+Z brings them back).", 6000
        )

    def restore_rows(self) -> None:
        s = self._edit_guard()
        rows = self.view.selected_frame_rows()
        if s is not None and rows:
            s.restore_rows(rows)

    # ------------------------------------------------------------------ navigation / filters
    def toggle_errors_only(self) -> None:
        on = self.act_errors_only.isChecked()
        self.error_panel.set_filter(FILTER_ERRORS if on else FILTER_ALL)

    def focus_search(self) -> None:
        self.errors_dock.show()
        self.error_panel.search.setFocus()
        self.error_panel.search.selectAll()

    def go_to_problem(self, forward: bool = True) -> None:
        cur = self.view.currentIndex()
        row, col = (cur.row(), cur.column()) if cur.isValid() else (-1, -1 if forward else 10**6)
        hit = next_problem(self.model, row, col, forward)
        if hit is None:
            self.statusBar().showMessage("No problems in the rows shown.", 4000)
            return
        self.view.go_to(*hit)
        tip = self.model.data(self.model.index(*hit), Qt.ItemDataRole.ToolTipRole)
        if tip:
            self.statusBar().showMessage(str(tip).splitlines()[0], 8000)

    def _select_cells(self, rows: np.ndarray, col: int | None) -> None:
        shown = self.view.select_cells(rows, col)
        hidden = len(rows) - shown
        msg = f"{shown:,} cell(s) selected" + (f"; {hidden:,} hidden by the filter" if hidden > 0 else "")
        self.statusBar().showMessage(msg, 6000)

    def _current_row_changed(self, frame_row: int) -> None:
        self.details.show_row(frame_row)
        if self.session is not None and frame_row >= 0:
            locs = self.session.result.raw.locations
            if frame_row < len(locs):
                self.statusBar().showMessage(
                    f"Record {frame_row + 1} — {self.session.source_path.name}, {locs[frame_row]}"
                )

    def _update_actions(self) -> None:
        s = self.session
        has = s is not None and not self.is_loading
        live = s if has else None
        self.act_undo.setEnabled(bool(live is not None and live.can_undo))
        self.act_redo.setEnabled(bool(live is not None and live.can_redo))
        self.act_undo.setText(f"&Undo {live.undo_label}" if live is not None and live.undo_label else "&Undo")
        self.act_redo.setText(f"&Redo {live.redo_label}" if live is not None and live.redo_label else "&Redo")
        for a in (
            self.act_find,
            self.act_fill,
            self.act_set,
            self.act_map,
            self.act_delete,
            self.act_restore,
            self.act_errors_only,
            self.act_next,
            self.act_prev,
            self.act_commit,
            self.act_close,
            self.act_search,
        ):
            a.setEnabled(has)
        if s is not None:
            title = f"{s.source_path.name}{' *' if s.is_modified else ''} — Booking Desktop"
            self.setWindowTitle(title)

    # ------------------------------------------------------------------ mapping
    def remap(self, profile: Any) -> None:
        """The mapping panel changed the mapping: re-map in a worker, then apply as one undo step."""
        s = self.session
        if s is None:
            return
        if self._remap_worker is not None and not self._remap_worker.is_done:
            self._remap_worker.cancel()
        self._set_busy(True, "Applying the mapping…")
        w = GeneratorWorker(s.prepare_remap, profile, pass_cancel=False)
        w.signals.result.connect(lambda plan, w=w, s=s: self._remap_ready(w, s, plan))
        w.signals.errored.connect(lambda _msg: self._set_busy(False))  # slots run in the order connected
        w.signals.errored.connect(self._remap_failed)
        w.signals.aborted.connect(lambda: self._set_busy(False))
        self._remap_worker = w
        w.start()

    def _remap_failed(self, message: str) -> None:
        self._commit_after_remap = False
        self.show_message("Mapping not applied", message)

    def _remap_ready(self, worker: GeneratorWorker, session: WorkSession, plan: Any) -> None:
        if worker is not self._remap_worker or session is not self.session or worker.is_cancelled():
            return
        self._set_busy(False)
        session.apply_remap(plan)
        self._start_cache_fill()
        self.statusBar().showMessage(f"Mapping applied: {session.result.invalid:,} record(s) with errors.", 6000)
        if self._commit_after_remap:
            self._commit_after_remap = False
            self.commit()

    # ------------------------------------------------------------------ connection and commit (GUI engineer B)
    def choose_connection(self) -> None:
        try:
            from booking_desktop.gui.connection_dialog import ConnectionDialog
        except ImportError:
            self.show_message(
                "Connection", "Connection profiles are not available in this build.", QMessageBox.Icon.Information
            )
            return
        settings = recent_files.settings()
        current = settings.value("connection/name") or None
        dlg = ConnectionDialog(self, current=str(current) if current else None, local=self.local_db)
        if dlg.exec() != ConnectionDialog.DialogCode.Accepted:
            return
        name = dlg.chosen()
        target = dlg.target() if name is not None else None
        if name is not None and target is None:
            return  # the dialog told the operator why
        self.connection_target = target
        settings.setValue("connection/name", name or "")
        self._watch_connection()

    def _restore_connection(self) -> None:
        """The connection chosen in an earlier run is in use again.  When it cannot be (removed, or
        its password prompt cancelled) the operator is told that commits go to the local database."""
        settings = recent_files.settings()
        name = str(settings.value("connection/name") or "")
        if name:
            from booking_desktop.gui.connection_dialog import connection_target
            from booking_desktop.storage.connections import ConnectionProfileError, ConnectionStore

            problem = ""
            try:
                self.connection_target = connection_target(ConnectionStore(), name, self)
            except ConnectionProfileError as exc:
                problem = str(exc)
            if self.connection_target is None:
                settings.setValue("connection/name", "")
                self.show_message(
                    "Connection",
                    f"The connection \u201c{name}\u201d chosen last time is not in use"
                    + (f": {problem}." if problem else " (no password was given).")
                    + " Commits go to the local database until you choose a connection (Connection\u2026 menu).",
                    QMessageBox.Icon.Warning,
                )
        self._watch_connection()

    def _watch_connection(self) -> None:
        if self.connection_status is None:
            return
        from booking_desktop.gui import status_widgets

        t = self.connection_target
        if t is None:
            self.connection_status.set_connection(None, status_widgets.local_database_ping(self.local_db))
        else:
            label = getattr(t, "label", "") or getattr(t, "uri", "database")
            self.connection_status.set_connection(label, status_widgets.target_ping(t))

    def commit(self) -> None:
        s = self._edit_guard()
        if s is None:
            return
        if self.mapping_panel is not None and hasattr(self.mapping_panel, "flush"):
            self.mapping_panel.flush()
        self.commit_flow.start(self.connection_target, s, getattr(s.result.profile, "name", None))

    @property
    def commit_dialog(self) -> Any:
        return self.commit_flow.dialog

    def _vendor_chosen(self, vendor: str) -> None:
        """The operator named the file's vendor: map the rows with it (one undo step), then commit."""
        s = self.session
        if s is None:
            return
        self._commit_after_remap = True
        self.remap(s.vendor_profile(vendor))

    def _committed(self, s: WorkSession | None, summary: Any) -> None:
        status = str(getattr(summary, "status", "completed"))
        if status == "completed" and s is not None and s is self.session:
            s.mark_clean()
            self._update_actions()
