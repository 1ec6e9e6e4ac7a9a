"""The Import page: the operator's workspace (welcome or grid, file notes, and the panels).

The page is a nested ``QMainWindow`` so that its panels (problems, record details, mapping) are
docks the operator can move, tab and hide; it holds widgets only.  Opening files, editing and
committing are the controllers' work (:mod:`~booking_desktop.gui.file_controller`,
:mod:`~booking_desktop.gui.edit_controller`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import recent_files, theme
from booking_desktop.gui.details_pane import DetailsPane
from booking_desktop.gui.error_panel import ErrorPanel
from booking_desktop.gui.grid_model import GridModel
from booking_desktop.gui.grid_view import GridView
from booking_desktop.gui.mapping_panel import MappingPanel
from booking_desktop.gui.welcome import WelcomePage

log = logging.getLogger(__name__)

MAX_NOTES = 6
LAYOUT_KEY = "window/importPage"


class FileNotes(QWidget):
    """What the operator should read about the open file, dismissable.

    Its background and its text colour are both the theme's banner pair, picked from the palette of the
    page around it (never from its own, whose window colour is the banner's): before, only the
    background was set, from its own palette, so after a switch to dark the text turned light on the
    light amber that stayed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("banner")
        self.label.setAccessibleName("File notes")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Dismiss file notes")
        self.close_button.clicked.connect(lambda: self.setVisible(False))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.close_button)
        self.setAutoFillBackground(True)
        self.setVisible(False)

    def show_notes(self, notes: list[str]) -> None:
        text = "\n".join(notes[:MAX_NOTES])
        if len(notes) > MAX_NOTES:
            text += f"\n… and {len(notes) - MAX_NOTES} more"
        self.paint_colours()
        self.label.setText(text)
        self.setVisible(bool(text))

    def paint_colours(self) -> None:
        around = self.parentWidget()
        bg, fg = theme.banner_colors(around.palette() if around is not None else QApplication.palette())
        pal = self.palette()
        if pal.color(QPalette.ColorRole.Window) == bg and pal.color(QPalette.ColorRole.WindowText) == fg:
            return  # already so (and no palette change event to answer again)
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
            pal.setColor(role, bg if role == QPalette.ColorRole.Window else fg)
        self.setPalette(pal)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self.paint_colours()  # light <-> dark


class ImportPage(QMainWindow):
    def __init__(
        self, parent: QWidget | None = None, profiles_dir: Path | None = None, samples_dir: Path | None = None
    ):
        super().__init__(parent)
        self.setObjectName("importPage")
        self.setWindowFlags(Qt.WindowType.Widget)
        self.samples_dir = samples_dir
        self.model = GridModel(self)
        self.view = GridView()
        self.view.setModel(self.model)
        self.notes = FileNotes()
        self.welcome = WelcomePage()
        self.refresh_welcome()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.view)
        central = QWidget()
        cl = QVBoxLayout(central)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.notes)
        cl.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.error_panel = ErrorPanel(self.model)
        self.errors_dock = self._dock(
            "Problems", "problemsDock", self.error_panel, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.details = DetailsPane(self.model)
        self.details_dock = self._dock(
            "Record details", "detailsDock", self.details, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.mapping_panel = MappingPanel(self, mappings_dir=profiles_dir)
        self.mapping_panel.setAccessibleName("Mapping panel")
        self.mapping_dock = self._dock(
            "Mapping", "mappingDock", self.mapping_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.error_panel.width_wanted.connect(lambda _w: QTimer.singleShot(0, self._fit_problems))
        self.tabifyDockWidget(self.details_dock, self.mapping_dock)
        self.details_dock.raise_()
        self._shown: dict[str, bool] = {}
        self._pending_layout: QByteArray | bytes | None = None
        self.show_file_panels(False)

    def _fit_problems(self) -> None:
        """Widen the problems dock until its names show whole (never past 40 % of the page)."""
        wanted = min(self.error_panel.wanted_width(), int(self.width() * 0.4))
        if self.errors_dock.isVisible() and self.errors_dock.width() < wanted:
            self.resizeDocks([self.errors_dock], [wanted], Qt.Orientation.Horizontal)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        self.addDockWidget(area, dock)
        return dock

    @property
    def docks(self) -> list[QDockWidget]:
        return [self.errors_dock, self.details_dock, self.mapping_dock]

    def save_layout(self) -> None:
        """The panels' places and sizes as the operator left them with a file open."""
        recent_files.settings().setValue(LAYOUT_KEY, self.saveState())

    def restore_layout(self) -> None:
        """Applied when the panels first show (sizes given to hidden panels are lost)."""
        state = recent_files.settings().value(LAYOUT_KEY)
        self._pending_layout = state if isinstance(state, QByteArray | bytes) else None

    def _remember_panels(self) -> None:
        self._shown = {d.objectName(): d.isVisible() for d in self.docks}

    def refresh_welcome(self) -> None:
        self.welcome.refresh(recent_files.recent_files(), self.samples_dir)

    def show_file_panels(self, file_open: bool) -> None:
        """The grid and its panels while a file is open; the welcome page (and no empty panels) otherwise.
        The panels the operator closed with a file open stay closed for the next file."""
        if not file_open and self.stack.currentWidget() is self.view:
            self._remember_panels()
            self.save_layout()
        self.stack.setCurrentWidget(self.view if file_open else self.welcome)
        if file_open and self._pending_layout is not None:
            self.restoreState(self._pending_layout)  # the panels shown and sized as they were left
            # and once more after this event-loop turn: the grid's first layout squeezes new docks
            QTimer.singleShot(0, lambda state=self._pending_layout: self.restoreState(state))
            self._pending_layout = None
        else:
            for dock in self.docks:
                dock.setVisible(file_open and self._shown.get(dock.objectName(), True))
        if file_open:
            QTimer.singleShot(0, self._fit_problems)  # after the layout restored above
        if not file_open:
            self.notes.show_notes([])
            self.refresh_welcome()
