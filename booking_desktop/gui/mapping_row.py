"""One row of the mapping panel: the widgets of one canonical field.

``FieldRow`` only builds the widgets and forwards the operator's intent to the
panel (``MappingPanel._on_source_activated`` and friends); the panel owns the
spec and refreshes the row from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from booking_desktop.gui import mapping_adapter as adapter
from booking_desktop.gui import theme

if TYPE_CHECKING:
    from booking_desktop.gui.mapping_panel import MappingPanel

DATE_CHOICES = [
    ("auto", "automatic"),
    ("dmy", "day first"),
    ("mdy", "month first"),
    ("ymd", "year first"),
    ("format", "format…"),
]


WHY_WIDTH = 280  # px of the one-line reason; the whole story is in its tooltip


class ConfidenceBar(QProgressBar):
    """A slim percentage bar; the reasons for the suggestion go in the tooltip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 100)
        self.setTextVisible(True)
        self.setFormat("%p%")
        self.setFixedWidth(52)
        self.setMaximumHeight(16)
        self.doubtful = False

    def set_confidence(self, value: float | None, reasons: list[str], doubtful: bool = False,
                       tooltip: str | None = None) -> None:  # fmt: skip
        """``doubtful``: low confidence or evidence against it -- shown as "⚠ 45%" in the
        warning colour, so that a wrong suggestion stands out."""
        self.doubtful = doubtful and value is not None
        if value is None:
            self.setValue(0)
            self.setFormat("—")
            self.setToolTip("No suggestion for this field")
        else:
            self.setFormat("⚠ %p%" if self.doubtful else "%p%")
            self.setValue(round(max(0.0, min(1.0, value)) * 100))
            self.setToolTip(tooltip or ("\n".join(reasons) if reasons else f"Confidence {value:.0%}"))
        self.setFixedWidth(64 if self.doubtful else 52)
        pal = self.palette()
        parent = self.parentWidget()
        base = parent.palette() if parent is not None else QPalette()
        pal.setColor(QPalette.ColorRole.Highlight,
                     theme.warning_text_color(base) if self.doubtful else base.color(QPalette.ColorRole.Highlight))
        self.setPalette(pal)  # fmt: skip
        self.setAccessibleDescription(("doubtful suggestion. " if self.doubtful else "") + self.toolTip())


class FieldRow:
    """The widgets of one canonical field (one row of the panel's grid)."""

    def __init__(self, panel: MappingPanel, field: str, grid: QGridLayout, row: int):
        self.field = field
        parent = grid.parentWidget()
        self.required = field in adapter.required_fields()
        self.label = QLabel(f"<b>{field}</b>" if self.required else field, parent)
        self.label.setToolTip("required" if self.required else "optional")
        self.label.setObjectName(f"label_{field}")
        self.source = QComboBox(parent)
        self.source.setObjectName(f"source_{field}")
        self.source.setAccessibleName(f"Source of {field}")
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(11)
        self.edit = QToolButton(parent)
        self.edit.setText("ƒ")
        self.edit.setObjectName(f"transform_{field}")
        self.edit.setToolTip(f"Edit how {field} is computed (transform)")
        self.edit.setAccessibleName(f"Edit transform of {field}")
        self.confidence = ConfidenceBar(parent)
        self.confidence.setObjectName(f"confidence_{field}")
        self.why = QLabel(parent)  # why this source: the main reason, or what speaks against it
        self.why.setObjectName(f"why_{field}")
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        self.why.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.why.setFixedWidth(WHY_WIDTH)
        self.options = QWidget(parent)
        opt = QHBoxLayout(self.options)
        opt.setContentsMargins(0, 0, 0, 0)
        self.date_choice: QComboBox | None = None
        self.date_format: QLineEdit | None = None
        self.value_map: QPushButton | None = None
        if field in adapter.DATE_FIELDS:
            self.date_choice = QComboBox(self.options)
            self.date_choice.setObjectName(f"date_{field}")
            self.date_choice.setAccessibleName(f"Date order of {field}")
            for key, text in DATE_CHOICES:
                self.date_choice.addItem(text, key)
            self.date_format = QLineEdit(self.options)
            self.date_format.setObjectName(f"date_format_{field}")
            self.date_format.setPlaceholderText("%d/%m/%Y" if field != "booked_at" else "%Y-%m-%d %H:%M")
            self.date_format.setAccessibleName(f"Date format of {field}")
            self.date_format.setMaximumWidth(150)
            self.date_format.setVisible(False)
            opt.addWidget(self.date_choice)
            opt.addWidget(self.date_format)
        if field in adapter.VALUE_MAP_FIELDS:
            self.value_map = QPushButton("Values…", self.options)
            self.value_map.setObjectName(f"value_map_{field}")
            self.value_map.setToolTip(f"Map source values of {field} onto the canonical values")
            opt.addWidget(self.value_map)
        opt.addStretch(1)
        self.optional = QCheckBox("optional", parent)
        self.optional.setObjectName(f"optional_{field}")
        self.optional.setAccessibleName(f"{field} is optional")
        self.optional.setToolTip("Rows may leave this field empty (profile rule: required: false)")
        self.optional.setVisible(self.required and field != "vendor")  # the others are optional already
        self.preview = QLabel(parent)
        self.preview.setObjectName(f"preview_{field}")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preview.setMinimumWidth(160)
        for col, w in enumerate(self.widgets()):
            grid.addWidget(w, row, col)
        self.source.activated.connect(lambda _i: panel._on_source_activated(self))
        self.edit.clicked.connect(lambda: panel._edit_transform(self))
        self.optional.toggled.connect(lambda on: panel._on_optional(self, on))
        if self.date_choice is not None and self.date_format is not None:  # both or neither
            self.date_choice.activated.connect(lambda _i: panel._on_date_choice(self))
            self.date_format.textEdited.connect(lambda _t: panel._on_date_format(self))
        if self.value_map is not None:
            self.value_map.clicked.connect(lambda: panel._edit_value_map(self))

    def widgets(self) -> list[QWidget]:
        """In the grid's column order (see ``MappingPanel.COLUMNS``)."""
        return [self.label, self.source, self.edit, self.confidence, self.why, self.options, self.optional,
                self.preview]  # fmt: skip

    def set_note(self, note: adapter.SuggestionNote, shown: bool) -> None:
        """Confidence, the one-line why, and the warning mark of a doubtful suggestion."""
        self.confidence.set_confidence(note.confidence, note.reasons, note.doubtful, note.tooltip or None)
        self.confidence.setVisible(shown)
        metrics = self.why.fontMetrics()
        self.why.setText(metrics.elidedText(note.summary, Qt.TextElideMode.ElideRight, WHY_WIDTH - 4))
        self.why.setProperty("summary", note.summary)  # the whole line (the label may elide it)
        self.why.setToolTip(note.tooltip)
        self.why.setAccessibleDescription(note.tooltip)
        parent = self.why.parentWidget()
        base = parent.palette() if parent is not None else QPalette()
        pal = self.why.palette()
        role = QPalette.ColorRole.WindowText
        pal.setColor(role, theme.warning_text_color(base) if note.doubtful else theme.muted_text_color(base))
        self.why.setPalette(pal)

    def set_highlight(self, color: QColor | None) -> None:
        for w in (self.label, self.preview):
            w.setAutoFillBackground(color is not None)
            pal = w.palette()
            if color is not None:
                pal.setColor(QPalette.ColorRole.Window, color)
            else:
                parent = w.parentWidget()
                pal = parent.palette() if parent else QPalette()
            w.setPalette(pal)
