"""The mapping panel's table: one :class:`~booking_desktop.gui.mapping_row.FieldRow` per
canonical field under a row of column headers, in a scroll area.

The table shows what the panel hands it (the field's spec, the file's columns, the suggestion's
note, the preview values); the panel owns the spec and decides what an edit means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QWidget

from booking_desktop.gui import mapping_adapter as adapter
from booking_desktop.gui import theme
from booking_desktop.gui.mapping_row import FieldRow

if TYPE_CHECKING:
    from booking_desktop.gui.mapping_panel import MappingPanel

NOT_MAPPED = "(not mapped)"
TRANSFORM_ITEM = "Transform…"
ROLE_KIND = Qt.ItemDataRole.UserRole
KIND_NONE, KIND_COLUMN, KIND_CURRENT_TRANSFORM, KIND_EDIT_TRANSFORM = "none", "column", "current", "edit"
COLUMNS = ("Field", "Source", "", "Confidence", "Why", "Options", "", "Preview")


class FieldTable(QScrollArea):
    def __init__(self, panel: MappingPanel):
        super().__init__(panel)
        self.setObjectName("mapping_fields")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(3)
        self.headers: list[QLabel] = []
        for col, title in enumerate(COLUMNS):
            h = QLabel(f"<b>{title}</b>", body)
            grid.addWidget(h, 0, col)
            self.headers.append(h)
        self.headers[3].setVisible(False)  # confidences exist only for a suggested mapping
        self.rows: dict[str, FieldRow] = {}
        for i, field in enumerate(adapter.canonical_fields(), start=1):
            self.rows[field] = FieldRow(panel, field, grid, i)
        grid.setColumnStretch(COLUMNS.index("Preview"), 1)
        grid.setRowStretch(len(self.rows) + 1, 1)
        self.setWidget(body)

    def show_confidence(self, shown: bool) -> None:
        self.headers[3].setVisible(shown)

    def refresh_row(
        self, row: FieldRow, spec: dict[str, Any] | None, columns: list[str], suggestion: Any, profile: Any,
        rule: dict[str, Any],
    ) -> None:  # fmt: skip
        """Show ``spec`` (the field's current spec, None = not mapped) in ``row``."""
        combo = row.source
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("(profile vendor)" if row.field == "vendor" else NOT_MAPPED, KIND_NONE)
        current = 0
        if spec and "column" not in spec:
            combo.addItem(f"ƒ {adapter.describe(spec)}", KIND_CURRENT_TRANSFORM)
            current = 1
        combo.addItems(columns)  # one call: a file of 9,000 columns fills 18 combos (items without data are columns)
        if spec and "column" in spec:
            idx = combo.findText(str(spec["column"]), Qt.MatchFlag.MatchExactly)
            if idx < 0:  # the profile names a column this file lacks
                combo.addItem(f"{spec['column']} (missing in file)", KIND_COLUMN)
                idx = combo.count() - 1
            current = idx
        combo.insertSeparator(combo.count())
        combo.addItem(TRANSFORM_ITEM, KIND_EDIT_TRANSFORM)
        combo.setCurrentIndex(current)
        combo.setToolTip(adapter.describe(spec) if spec else f"{row.field} is not mapped")
        combo.blockSignals(False)

        note = adapter.suggestion_note(suggestion, row.field, profile)
        ambiguous = note.ambiguous
        if suggestion is not None and not adapter.is_suggested(suggestion, row.field, spec):
            note = adapter.SuggestionNote(None, ["changed by hand"], [], False, False, "")  # the operator's own choice
        row.set_note(note, suggestion is not None)
        if row.date_choice is not None and row.date_format is not None:
            key, fmt = adapter.date_choice(spec)
            row.date_choice.blockSignals(True)
            row.date_choice.setCurrentIndex(max(0, row.date_choice.findData(key)))
            row.date_choice.blockSignals(False)
            if fmt is not None and row.date_format.text() != fmt:
                row.date_format.setText(fmt)
            row.date_format.setVisible(key == "format")
            row.date_choice.setEnabled(spec is not None)
            row.date_choice.setToolTip(
                "Ambiguous: the sample fits both day/month and month/day — choose one" if ambiguous else ""
            )
        if row.value_map is not None:
            n = len((spec or {}).get("map") or {})
            row.value_map.setText(f"Values ({n})…" if n else "Values…")
        row.optional.blockSignals(True)
        row.optional.setChecked(rule.get("required") is False)
        row.optional.blockSignals(False)
        if ambiguous and not adapter.has_date_choice(spec):
            row.set_highlight(theme.ambiguous_color(self.palette()))
        elif note.doubtful:
            row.set_highlight(theme.warning_color(self.palette()))
        else:
            row.set_highlight(None)

    def show_previews(self, values: dict[str, list[str | None]], problems: dict[str, list[str]]) -> None:
        """The first values of each mapped field; a field with problems is shown in the error colour."""
        for field, row in self.rows.items():
            vals = values.get(field)
            if vals is None:
                row.preview.setText("")
                row.preview.setToolTip("")
                continue
            shown = ["∅" if v is None else v for v in vals]
            row.preview.setText("  ·  ".join(shown))
            tip = "\n".join(shown)
            probs = problems.get(field)
            if probs:
                tip += "\n\nProblems in the first rows:\n" + "\n".join(probs)
            row.preview.setToolTip(tip)
            pal = row.preview.palette()
            role = QPalette.ColorRole.WindowText
            pal.setColor(role, theme.error_text_color(self.palette()) if probs else self.palette().color(role))
            row.preview.setPalette(pal)
