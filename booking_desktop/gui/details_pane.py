"""Where the current row came from: file, line/sheet row/JSON path, its raw cells and its problems.

The operator fixes a cell in the canonical grid but often needs the vendor's
original values next to it (the mapping may have transformed them).
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from booking_desktop.gui import theme
from booking_desktop.gui.grid_model import GridModel

MAX_PROBLEMS_SHOWN = 50


class DetailsPane(QWidget):
    def __init__(self, model: GridModel, parent=None):
        super().__init__(parent)
        self.setObjectName("detailsPane")
        self.setAccessibleName("Row details")
        self.model = model
        self.location = QLabel("")
        self.location.setObjectName("detailsLocation")
        self.location.setWordWrap(True)
        self.location.setAccessibleName("Source location")
        self.commit_mark = QLabel("")
        self.commit_mark.setObjectName("detailsCommit")
        self.commit_mark.setWordWrap(True)
        self.commit_mark.setAccessibleName("What the last commit did with this record")
        self.commit_mark.setVisible(False)
        self.raw_table = QTableWidget(0, 2)
        self.raw_table.setObjectName("rawCells")
        self.raw_table.setAccessibleName("Source cells of this record")
        self.raw_table.setHorizontalHeaderLabels(["Source column", "Value"])
        self.raw_table.verticalHeader().setVisible(False)
        self.raw_table.horizontalHeader().setStretchLastSection(True)
        self.problems = QLabel("")
        self.problems.setObjectName("detailsProblems")
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName("Problems of this record")
        lay = QVBoxLayout(self)
        lay.addWidget(self.location)
        lay.addWidget(self.commit_mark)
        lay.addWidget(self.raw_table, 1)
        lay.addWidget(self.problems)
        self._row = -1
        model.problems_changed.connect(lambda: self.show_row(self._row))
        model.modelReset.connect(lambda: self.show_row(-1))
        model.headerDataChanged.connect(lambda *_a: self.show_row(self._row))  # commit marks

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the problem dots' colours follow light/dark
            self.show_row(self._row)

    def show_row(self, frame_row: int) -> None:
        self._row = frame_row
        mark = self.model.row_mark(frame_row)
        self.commit_mark.setText(mark[1] if mark else "")
        self.commit_mark.setVisible(mark is not None)
        s, d = self.model.session, self.model.data_
        if s is None or d is None or not (0 <= frame_row < d.n_rows):
            self.location.setText("")
            self.raw_table.setRowCount(0)
            self.problems.setText("")
            return
        raw = s.result.raw
        where = raw.locations[frame_row] if frame_row < len(raw.locations) else "?"
        status = " (deleted — excluded from the commit)" if s.deleted[frame_row] else ""
        self.location.setText(f"Record {frame_row + 1}: {raw.source.path.name}, {where}{status}")
        rec = raw.frame.iloc[frame_row]
        self.raw_table.setRowCount(len(rec))
        for i, (col, val) in enumerate(rec.items()):
            self.raw_table.setItem(i, 0, QTableWidgetItem(str(col)))
            self.raw_table.setItem(i, 1, QTableWidgetItem("" if pd.isna(val) else str(val)))
        pos = d.problems.problem_positions_of_row(frame_row)
        if pos.size == 0:
            self.problems.setText("No problems.")
            return
        f = s.result.problems.frame.iloc[pos[:MAX_PROBLEMS_SHOWN]]
        err, warn = theme.error_text_color(self.palette()).name(), theme.warning_text_color(self.palette()).name()
        lines = []
        for fld, code, sev, msg in zip(f["field"], f["code"], f["severity"], f["message"]):
            colour = err if sev == "error" else warn
            lines.append(f'<span style="color:{colour}">●</span> <b>{fld}</b> [{code}] {msg}')
        self.problems.setText("<br>".join(lines))
