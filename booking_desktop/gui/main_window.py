"""The application window: a sidebar of pages, the current page's toolbar, menus and a status bar.

Pages: **Import** (the operator's workspace, :class:`ImportPage`), **Review queue** (the supervisor's
rejected rows, :class:`ReviewPage`), and for managers **Analytics**, **Data quality** (rejection rates,
codes, open rows by age; a double-click opens the Review queue on that vendor and code) and **Imports**
(history, imports per day, alerts).  Undo and Redo of the Edit menu act on the page shown (the Import
page's edits or the Review page's fixes).  The window wires the pages to their controllers and shows what
they report; it holds no business logic:

- :class:`FileController` opens, re-maps and closes the file on workers;
- :class:`EditController` runs the grid's edits, the clipboard and the problem navigation;
- :class:`ConnectionManager` holds the database the commits go to and its health;
- :class:`CommitFlow` connects, asks for the vendor when needed and runs the commit panel (a dock).

Actions are declared once in :mod:`booking_desktop.gui.actions` with their enable conditions; the
menus, toolbar, status-bar widgets and saved geometry are :mod:`booking_desktop.gui.main_window_chrome`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from booking_desktop.gui import main_window_chrome as chrome
from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.actions import ActionRegistry, UiState
from booking_desktop.gui.analytics_page import AnalyticsPage
from booking_desktop.gui.commit_flow import CommitFlow
from booking_desktop.gui.connection_manager import ConnectionManager
from booking_desktop.gui.edit_controller import EditController
from booking_desktop.gui.file_controller import FileController
from booking_desktop.gui.import_page import ImportPage
from booking_desktop.gui.imports_page import ImportsPage
from booking_desktop.gui.quality_page import QualityPage
from booking_desktop.gui.review_page import ReviewPage
from booking_desktop.gui.status_widgets import ConnectionStatusWidget
from booking_desktop.pipeline import Progress
from booking_desktop.readers import openable_extensions
from booking_desktop.session import PendingJournal, WorkSession

FILE_FILTER = f"Vendor exports ({' '.join('*' + e for e in openable_extensions())});;All files (*)"
PAGES = (
    ("import", "Import"),
    ("review", "Review queue"),
    ("analytics", "Analytics"),
    ("quality", "Data quality"),
    ("history", "Imports"),
)


class MainWindow(QMainWindow):
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
        self.samples_dir = samples_dir
        self.last_message: QMessageBox | None = None
        self._commit_after_remap = False

        self.connection_status = ConnectionStatusWidget(self)
        self.connections = ConnectionManager(self, local_db, self.connection_status)
        self.connections.problem.connect(lambda msg: self.show_message("Connection", msg))
        self.page = ImportPage(self, profiles_dir=profiles_dir, samples_dir=samples_dir)
        self.files = FileController(self.page, journal_dir, profiles_dir, pipeline_run)
        self.edits = EditController(self.page, self.files)
        self.files.connections = self.connections  # "already imported" is looked up where commits go
        self.commit_flow = CommitFlow(self, self.connections.local_db, self.files)
        self._wire()

        self.nav = QListWidget()
        self.nav.setObjectName("pageNav")
        self.nav.setAccessibleName("Pages")
        self.nav.addItems([title for _name, title in PAGES])
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.history = ImportsPage(self.connections)
        self.review = ReviewPage(self.connections)
        self.quality = QualityPage(self.connections)
        self.open_review = self.quality.open_review  # (vendor, code): the Review queue filtered on both
        self.open_review.connect(self.show_review)
        self.page_widgets: dict[str, QWidget] = {
            "import": self.page,
            "review": self.review,
            "analytics": AnalyticsPage(self.connections),
            "quality": self.quality,
            "history": self.history,
        }
        for name, _title in PAGES:
            self.stack.addWidget(self.page_widgets[name])
        self.nav.currentRowChanged.connect(self._page_chosen)
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.acts = ActionRegistry(self, self._slots())
        self.review.undo_changed.connect(self.update_actions)
        for act in self.acts.all():
            if not self.acts.spec(act.objectName()).grid_only:
                self.addAction(act)
        chrome.build_grid_menu(self)
        self.recent_menu = chrome.build_menus(self)
        self.toolbar = chrome.build_toolbar(self.acts)
        self.addToolBar(self.toolbar)
        self.progress, self.progress_label, self.cancel_button = chrome.build_status_bar(self)
        chrome.restore_settings(self)
        self.nav.setCurrentRow(0)
        self.update_actions()
        QTimer.singleShot(0, lambda: self.connections.restore(self))
        if check_journals:
            QTimer.singleShot(0, self.files.check_pending_journals)

    # ------------------------------------------------------------------ what tests and scripts reach
    session = property(lambda self: self.files.session)
    model = property(lambda self: self.page.model)
    view = property(lambda self: self.page.view)
    error_panel = property(lambda self: self.page.error_panel)
    details = property(lambda self: self.page.details)
    mapping_panel = property(lambda self: self.page.mapping_panel)
    welcome = property(lambda self: self.page.welcome)
    commit_dialog = property(lambda self: self.commit_flow.dialog)
    connection_target = property(
        lambda self: self.connections.target, lambda self, target: self.connections.set_target(None, target)
    )
    local_db = property(lambda self: self.connections.local_db)
    is_loading = property(lambda self: self.files.is_loading)
    is_editing = property(lambda self: self.edits.is_editing)

    def open_file(self, path: Path, profile: Any = None, restore: PendingJournal | None = None) -> bool:
        self.show_page("import")
        return self.files.open_file(path, profile, restore, editing=self.edits.is_editing)

    def close_file(self) -> bool:
        return self.files.close_file(self.edits.is_editing)

    # ------------------------------------------------------------------ construction
    def _wire(self) -> None:
        f, e, c = self.files, self.edits, self.commit_flow
        self.session_loaded, self.fully_loaded, self.load_failed = f.session_loaded, f.fully_loaded, f.load_failed
        for source in (f, e):
            source.busy.connect(self._set_busy)
            source.message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
            source.problem.connect(lambda title, text: self.show_message(title, text))
            source.state_changed.connect(self.update_actions)
        self.page.welcome.open_requested.connect(self.open_dialog)
        self.page.welcome.file_requested.connect(self.open_file)
        f.progress.connect(self._on_progress)
        f.session_loaded.connect(self._file_opened)
        f.remapped.connect(self._after_remap)
        f.remap_failed.connect(lambda: setattr(self, "_commit_after_remap", False))
        self.page.model.rows_changed.connect(self.update_actions)
        self.page.model.edit_failed.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.page.model.busy.connect(self._set_busy)
        self.page.view.current_row_changed.connect(self._current_row_changed)
        c.busy.connect(lambda on, text: self._set_busy(on, text))
        c.failed.connect(lambda msg: self.show_message("Cannot reach the database", msg))
        c.vendor_chosen.connect(self._vendor_chosen)
        c.committed.connect(lambda summary: self._committed(self.session, summary))

    def _slots(self) -> dict[str, Any]:
        e = self.edits
        return {
            "actOpen": self.open_dialog,
            "actCloseFile": self.close_file,
            "actQuit": self.close,
            "actCommit": self.commit,
            "actConnection": lambda: self.connections.choose(self),
            "actExportProblems": self.export_problems,
            "actUndo": lambda: self.review.undo() if self.current_page == "review" else e.undo(),
            "actRedo": lambda: self.review.redo() if self.current_page == "review" else e.redo(),
            "actCopy": e.copy,
            "actCopyHeaders": lambda: e.copy(headers=True),
            "actPaste": e.paste,
            "actClearCells": e.clear_cells,
            "actFind": e.find_replace,
            "actSearch": e.focus_search,
            "actFillDown": e.fill_down,
            "actSetValue": e.set_value,
            "actValueMap": e.value_map,
            "actDeleteRows": e.delete_rows,
            "actRestoreRows": e.restore_rows,
            "actErrorsOnly": lambda: e.set_errors_only(self.acts["actErrorsOnly"].isChecked()),
            "actNextProblem": lambda: e.go_to_problem(True),
            "actPrevProblem": lambda: e.go_to_problem(False),
            "actDarkTheme": lambda: self.set_dark(self.acts["actDarkTheme"].isChecked()),
            "actAbout": self.about,
        }

    def grid_context_actions(self) -> list[Any]:
        return [self.acts[n] for n in chrome.GRID_ACTIONS if n is not None]

    # ------------------------------------------------------------------ pages
    def show_page(self, name: str) -> None:
        self.nav.setCurrentRow([n for n, _t in PAGES].index(name))

    def show_review(self, vendor: str | None = None, code: str | None = None) -> None:
        """The Review page filtered on a vendor and an error code (open rows)."""
        self.show_page("review")
        self.review.set_filter(vendor=vendor, code=code, status="open")

    @property
    def current_page(self) -> str:
        return PAGES[max(self.nav.currentRow(), 0)][0]

    def _page_chosen(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        self.toolbar.setVisible(PAGES[row][0] == "import") if hasattr(self, "toolbar") else None
        if hasattr(self, "acts"):
            self.update_actions()

    # ------------------------------------------------------------------ status
    def show_message(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
        """A readable, non-blocking message box (never a traceback)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("messageBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        return box

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy and (self.files.is_loading or self.files.is_remapping))
        self.progress_label.setText(text)
        if busy:
            self.progress.setRange(0, 0)
        self.update_actions()

    def _on_progress(self, p: Any) -> None:
        if isinstance(p, Progress):
            if p.total:
                self.progress.setRange(0, p.total)
                self.progress.setValue(p.done)
            self.progress_label.setText(p.message or p.stage)

    def cancel_load(self) -> None:
        if self.files.cancel():
            self.progress_label.setText("Cancelling…")

    def state(self) -> UiState:
        s = self.session
        if self.current_page == "review" and hasattr(self, "review"):
            r = self.review
            return UiState(file_open=s is not None, loading=self.files.is_loading, can_undo=r.can_undo,
                           can_redo=r.can_redo, undo_label=r.undo_label, redo_label=r.redo_label, page="review")
        return UiState(
            file_open=s is not None,
            loading=self.files.is_loading,
            editing=self.edits.is_editing or self.files.is_remapping or self.files.locked,
            can_undo=bool(s is not None and s.can_undo),
            can_redo=bool(s is not None and s.can_redo),
            undo_label=(s.undo_label or "") if s is not None else "",
            redo_label=(s.redo_label or "") if s is not None else "",
            page=self.current_page,
        )

    def update_actions(self) -> None:
        self.acts.update(self.state())
        s = self.session
        self.setWindowTitle(
            f"{s.source_path.name}{' *' if s.is_modified else ''} — Booking Desktop" if s else "Booking Desktop"
        )

    def _file_opened(self) -> None:
        self.acts["actErrorsOnly"].setChecked(False)
        self.update_actions()

    def _current_row_changed(self, frame_row: int) -> None:
        self.page.details.show_row(frame_row)
        s = self.session
        if s is not None and 0 <= frame_row < len(s.result.raw.locations):
            where = s.result.raw.locations[frame_row]
            self.statusBar().showMessage(f"Record {frame_row + 1} — {s.source_path.name}, {where}")

    # ------------------------------------------------------------------ files
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

    def export_problems(self) -> None:
        s = self.session
        if s is None:
            return
        start = str(s.source_path.with_name(s.source_path.stem + "-problems.xlsx"))
        path, _ = QFileDialog.getSaveFileName(self, "Export the problems", start, "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.write_problems(Path(path))

    def write_problems(self, path: Path) -> bool:
        from booking_desktop.cli.validate_cmd import write_report

        assert self.session is not None
        try:
            write_report(self.session.result, path)
        except (OSError, ValueError) as exc:
            self.show_message("Problems not exported", f"{path.name}: {exc}")
            return False
        self.statusBar().showMessage(f"{len(self.session.result.problems):,} problem(s) written to {path}", 8000)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        chrome.save_settings(self)
        if not self.close_file():
            event.ignore()
            return
        self.files.cancel()
        self.commit_flow.shutdown()  # the commit panel's connection
        self.connections.stop()  # quitting stops the local database this app started (only that one)
        event.accept()

    # ------------------------------------------------------------------ view
    def set_dark(self, dark: bool) -> None:
        recent_files.settings().setValue(theme.DARK_SETTING, dark)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app, dark)
        self.page.model.refresh_palette()

    def about(self) -> None:
        from booking_desktop.gui.about import AboutDialog

        self.about_dialog = AboutDialog(self)
        self.about_dialog.open()

    # ------------------------------------------------------------------ commit
    def commit(self) -> None:
        s = self.edits.guard()
        if s is None:
            return
        self.page.mapping_panel.flush()
        self.commit_flow.start(self.connections.target, s, getattr(s.result.profile, "name", None))

    def _vendor_chosen(self, vendor: str) -> None:
        """The operator named the file's vendor: map the rows with it (one undo step), then commit."""
        s = self.session
        if s is not None:
            self._commit_after_remap = True
            self.files.remap(s.vendor_profile(vendor))

    def _after_remap(self) -> None:
        if self._commit_after_remap:
            self._commit_after_remap = False
            self.commit()

    def _committed(self, s: WorkSession | None, summary: Any) -> None:
        if str(getattr(summary, "status", "completed")) == "completed" and s is not None and s is self.session:
            s.mark_clean()
        self.update_actions()
