"""How one field is computed: a form per transform kind, the same as YAML, and a live preview.

The operator picks the kind (a column, joined columns, a date from parts, a sum...) and fills its
form (:class:`~booking_desktop.gui.transform_form.TransformForm`); the YAML tab shows the spec in
the profile file's own syntax and may be edited instead.  Every change is checked by the mapping
package (``check``) and previewed on the file's first records (``preview``): the source columns'
values before, the field's value after.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.gui import mapping_adapter as adapter
from booking_desktop.gui import transform_kinds as kinds
from booking_desktop.gui.mapping_preview import FieldPreview
from booking_desktop.gui.transform_form import TransformForm

Check = Callable[[str, dict[str, Any] | None], str]
Preview = Callable[[str, dict[str, Any] | None], FieldPreview]


class TransformDialog(QDialog):
    """Edit one field's spec; ``spec()`` is the last valid one (what OK accepts)."""

    def __init__(
        self,
        parent: QWidget,
        field: str,
        spec: dict[str, Any] | None,
        check: Check,
        columns: Sequence[str] = (),
        preview: Preview | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle(f"Transform for {field}")
        self.setObjectName("TransformDialog")
        self._field = field
        self._check = check
        self._preview = preview
        self._columns = list(columns)
        self._refs = [f for f in adapter.canonical_fields() if f != field]
        self._spec: dict[str, Any] | None = spec
        self._current: dict[str, Any] | None = spec
        kind, values, self._extras = kinds.split_spec(spec)
        self._forms: dict[str, TransformForm] = {}

        lay = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        page = QWidget()
        form_lay = QVBoxLayout(page)
        top = QFormLayout()
        self.kind_combo = QComboBox(page)
        self.kind_combo.setObjectName("transform_kind")
        self.kind_combo.setAccessibleName(f"Kind of transform of {field}")
        for k in kinds.kinds_for(field):
            self.kind_combo.addItem(k.title, k.key)
        top.addRow("Computed as", self.kind_combo)
        form_lay.addLayout(top)
        self.stack = QStackedWidget(page)
        form_lay.addWidget(self.stack)
        self.kept = QLabel(page)
        self.kept.setObjectName("transform_kept")
        self.kept.setWordWrap(True)
        form_lay.addWidget(self.kept)
        self.tabs.addTab(page, "Form")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("transform_editor")
        self.editor.setAccessibleName(f"Transform of {field} (YAML)")
        self.editor.setPlainText(adapter.spec_to_yaml(spec) if spec else "")
        self.tabs.addTab(self.editor, "YAML")
        lay.addWidget(self.tabs)

        self.preview_table = QTableWidget(0, 0, self)
        self.preview_table.setObjectName("transform_preview")
        self.preview_table.setAccessibleName(f"Preview of {field}: the first records before and after")
        self.preview_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview_table.setMinimumHeight(150)
        lay.addWidget(QLabel("Preview: the first records of the file", self))
        lay.addWidget(self.preview_table)
        self.error = QLabel(self)
        self.error.setObjectName("transform_error")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.resize(640, 560)

        self._show_kind(kind, values)
        self.kind_combo.activated.connect(lambda _i: self._kind_chosen())
        self.editor.textChanged.connect(self._yaml_edited)
        self._validate()

    # -- what the dialog gives ------------------------------------------------
    def spec(self) -> dict[str, Any] | None:
        return self._spec

    def form(self, kind: str | None = None) -> TransformForm:
        """The form of ``kind`` (default: the one shown); made when first needed (a wide file's
        columns fill its lists)."""
        kind = kind or str(self.kind_combo.currentData())
        if kind not in self._forms:
            f = TransformForm(kinds.BY_KEY[kind], self._columns, self._refs, self.stack)
            f.changed.connect(self._form_edited)
            self.stack.addWidget(f)
            self._forms[kind] = f
        return self._forms[kind]

    # -- edits ---------------------------------------------------------------------
    def _show_kind(self, kind: str, values: dict[str, Any]) -> None:
        idx = self.kind_combo.findData(kind)
        self.kind_combo.setCurrentIndex(max(idx, 0))
        f = self.form()
        f.set_values(values)
        self.stack.setCurrentWidget(f)

    def _kind_chosen(self) -> None:
        f = self.form()
        self.stack.setCurrentWidget(f)
        self._form_edited()

    def _form_edited(self) -> None:
        spec, left_out = kinds.build_spec(str(self.kind_combo.currentData()), self.form().values(), self._extras)
        self._show_kept(spec, left_out)
        self._current = spec
        self.editor.blockSignals(True)
        self.editor.setPlainText(adapter.spec_to_yaml(spec))
        self.editor.blockSignals(False)
        self._validate()

    def _yaml_edited(self) -> None:
        text = self.editor.toPlainText().strip()
        msg = ""
        spec: Any = None
        if text:
            try:
                spec = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" (line {mark.line + 1})" if mark is not None else ""
                msg = f"Not valid YAML{where}: {getattr(exc, 'problem', exc)}"
            else:
                if not isinstance(spec, dict):
                    msg = "Write a mapping such as {column: Booking_ID}"
                    spec = None
        if msg:
            self._show_error(msg)
            return
        self._current = spec
        kind, values, self._extras = kinds.split_spec(spec)
        self._show_kind(kind, values)
        self._show_kept(spec or {}, [])
        self._validate()

    def _show_kept(self, spec: dict[str, Any], left_out: list[str]) -> None:
        kind = str(self.kind_combo.currentData())
        shown = {i.key.partition(".")[0] for i in kinds.BY_KEY[kind].inputs} | {"default"}
        kept = [k for k in spec if k not in shown]
        parts = []
        if kept:
            parts.append("Also applied (edit them in the YAML tab or the row's options): " + ", ".join(kept))
        if left_out:
            parts.append(f"Not used with {kinds.BY_KEY[kind].title.lower()}, so left out: " + ", ".join(left_out))
        self.kept.setText("\n".join(parts))

    # -- checks and preview ------------------------------------------------------
    def _validate(self) -> None:
        spec = self._current
        msg = self._check(self._field, spec)
        if not msg:
            self._spec = spec
        self._show_error(msg)
        self._show_preview(spec)

    def _show_error(self, msg: str) -> None:
        self.error.setText(msg)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not msg)

    def _show_preview(self, spec: dict[str, Any] | None) -> None:
        t = self.preview_table
        if self._preview is None:
            t.setRowCount(0)
            t.setColumnCount(0)
            return
        p = self._preview(self._field, spec)
        headers = [*p.columns, f"→ {self._field}"]
        t.setColumnCount(len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.setRowCount(len(p.after))
        for r, after in enumerate(p.after):
            cells = [*(p.before[r] if r < len(p.before) else []), after]
            for c, v in enumerate(cells):
                t.setItem(r, c, QTableWidgetItem("∅" if v is None else v))
        t.setToolTip("\n".join(p.problems))
        t.resizeColumnsToContents()
