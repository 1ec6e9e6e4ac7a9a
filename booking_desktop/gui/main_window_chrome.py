"""The main window's chrome: menus, the Import toolbar, the grid's context menu, the status
bar's progress widgets, and the window geometry kept between runs.

Everything here is built from the actions declared in :mod:`booking_desktop.gui.actions`; the
window (:mod:`booking_desktop.gui.main_window`) owns the behaviour behind them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMenu, QProgressBar, QPushButton, QToolBar

from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.actions import ActionRegistry

if TYPE_CHECKING:
    from booking_desktop.gui.main_window import MainWindow

DEFAULT_SIZE = QSize(1400, 900)  # about 30 rows of the grid with the panels open
GRID_ACTIONS = (
    "actCopy", "actCopyHeaders", "actPaste", "actClearCells", None, "actFillDown", "actSetValue",
    "actFind", "actValueMap", None, "actDeleteRows", "actRestoreRows",
)  # fmt: skip
TOOLBAR_ACTIONS = ("actOpen", "actUndo", "actRedo", "actErrorsOnly", "actNextProblem", "actCommit")


def build_grid_menu(window: MainWindow) -> None:
    """The grid's right-click menu; its shortcuts (Delete, Ctrl+C, …) work while the grid has focus."""
    view, acts = window.page.view, window.acts
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    for name in GRID_ACTIONS:
        if name is None:
            sep = QAction(view)
            sep.setSeparator(True)
            view.addAction(sep)
            continue
        act = acts[name]
        if acts.spec(name).grid_only:
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        view.addAction(act)


def build_menus(window: MainWindow) -> QMenu:
    """File, Edit, View and Help; returns the File > Open recent menu."""
    a, mb = window.acts, window.menuBar()
    m = mb.addMenu("&File")
    m.addAction(a["actOpen"])
    recent = m.addMenu("Open &recent")
    recent.setObjectName("recentMenu")
    recent.aboutToShow.connect(lambda: fill_recent_menu(recent, window.open_file))
    fill_recent_menu(recent, window.open_file)
    for name in ("actCloseFile", None, "actCommit", "actConnection", "actExportProblems", None, "actQuit"):
        m.addSeparator() if name is None else m.addAction(a[name])
    m = mb.addMenu("&Edit")
    for name in ("actUndo", "actRedo", None, *GRID_ACTIONS):
        m.addSeparator() if name is None else m.addAction(a[name])
    m = mb.addMenu("&View")
    for name in ("actErrorsOnly", "actNextProblem", "actPrevProblem", "actSearch"):
        m.addAction(a[name])
    m.addSeparator()
    for dock in window.page.docks:
        m.addAction(dock.toggleViewAction())
    m.addSeparator()
    a["actDarkTheme"].setChecked(theme.dark_wanted(recent_files.settings()))
    m.addAction(a["actDarkTheme"])
    mb.addMenu("&Help").addAction(a["actAbout"])
    return recent


def fill_recent_menu(menu: QMenu, open_file: Callable[[Path], object]) -> None:
    menu.clear()
    files = recent_files.recent_files()
    for p in files:
        act = menu.addAction(p)
        act.triggered.connect(lambda _checked=False, p=p: open_file(Path(p)))
    if files:
        menu.addSeparator()
        menu.addAction("Clear list", recent_files.clear_recent_files)
    menu.setEnabled(bool(files))


def build_toolbar(acts: ActionRegistry) -> QToolBar:
    toolbar = QToolBar("Import")
    toolbar.setObjectName("importToolbar")
    for name in TOOLBAR_ACTIONS:
        toolbar.addAction(acts[name])
    return toolbar


def build_status_bar(window: MainWindow) -> tuple[QProgressBar, QLabel, QPushButton]:
    """The progress of a load or a remap, its Cancel button, and where commits go."""
    progress = QProgressBar()
    progress.setObjectName("loadProgress")
    progress.setAccessibleName("Progress")
    progress.setMaximumWidth(220)
    progress.setVisible(False)
    label = QLabel("")
    label.setObjectName("progressLabel")
    cancel = QPushButton("Cancel")
    cancel.setObjectName("cancelButton")
    cancel.setAccessibleName("Cancel loading")
    cancel.setVisible(False)
    cancel.clicked.connect(window.cancel_load)
    for w in (label, progress, cancel, window.connection_status):
        window.statusBar().addPermanentWidget(w)
    return progress, label, cancel


def restore_settings(window: MainWindow) -> None:
    s = recent_files.settings()
    geo = s.value("window/geometry")
    if isinstance(geo, QByteArray | bytes):
        window.restoreGeometry(geo)
    else:
        window.resize(DEFAULT_SIZE)
    state = s.value("window/state")
    if isinstance(state, QByteArray | bytes):
        window.restoreState(state)
    window.page.restore_layout()


def save_settings(window: MainWindow) -> None:
    s = recent_files.settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState())
    if window.session is not None:
        window.page.save_layout()
    s.sync()
