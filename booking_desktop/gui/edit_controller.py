"""The grid's commands: edits (each one undo step), the clipboard, and moving between problems.

Every edit goes to the Qt-free :class:`WorkSession` (which re-validates the rows it touched and
journals the edit).  Small files are edited at once; from :data:`BULK_WORKER_ROWS` records on an
edit runs on a worker and the grid is read-only meanwhile, so the window keeps answering.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

from booking_desktop.grid.clipboard import ClipboardError, paste_edits, to_tsv
from booking_desktop.gui.edit_dialogs import FindReplaceDialog, SetValueDialog, ValueMapDialog
from booking_desktop.gui.error_panel import FILTER_ALL, FILTER_ERRORS
from booking_desktop.gui.file_controller import FileController
from booking_desktop.gui.grid_model import next_problem
from booking_desktop.gui.import_page import ImportPage
from booking_desktop.gui.workers import GeneratorWorker
from booking_desktop.session import WorkSession

BULK_WORKER_ROWS = 100_000  # from this many records on, edits run on a worker (re-validation takes seconds)
MAX_COPY_CELLS = 2_000_000  # a bigger copy would hold hundreds of MB on the clipboard


class EditController(QObject):
    busy = Signal(bool, str)
    message = Signal(str, int)
    problem = Signal(str, str)
    state_changed = Signal()

    def __init__(self, page: ImportPage, files: FileController):
        super().__init__(page)
        self.page, self.files = page, files
        self.view, self.model = page.view, page.model
        self._worker: GeneratorWorker | None = None
        page.error_panel.select_requested.connect(self.select_cells)
        self.model.input_note.connect(lambda text: self.message.emit(text, 10_000))
        page.error_panel.next_requested.connect(lambda: self.go_to_problem(True))
        page.error_panel.previous_requested.connect(lambda: self.go_to_problem(False))

    @property
    def session(self) -> WorkSession | None:
        return self.files.session

    @property
    def is_editing(self) -> bool:
        return self._worker is not None and not self._worker.is_done

    def guard(self) -> WorkSession | None:
        """The session, when an edit may start now."""
        if self.session is None:
            return None
        if self.files.is_remapping:
            self.message.emit("The mapping is being applied; try again in a moment.", 4000)
            return None
        if self.is_editing:
            self.message.emit("The previous edit is still being applied; try again in a moment.", 4000)
            return None
        return self.session

    def run(self, label: str, fn: Callable[..., Any], *args: Any, done: Callable[[Any], object] | None = None) -> Any:
        """Run one session edit: at once for small files, on a worker for big ones.

        Returns the edit's result when it ran at once, None when it runs in the background."""
        s = self.session
        if s is None:
            return None
        if len(s) < BULK_WORKER_ROWS:
            try:
                out = fn(*args)
            except ValueError as exc:
                self.problem.emit(label, str(exc))
                return None
            if done is not None:
                done(out)
            return out
        self.busy.emit(True, f"{label}…")
        self.model.read_only = True
        w = GeneratorWorker(fn, *args, pass_cancel=False)

        def finished() -> None:
            self.model.read_only = False
            self.busy.emit(False, "")
            self.state_changed.emit()

        w.signals.result.connect(lambda out: done(out) if done is not None else None)
        w.signals.errored.connect(lambda msg: self.problem.emit(label, msg))
        w.signals.finished.connect(finished)
        self._worker = w
        w.start()
        self.state_changed.emit()
        return None

    # ------------------------------------------------------------------ undo
    def undo(self) -> None:
        s = self.guard()
        if s is not None and s.can_undo:
            label = s.undo_label
            self.run("Undo", s.undo, done=lambda _r: self._undone("Undone", label))

    def redo(self) -> None:
        s = self.guard()
        if s is not None and s.can_redo:
            label = s.redo_label
            self.run("Redo", s.redo, done=lambda _r: self._undone("Redone", label))

    def _undone(self, verb: str, label: str | None) -> None:
        if label == "Change mapping":  # the whole frame was swapped
            self.files.refresh_mapping()
        self.message.emit(f"{verb}: {label}", 4000)

    # ------------------------------------------------------------------ selection
    def selected_by_field(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for r, f in self.view.selected_cells():
            out.setdefault(f, []).append(r)
        if not out:
            cur = self.view.currentIndex()
            if cur.isValid():
                out[self.model.fields[cur.column()]] = [self.model.frame_row(cur.row())]
        return out

    def _selected_block(self) -> tuple[list[int], list[int]]:
        """View rows and *visual* columns (left to right as shown: the key column comes first) of the
        selection's bounding box (the current cell when none)."""
        hh = self.view.horizontalHeader()
        idx = self.view.selectionModel().selectedIndexes()
        if not idx:
            cur = self.view.currentIndex()
            return ([cur.row()], [hh.visualIndex(cur.column())]) if cur.isValid() else ([], [])
        rows = sorted({i.row() for i in idx})
        cols = sorted({hh.visualIndex(i.column()) for i in idx})
        return rows, cols

    def _visual_order(self) -> list[int]:
        """Logical column of each visual position."""
        hh = self.view.horizontalHeader()
        return [hh.logicalIndex(v) for v in range(self.model.columnCount())]

    # ------------------------------------------------------------------ clipboard
    def copy(self, headers: bool = False) -> None:
        if self.session is None:
            return
        rows, cols = self._selected_block()
        if not rows:
            return
        if len(rows) * len(cols) > MAX_COPY_CELLS:
            self.problem.emit(
                "Copy",
                f"{len(rows):,} rows × {len(cols)} columns is more than {MAX_COPY_CELLS:,} cells; "
                "select fewer rows, or export the file instead.",
            )
            return
        m = self.model
        order = self._visual_order()
        cols = [order[v] for v in cols]
        table = [[m.cell_text(m.frame_row(r), c) for c in cols] for r in rows]
        titles = [str(m.headerData(c, Qt.Orientation.Horizontal)) for c in cols] if headers else None
        QApplication.clipboard().setText(to_tsv(table, titles))
        self.message.emit(f"Copied {len(rows):,} row(s) × {len(cols)} column(s).", 4000)

    def paste(self) -> None:
        s = self.guard()
        if s is None:
            return
        cur = self.view.currentIndex()
        rows, cols = self._selected_block()
        if not rows:
            self.message.emit("Click the cell to paste into first.", 4000)
            return
        m = self.model
        order = self._visual_order()  # the clipboard's columns land left to right as the grid shows them
        titles = [str(m.headerData(c, Qt.Orientation.Horizontal)) for c in order]
        at = (cur.row(), self.view.horizontalHeader().visualIndex(cur.column()))
        anchor = (min(rows), min(cols)) if len(rows) > 1 or len(cols) > 1 or not cur.isValid() else at
        try:
            plan = paste_edits(
                QApplication.clipboard().text(),
                anchor=anchor,
                selection=(rows, cols),
                shape=(m.rowCount(), m.columnCount()),
                fields=[m.fields[c] for c in order],
                titles=titles,
                frame_row=m.frame_row,
            )
        except ClipboardError as exc:
            self.problem.emit("Paste", str(exc))
            return
        label = f"Paste {plan.rows:,} × {plan.cols}"
        self.run(label, s.set_cells, plan.edits, label, done=lambda _r: self._done(plan.summary(), s))

    def clear_cells(self) -> None:
        s = self.guard()
        sel = self.selected_by_field()
        if s is None or not sel:
            return
        edits = [(r, f, None) for f, rows in sel.items() for r in rows]
        self.run("Clear cells", s.set_cells, edits, "Clear cells")

    # ------------------------------------------------------------------ edits
    def fill_down(self) -> None:
        s = self.guard()
        if s is None:
            return
        edits: list[tuple[int, str, str | None]] = []
        for f, rows in self.selected_by_field().items():
            rows = sorted(set(rows), key=lambda r: self.model.view_row(r) or 0)
            if len(rows) < 2:
                continue
            top = s.value(rows[0], f)
            edits.extend((r, f, top) for r in rows[1:])
        if not edits:
            self.message.emit("Select at least two cells in a column to fill down.", 4000)
            return
        self.run("Fill down", s.set_cells, edits, "Fill down")

    def set_value(self) -> None:
        s = self.guard()
        sel = self.selected_by_field()
        if s is None or not sel:
            return
        cells = [(r, f) for f, rows in sel.items() for r in rows]
        fields = sorted(sel)
        label = fields[0] if len(fields) == 1 else f"{len(fields)} fields"
        dlg = SetValueDialog(label, len(cells), "", self.page)
        if dlg.exec() != SetValueDialog.DialogCode.Accepted:
            return
        edits = [(r, f, dlg.value()) for r, f in cells]
        self.run(f"Set {label}", s.set_cells, edits, f"Set {label}", done=lambda _r: self._done("", s))

    def _done(self, summary: str, s: WorkSession) -> None:
        """The edit's summary, and how typed values were read in the file's formats."""
        text = " ".join([summary, *s.last_input_notes]).strip()
        if text:
            self.message.emit(text, 10_000)

    def find_replace(self) -> None:
        s = self.guard()
        if s is None:
            return
        cur = self.view.currentIndex()
        field = self.model.fields[cur.column()] if cur.isValid() else None
        rows = self.view.selected_frame_rows()
        dlg = FindReplaceDialog(self.model.fields, field, has_selection=len(rows) > 1, parent=self.page)
        if dlg.exec() != FindReplaceDialog.DialogCode.Accepted:
            return
        self.replace(*dlg.values(), rows=rows)

    def replace(
        self, field: str, find: str, repl: str, regex: bool, only_selected: bool, rows: list[int]
    ) -> int | None:
        """Cells changed (None while a big replace runs in the background)."""
        s = self.guard()
        if s is None:
            return 0
        return self.run(
            "Find and replace",
            s.replace_in_column,
            field,
            find,
            repl,
            regex,
            np.asarray(rows) if only_selected else None,
            done=lambda n: self.message.emit(f"Replaced in {n:,} cell(s) of {field}.", 6000),
        )

    def value_map(self) -> None:
        s = self.guard()
        if s is None:
            return
        cur = self.view.currentIndex()
        field = self.model.fields[cur.column()] if cur.isValid() else None
        dlg = ValueMapDialog(self.model.fields, s.text, field, self.page)
        if dlg.exec() != ValueMapDialog.DialogCode.Accepted:
            return
        fld, mapping = dlg.mapping()
        self.run(
            "Apply value map",
            s.apply_value_map,
            fld,
            mapping,
            done=lambda n: self.message.emit(f"Mapped {n:,} value(s) in {fld}.", 6000),
        )

    def delete_rows(self) -> None:
        s = self.guard()
        rows = self.view.selected_frame_rows()
        if s is None or not rows:
            return
        s.delete_rows(rows)
        self.message.emit(f"{len(rows):,} row(s) deleted (excluded from the commit; Ctrl+Z brings them back).", 6000)

    def restore_rows(self) -> None:
        s = self.guard()
        rows = self.view.selected_frame_rows()
        if s is not None and rows:
            s.restore_rows(rows)

    # ------------------------------------------------------------------ navigation
    def set_errors_only(self, on: bool) -> None:
        self.page.error_panel.set_filter(FILTER_ERRORS if on else FILTER_ALL)

    def focus_search(self) -> None:
        self.page.errors_dock.show()
        self.page.error_panel.search.setFocus()
        self.page.error_panel.search.selectAll()

    def go_to_problem(self, forward: bool = True) -> None:
        cur = self.view.currentIndex()
        row, col = (cur.row(), cur.column()) if cur.isValid() else (-1, -1 if forward else 10**6)
        hit = next_problem(self.model, row, col, forward, self._visual_order())
        if hit is None:
            self.message.emit("No problems in the rows shown.", 4000)
            return
        self.view.go_to(*hit)
        self.view.setFocus()
        tip = self.model.data(self.model.index(*hit), Qt.ItemDataRole.ToolTipRole)
        if tip:
            self.message.emit(str(tip).splitlines()[0], 8000)

    def select_cells(self, rows: np.ndarray, col: int | None) -> None:
        """A problem was clicked: select its cells and put the keyboard focus on the first, so typing fixes it."""
        shown = self.view.select_cells(rows, col)
        hidden = len(rows) - shown
        if shown:
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        msg = f"{shown:,} cell(s) selected" + (f"; {hidden:,} hidden by the filter" if hidden > 0 else "")
        self.message.emit(msg, 6000)
