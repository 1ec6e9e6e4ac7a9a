"""Opening, re-mapping and closing the file on the Import page, off the UI thread.

:class:`FileController` drives the Qt-free :func:`~booking_desktop.session.loading.load_session`
on a :class:`GeneratorWorker`, hands the result to the page, fills the grid's column cache in the
background, re-maps when the mapping panel changes the mapping, and closes the file (keeping or
discarding uncommitted edits).  It holds the open :class:`WorkSession`; widgets only show it.

While a commit is prepared or runs, the commit flow *locks* the session (:meth:`FileController.lock`):
the grid is read-only, the mapping panel is disabled, and opening, closing or re-mapping is refused
with a message, because the commit reads the session's frames (editing them meanwhile could commit
half an edit); a panel that only shows the preview's counts (nothing runs) is closed instead.
A file opened again that the database already has an import of says so in the file notes (when,
its outcome, by whom), looked up by the file's sha256 on a worker.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from booking_desktop.grid import GridData, fill_column_cache
from booking_desktop.gui import commit_text, prompts, recent_files
from booking_desktop.gui.import_page import ImportPage
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.session import Journal, PendingJournal, WorkSession, pending_journals
from booking_desktop.session.loading import Loaded, load_session

CACHE_FILL_DELAY_MS = 300  # let the first paint and the panels finish before converting columns
MAPPING_PANEL_DELAY_MS = 50  # after the first paint of the grid, in its own event-loop turn


class FileController(QObject):
    session_loaded = Signal()  # the first rows are shown
    fully_loaded = Signal()  # every column cached: scrolling anywhere is O(1)
    load_failed = Signal(str)
    busy = Signal(bool, str)  # show / hide the status bar's progress ("Opening x…")
    progress = Signal(object)  # pipeline.Progress
    message = Signal(str, int)  # status-bar text, milliseconds
    problem = Signal(str, str)  # title, text: a message box
    state_changed = Signal()  # enable conditions may have changed
    remapped = Signal()  # a mapping was applied (the window may commit next)
    remap_failed = Signal()

    def __init__(
        self,
        page: ImportPage,
        journal_dir: Path | None = None,
        profiles_dir: Path | None = None,
        pipeline_run: Any = None,
    ):
        super().__init__(page)
        self.page = page
        self.journal_dir = journal_dir
        self.profiles_dir = profiles_dir
        self._pipeline_run = pipeline_run
        self.session: WorkSession | None = None
        self._load_worker: GeneratorWorker | None = None
        self._cache_worker: GeneratorWorker | None = None
        self._remap_worker: GeneratorWorker | None = None
        self._mapping_shown_for: WorkSession | None = None
        self._history_worker: GeneratorWorker | None = None
        self.locked_by: str | None = None  # why the session may not change now (a commit runs), or None
        self.connections: Any = None  # the window's ConnectionManager: where "already imported" is looked up
        self.last_import: dict[str, Any] | None = None  # the latest import of the open file, when there is one
        self._notes: list[str] = []
        # the questions asked (replaceable, e.g. by a test that answers them)
        self.ask_restore = lambda pj: prompts.ask_restore(page.window(), pj)
        self.ask_keep_edits = lambda file_name: prompts.ask_keep_edits(page.window(), file_name)
        self.load_started_at = self.first_rows_at = self.fully_loaded_at = 0.0
        page.mapping_panel.profile_changed.connect(self.remap)
        page.mapping_dock.visibilityChanged.connect(lambda shown: self._show_mapping() if shown else None)

    # ------------------------------------------------------------------ state
    @property
    def is_loading(self) -> bool:
        return self._load_worker is not None and not self._load_worker.is_done

    @property
    def is_remapping(self) -> bool:
        return self._remap_worker is not None and not self._remap_worker.is_done

    @property
    def locked(self) -> bool:
        return self.locked_by is not None

    def lock(self, reason: str | None, release: Any = None) -> None:
        """``reason``: the session must not change now (a message for the operator); None unlocks.
        ``release()``, when given, is asked first when the operator opens or closes a file: it may end
        what holds the lock (a commit panel where nothing runs) and say True."""
        self.locked_by = reason
        self._release = release if reason is not None else None
        self.page.model.read_only = reason is not None
        self.page.mapping_panel.setEnabled(reason is None)
        self.state_changed.emit()

    def _refused_while_locked(self, may_release: bool = True) -> bool:
        release = getattr(self, "_release", None)
        if self.locked_by is not None and may_release and release is not None and release():
            return self.locked_by is not None
        if self.locked_by is not None:
            self.message.emit(self.locked_by, 6000)
            return True
        return False

    # ------------------------------------------------------------------ opening
    def open_file(
        self, path: Path, profile: Any = None, restore: PendingJournal | None = None, editing: bool = False
    ) -> bool:
        """Start loading ``path`` in a worker.  False when the operator kept the current file."""
        path = Path(path)
        if self._refused_while_locked():
            return False
        if self.is_loading:
            self.message.emit("Already loading a file; cancel it first.", 5000)
            return False
        if not self.close_file(editing):
            return False
        if not path.is_file():
            recent_files.remove_recent_file(path)
            self.problem.emit("Cannot open file", f"{path} does not exist (it may have been moved or deleted).")
            return False
        self.load_started_at = time.perf_counter()
        self.first_rows_at = self.fully_loaded_at = 0.0
        w = GeneratorWorker(
            load_session,
            path,
            profile=profile,
            profiles_dir=self.profiles_dir,
            journal_dir=self.journal_dir,
            restore=restore,
            pipeline_run=self._pipeline_run,
        )
        w.signals.progress.connect(self.progress.emit)
        w.signals.result.connect(lambda loaded, p=path: self._on_loaded(p, loaded))
        w.signals.errored.connect(lambda msg, p=path: self._on_load_error(p, msg))
        w.signals.aborted.connect(self._on_load_cancelled)
        self._load_worker = w
        self.busy.emit(True, f"Opening {path.name}…")
        w.start()
        return True

    def cancel(self) -> bool:
        """Cancel a load or a remap in flight; True when there was one."""
        if self._history_worker is not None:
            self._history_worker.cancel()  # a look-up only: its answer is dropped
        any_ = False
        for w in (self._load_worker, self._remap_worker):
            if w is not None and not w.is_done:
                w.cancel()
                any_ = True
        return any_

    def _on_load_error(self, path: Path, message: str) -> None:
        self.busy.emit(False, "")
        if path.name not in message:
            message = f"{path.name}: {message}"
        self.load_failed.emit(message)
        self.problem.emit(
            "Cannot open file",
            f"{message}\n\nCheck that {path.name} is a vendor export (CSV, Excel, JSON or XML) and try again.",
        )

    def _on_load_cancelled(self) -> None:
        self.busy.emit(False, "")
        self.message.emit("Loading cancelled.", 5000)

    def _on_loaded(self, path: Path, loaded: Loaded) -> None:
        self.busy.emit(False, "")
        session = loaded.session
        if loaded.pending is not None and self.ask_restore(loaded.pending):
            loaded.restore_pending()
        elif loaded.pending is not None and session.journal is not None:
            session.journal.discard()
        self.session = session
        session.undo_state_changed.connect(self.state_changed.emit)  # queued when a worker edits
        page = self.page
        page.model.set_session(session, loaded.data)
        page.show_file_panels(True)
        self.first_rows_at = time.perf_counter()
        recent_files.add_recent_file(path)
        self._notes = loaded.notes()
        page.notes.show_notes(self._notes)
        self.last_import = None
        self._look_up_imports(session)
        result = session.result
        self._mapping_shown_for = None
        if result.profile is None:
            page.mapping_dock.raise_()
        # filled when visible, in its own event-loop turn: the grid paints first
        QTimer.singleShot(MAPPING_PANEL_DELAY_MS, self._show_mapping_if_visible)
        self.message.emit(
            f"{result.records:,} records · {result.invalid:,} with errors · vendor {result.vendor or '?'}", 10000
        )
        self.state_changed.emit()
        self.session_loaded.emit()
        QTimer.singleShot(CACHE_FILL_DELAY_MS, self.start_cache_fill)

    # ------------------------------------------------------------------ already imported?
    def _look_up_imports(self, session: WorkSession) -> None:
        if self.connections is None:
            return
        c = self.connections
        w = GeneratorWorker(last_import_of_file, session.result.raw.source, c.target, c.local_db, pass_cancel=False)
        w.signals.result.connect(lambda doc, s=session: self._imported_before(s, doc))
        w.signals.errored.connect(
            lambda msg: self.message.emit(f"Could not check whether this file was imported before: {msg}", 8000)
        )
        self._history_worker = w
        w.start()

    def _imported_before(self, session: WorkSession, doc: dict[str, Any] | None) -> None:
        if session is not self.session or doc is None:
            return
        self.last_import = doc
        self.page.notes.show_notes([*self._notes, commit_text.last_import_notice(doc)])

    def _show_mapping_if_visible(self) -> None:
        if self.page.mapping_panel.isVisible():
            self._show_mapping()

    def _show_mapping(self) -> None:
        session = self.session
        if session is None or self._mapping_shown_for is session:
            return
        self._mapping_shown_for = session
        r = session.result
        self.page.mapping_panel.set_source(r.raw, r.profile, r.suggestion)  # drift: the panel derives it

    def refresh_mapping(self) -> None:
        """The whole frame changed (a mapping undone or redone): refresh the panel and the cache."""
        self.start_cache_fill()
        self._mapping_shown_for = None
        self._show_mapping_if_visible()

    def start_cache_fill(self) -> None:
        data, session = self.page.model.data_, self.session
        if data is None or session is None:
            return
        w = GeneratorWorker(fill_column_cache, data, session)
        w.signals.result.connect(lambda _d: self._on_fully_loaded(data))
        self._cache_worker = w
        w.start()

    def _on_fully_loaded(self, data: GridData) -> None:
        if data is self.page.model.data_:
            self.fully_loaded_at = time.perf_counter()
            self.fully_loaded.emit()

    # ------------------------------------------------------------------ edits left by a crash
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

    # ------------------------------------------------------------------ closing
    def close_file(self, editing: bool = False) -> bool:
        """Close the current file; False when the operator cancelled (or an edit is being applied)."""
        s = self.session
        if s is None:
            return True
        if self._refused_while_locked():
            return False
        if editing:
            self.message.emit("An edit is still being applied; close the file when it is done.", 5000)
            return False
        if s.is_modified:
            answer = self.ask_keep_edits(s.source_path.name)
            if answer == "cancel":
                return False
            if s.journal is not None:
                s.journal.discard() if answer == "discard" else s.journal.mark_kept()
        elif s.journal is not None:
            s.journal.discard()
        for w in (self._cache_worker, self._history_worker):
            if w is not None:
                w.cancel()
        self.session = None
        self.page.model.set_session(None)
        self.page.show_file_panels(False)
        self.state_changed.emit()
        return True

    # ------------------------------------------------------------------ mapping
    def remap(self, profile: Any) -> None:
        """The mapping panel changed the mapping: re-map in a worker, then apply as one undo step."""
        s = self.session
        if s is None or self._refused_while_locked(may_release=False):
            self.remap_failed.emit()
            return
        if self.is_remapping:
            assert self._remap_worker is not None
            self._remap_worker.cancel()
        w = GeneratorWorker(s.prepare_remap, profile, pass_cancel=False)
        w.signals.result.connect(lambda plan, w=w, s=s: self._remap_ready(w, s, plan))
        w.signals.errored.connect(self._remap_failed)
        w.signals.aborted.connect(lambda: self.busy.emit(False, ""))
        self._remap_worker = w
        self.busy.emit(True, "Applying the mapping…")
        w.start()

    def _remap_failed(self, message: str) -> None:
        self.busy.emit(False, "")
        self.remap_failed.emit()
        self.problem.emit("Mapping not applied", message)

    def _remap_ready(self, worker: GeneratorWorker, session: WorkSession, plan: Any) -> None:
        if worker is not self._remap_worker or session is not self.session or worker.is_cancelled():
            return
        self.busy.emit(False, "")
        session.apply_remap(plan)
        self.start_cache_fill()
        self.message.emit(f"Mapping applied: {session.result.invalid:,} record(s) with errors.", 6000)
        self.remapped.emit()


def last_import_of_file(source: Any, target: Any, local: Any) -> dict[str, Any] | None:
    """On a worker: the latest import of this file's content in ``target`` (None = the local database,
    asked only when it is running: opening a file does not start a database)."""
    from booking_desktop.storage import imports
    from booking_desktop.storage.connection import open_connection

    if target is None:
        st = local.status()
        if not st.running:
            return None
        target = local.target_for(st)
    sha = source.content_sha256()
    conn = open_connection(target, indexes=False)
    try:
        return imports.last_import_of(conn.db, sha)
    finally:
        conn.close()
