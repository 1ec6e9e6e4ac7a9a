"""Actions declared once: text, object name, shortcut, tip and when each is enabled.

Every menu entry, toolbar button and shortcut is an :class:`ActionSpec` in :data:`ACTIONS`; its
``enablement`` is a predicate over :class:`UiState` (the model is napari's
``Action(enablement=...)``).  :class:`ActionRegistry` turns the specs into ``QAction`` objects bound
to the window's slots, and :meth:`ActionRegistry.update` re-evaluates every predicate from one state,
so no flag enables a dozen unrelated actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class UiState:
    """What the enable conditions look at."""

    file_open: bool = False
    loading: bool = False
    editing: bool = False  # an edit or a remap is being applied on a worker
    can_undo: bool = False
    can_redo: bool = False
    undo_label: str = ""
    redo_label: str = ""
    page: str = "import"

    @property
    def file_ready(self) -> bool:
        """A file is open and nothing is being applied to it."""
        return self.file_open and not self.loading and not self.editing

    @property
    def on_import(self) -> bool:
        return self.page == "import"


Enablement = Callable[[UiState], bool]


def always(_s: UiState) -> bool:
    return True


def file_ready(s: UiState) -> bool:
    return s.file_ready


def can_commit(s: UiState) -> bool:
    return s.file_ready  # a second Commit while one runs is ignored by the commit flow


def not_loading(s: UiState) -> bool:
    return not s.loading


@dataclass(frozen=True)
class ActionSpec:
    name: str  # object name (tests and settings find the action by it)
    text: str
    shortcuts: tuple[str | QKeySequence.StandardKey, ...] = ()
    tip: str = ""
    enablement: Enablement = always
    checkable: bool = False
    grid_only: bool = False  # the shortcut works while the grid has focus (Delete, Ctrl+C, Ctrl+V)


K = QKeySequence.StandardKey

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("actOpen", "&Open…", (K.Open,), "Open a vendor file", not_loading),
    ActionSpec("actCloseFile", "&Close file", ("Ctrl+W",), "Close the file (edits can be kept for later)", file_ready),
    ActionSpec("actQuit", "&Quit", (K.Quit,)),
    ActionSpec(
        "actCommit", "&Commit…", ("Ctrl+Return", "Ctrl+Enter"), "Write the valid rows to the database", can_commit
    ),
    ActionSpec("actConnection", "Co&nnection…", (), "Choose the database the commits go to"),
    ActionSpec("actExportProblems", "&Export problems…", (), "Save the problems report (CSV or Excel)", file_ready),
    ActionSpec("actUndo", "&Undo", ("Ctrl+Z",), "", lambda s: (s.file_ready or s.page == "review") and s.can_undo),
    ActionSpec("actRedo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "",
               lambda s: (s.file_ready or s.page == "review") and s.can_redo),
    ActionSpec("actCopy", "&Copy", (K.Copy,), "Copy the selected cells (tab-separated)", file_ready, grid_only=True),
    ActionSpec("actCopyHeaders", "Copy &with headers", ("Ctrl+Shift+C",), "", file_ready, grid_only=True),
    ActionSpec("actPaste", "&Paste", (K.Paste,), "Paste cells from the clipboard", file_ready, grid_only=True),
    ActionSpec("actClearCells", "C&lear cells", (K.Delete,), "Clear the selected cells", file_ready, grid_only=True),
    ActionSpec("actFind", "&Find and replace…", ("Ctrl+F",), "", file_ready),
    ActionSpec("actSearch", "Searc&h rows", ("Ctrl+Shift+F",), "", file_ready),
    ActionSpec("actFillDown", "Fill &down", ("Ctrl+D",), "", file_ready),
    ActionSpec("actSetValue", "&Set value…", ("Ctrl+Shift+V",), "", file_ready),
    ActionSpec("actValueMap", "Apply value &map…", ("Ctrl+M",), "", file_ready),
    ActionSpec("actDeleteRows", "&Delete rows", ("Ctrl+-",), "Exclude the selected rows from the commit", file_ready),
    ActionSpec("actRestoreRows", "R&estore rows", ("Ctrl+Shift+Delete",), "", file_ready),
    ActionSpec("actErrorsOnly", "&Errors only", ("Ctrl+E",), "Show only rows with errors", file_ready, True),
    ActionSpec("actNextProblem", "&Next problem", ("F8",), "", file_ready),
    ActionSpec("actPrevProblem", "&Previous problem", ("Shift+F8",), "", file_ready),
    ActionSpec("actDarkTheme", "&Dark theme", (), "Switch between the dark and the light palette", checkable=True),
    ActionSpec("actAbout", "&About Booking Desktop", (), "Version, licences, where logs and data live"),
)


class ActionRegistry:
    """The window's actions, made from :data:`ACTIONS` and bound to slots by name."""

    def __init__(
        self, owner: QWidget, slots: dict[str, Callable[..., object]], specs: tuple[ActionSpec, ...] = ACTIONS
    ):
        self._specs = {s.name: s for s in specs}
        self._actions: dict[str, QAction] = {}
        missing = set(self._specs) - set(slots)
        if missing:
            raise ValueError(f"no slot for action(s) {', '.join(sorted(missing))}")
        for spec in specs:
            act = QAction(spec.text, owner)
            act.setObjectName(spec.name)
            if spec.shortcuts:
                act.setShortcuts([QKeySequence(k) for k in spec.shortcuts])
            if spec.tip:
                act.setStatusTip(spec.tip)
                act.setToolTip(spec.tip)
            act.setCheckable(spec.checkable)
            act.triggered.connect(lambda _checked=False, f=slots[spec.name]: f())
            self._actions[spec.name] = act
        self._base_text = {n: s.text for n, s in self._specs.items()}

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def spec(self, name: str) -> ActionSpec:
        return self._specs[name]

    def all(self) -> list[QAction]:
        return list(self._actions.values())

    def update(self, state: UiState) -> None:
        for name, act in self._actions.items():
            act.setEnabled(bool(self._specs[name].enablement(state)))
        self["actUndo"].setText(f"&Undo {state.undo_label}" if state.can_undo and state.undo_label else "&Undo")
        self["actRedo"].setText(f"&Redo {state.redo_label}" if state.can_redo and state.redo_label else "&Redo")
