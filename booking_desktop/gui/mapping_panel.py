"""The mapping panel: how each canonical field is obtained from the vendor file.

The panel edits the profile's *spec dictionary* (the YAML format of
``mappings/*.yaml``) and lets the mapping package do everything that carries a
rule: ``MappingProfile.from_dict`` validates an edit, ``apply_mapping`` on a
``head()`` slice of the raw table computes the live preview, the suggestion
supplies confidences.  The widgets only show that state and forward intent.

Every edit restarts a short debounce timer; when it fires the panel validates
the spec, refreshes the previews and emits ``profile_changed(MappingProfile)``
so that the session can re-map the whole file once, not once per keystroke.
"""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.errors import ProfileError
from booking_desktop.gui import theme
from booking_desktop.schema import CANONICAL_FIELDS, load_schema

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
PREVIEW_ROWS = 5
NOT_MAPPED = "(not mapped)"
TRANSFORM_ITEM = "Transform…"
_ROLE_KIND = Qt.ItemDataRole.UserRole
_KIND_NONE, _KIND_COLUMN, _KIND_CURRENT_TRANSFORM, _KIND_EDIT_TRANSFORM = "none", "column", "current", "edit"

DATE_CHOICES = [
    ("auto", "automatic"),
    ("dmy", "day first"),
    ("mdy", "month first"),
    ("ymd", "year first"),
    ("format", "format…"),
]


class ConfidenceBar(QProgressBar):
    """A slim percentage bar; the reasons for the suggestion go in the tooltip."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 100)
        self.setTextVisible(True)
        self.setFormat("%p%")
        self.setFixedWidth(52)
        self.setMaximumHeight(16)

    def set_confidence(self, value: float | None, reasons: list[str]) -> None:
        if value is None:
            self.setValue(0)
            self.setFormat("—")
            self.setToolTip("No suggestion for this field")
        else:
            self.setFormat("%p%")
            self.setValue(round(max(0.0, min(1.0, value)) * 100))
            self.setToolTip("\n".join(reasons) if reasons else f"Confidence {value:.0%}")
        self.setAccessibleDescription(self.toolTip())


class FieldRow:
    """The widgets of one canonical field (one row of the panel's grid)."""

    def __init__(self, panel: MappingPanel, field: str, grid: QGridLayout, row: int):
        self.field = field
        parent = grid.parentWidget()
        self.required = field in _required_fields()
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
        self.options = QWidget(parent)
        opt = QHBoxLayout(self.options)
        opt.setContentsMargins(0, 0, 0, 0)
        self.date_choice: QComboBox | None = None
        self.date_format: QLineEdit | None = None
        self.value_map: QPushButton | None = None
        if field in DATE_FIELDS:
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
        if field in VALUE_MAP_FIELDS:
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
        for col, w in enumerate(
            (self.label, self.source, self.edit, self.confidence, self.options, self.optional, self.preview)
        ):
            grid.addWidget(w, row, col)
        self.source.activated.connect(lambda _i: panel._on_source_activated(self))
        self.edit.clicked.connect(lambda: panel._edit_transform(self))
        self.optional.toggled.connect(lambda on: panel._on_optional(self, on))
        if self.date_choice is not None:
            self.date_choice.activated.connect(lambda _i: panel._on_date_choice(self))
            self.date_format.textEdited.connect(lambda _t: panel._on_date_format(self))
        if self.value_map is not None:
            self.value_map.clicked.connect(lambda: panel._edit_value_map(self))

    def widgets(self) -> list[QWidget]:
        return [self.label, self.source, self.edit, self.confidence, self.options, self.optional, self.preview]

    def set_highlight(self, color: Any | None) -> None:
        for w in (self.label, self.preview):
            w.setAutoFillBackground(color is not None)
            pal = w.palette()
            if color is not None:
                pal.setColor(QPalette.ColorRole.Window, color)
            else:
                pal = w.parentWidget().palette() if w.parentWidget() else QPalette()
            w.setPalette(pal)


class MappingPanel(QWidget):
    """Review and edit the mapping of a vendor file onto the canonical fields.

    Feed it with :meth:`set_source` (raw table + profile or suggestion + drift);
    read the current profile with :meth:`profile`.  ``profile_changed`` carries a
    validated ``MappingProfile`` ~300 ms after the operator's last edit.
    """

    profile_changed = Signal(object)
    error_changed = Signal(str)  # "" when the current spec is valid

    def __init__(
        self,
        parent: QWidget | None = None,
        mappings_dir: Path | None = None,
        preview_rows: int = PREVIEW_ROWS,
        debounce_ms: int = DEBOUNCE_MS,
    ):
        super().__init__(parent)
        self.setObjectName("MappingPanel")
        self._mappings_dir = mappings_dir
        self._preview_rows = preview_rows
        self._raw: Any = None
        self._head: Any = None
        self._spec: dict[str, Any] = _empty_spec()
        self._saved_path: Path | None = None
        self._suggestion: Any = None
        self._profile: Any = None
        self._error = ""
        self._rows: dict[str, FieldRow] = {}

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._commit_edit)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.drift_label = QLabel(self)
        self.drift_label.setObjectName("drift_label")
        self.drift_label.setWordWrap(True)
        self.drift_label.setVisible(False)
        self.drift_label.setFrameShape(QFrame.Shape.StyledPanel)
        outer.addWidget(self.drift_label)

        head = QFormLayout()
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("profile_name")
        self.name_edit.setAccessibleName("Profile name")
        self.vendor_edit = QLineEdit(self)
        self.vendor_edit.setObjectName("profile_vendor")
        self.vendor_edit.setAccessibleName("Vendor code")
        self.vendor_edit.setPlaceholderText("vendor code written into every row, e.g. INNTOWN")
        head.addRow("Profile", self.name_edit)
        head.addRow("Vendor", self.vendor_edit)
        outer.addLayout(head)
        self.name_edit.textEdited.connect(lambda t: self._set_top("name", t))
        self.vendor_edit.textEdited.connect(lambda t: self._set_top("vendor", t))

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(scroll)
        self._grid = QGridLayout(body)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(3)
        self._headers: list[QLabel] = []
        for col, title in enumerate(("Field", "Source", "", "Confidence", "Options", "", "Preview")):
            h = QLabel(f"<b>{title}</b>", body)
            self._grid.addWidget(h, 0, col)
            self._headers.append(h)
        self._headers[3].setVisible(False)  # confidences exist only for a suggested mapping
        for i, field in enumerate(_canonical_fields(), start=1):
            self._rows[field] = FieldRow(self, field, self._grid, i)
        self._grid.setColumnStretch(6, 1)
        self._grid.setRowStretch(len(self._rows) + 1, 1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("mapping_error")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        pal = self.error_label.palette()
        pal.setColor(QPalette.ColorRole.WindowText, theme.error_text_color(self.palette()))
        self.error_label.setPalette(pal)
        outer.addWidget(self.error_label)

        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save as profile…", self)
        self.save_button.setObjectName("save_profile")
        self.save_button.setToolTip("Write this mapping as a vendor profile in the mappings folder")
        self.save_button.clicked.connect(self.save_as_dialog)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("mapping_status")
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        self._refresh_all()

    # -- public API ---------------------------------------------------------
    def set_source(self, raw: Any, profile: Any = None, suggestion: Any = None, drift: Any = None) -> None:
        """Show ``raw`` (a RawTable) mapped by ``profile``, or by the suggestion when there is no profile."""
        self._raw = raw
        self._head = _head(raw, self._preview_rows) if raw is not None else None
        self._suggestion = suggestion
        if profile is None and suggestion is not None:
            profile = _suggestion_profile(suggestion)
        self._profile = profile
        self._spec = _profile_to_spec(profile) if profile is not None else _empty_spec()
        self._saved_path = _profile_path(profile)
        self._error = ""
        self._headers[3].setVisible(suggestion is not None)
        if drift is None and profile is not None and raw is not None and self._suggestion is None:
            drift = _drift_of(raw, profile)
        self._set_drift(drift)
        self._debounce.stop()
        self._refresh_all()

    def profile(self) -> Any:
        """The current (last valid) MappingProfile, or None."""
        return self._profile

    def spec(self) -> dict[str, Any]:
        """A copy of the spec dictionary being edited (may be invalid while the operator types)."""
        return copy.deepcopy(self._spec)

    def flush(self) -> None:
        """Apply a pending edit now (e.g. before saving or committing)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._commit_edit()

    def mappings_dir(self) -> Path:
        return self._mappings_dir or _default_mappings_dir()

    def save_profile(self, name: str | None = None, path: Path | None = None) -> Path:
        """Write the current spec as a profile file; returns the path.  Raises ProfileError when invalid."""
        self.flush()
        spec = copy.deepcopy(self._spec)
        if name:
            spec["name"] = name
        if not spec.get("signature", {}).get("columns") and self._raw is not None:
            spec.setdefault("signature", {})["columns"] = list(self._raw.columns)
            spec["signature"].setdefault("min_match", 0.8)
        if path is None:
            path = self.mappings_dir() / f"{_file_stem(spec.get('name') or 'profile')}.yaml"
        profile = _build_profile(spec, source=path)
        path.parent.mkdir(parents=True, exist_ok=True)
        _save_profile(profile, path)
        self._spec = spec
        self._profile = profile
        self._saved_path = path
        self.name_edit.setText(str(spec.get("name") or ""))
        self.status_label.setText(f"Saved {path}")
        return path

    def save_as_dialog(self) -> Path | None:
        """Ask for the profile name (new or existing file) and save; errors become a readable dialog."""
        self.flush()
        dlg = SaveProfileDialog(self, str(self._spec.get("name") or ""), self.mappings_dir())
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        name = dlg.name()
        target = self.mappings_dir() / f"{_file_stem(name)}.yaml"
        if target.exists() and target != self._saved_path:
            answer = QMessageBox.question(
                self,
                "Update profile?",
                f"A profile file already exists:\n{target}\n\nReplace it with this mapping?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
        try:
            return self.save_profile(name=name, path=target)
        except ProfileError as exc:
            _show_problem(self, "The profile cannot be saved", exc, "Fix the fields listed and save again.")
        except OSError as exc:
            _show_problem(self, "The profile cannot be saved", exc, "Check that the mappings folder is writable.")
        return None

    def sizeHint(self) -> QSize:
        # modest height: docked under the grid, the grid must keep most of the window
        return QSize(900, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(420, 180)

    # -- edits (each restarts the debounce) ----------------------------------
    def _field_spec(self, field: str) -> dict[str, Any] | None:
        return self._spec.setdefault("fields", {}).get(field)

    def _set_field_spec(self, field: str, spec: dict[str, Any] | None) -> None:
        fields = self._spec.setdefault("fields", {})
        if spec:
            fields[field] = spec
        else:
            fields.pop(field, None)
        self._edited({field})

    def _set_top(self, key: str, value: str) -> None:
        self._spec[key] = value.strip()
        self._edited(set())

    def _on_source_activated(self, row: FieldRow) -> None:
        kind = row.source.currentData(_ROLE_KIND)
        old = self._field_spec(row.field)
        if kind == _KIND_EDIT_TRANSFORM:
            self._edit_transform(row)
            return
        if kind == _KIND_CURRENT_TRANSFORM:
            return
        if kind == _KIND_NONE:
            self._set_field_spec(row.field, None)
            return
        self._set_field_spec(row.field, _with_column(old, row.source.currentText()))

    def _edit_transform(self, row: FieldRow) -> None:
        dlg = TransformDialog(self, row.field, self._field_spec(row.field), self._validate_field)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self._set_field_spec(row.field, dlg.spec())
        else:
            self._refresh_row(row)

    def _validate_field(self, field: str, spec: dict[str, Any] | None) -> str:
        trial = copy.deepcopy(self._spec)
        if spec:
            trial.setdefault("fields", {})[field] = spec
        else:
            trial.setdefault("fields", {}).pop(field, None)
        return _spec_error(trial, only_field=field)

    def _on_date_choice(self, row: FieldRow) -> None:
        assert row.date_choice is not None and row.date_format is not None
        key = row.date_choice.currentData()
        spec = self._field_spec(row.field)
        row.date_format.setVisible(key == "format")
        if spec is None:
            return
        if key == "format":
            row.date_format.setFocus()
            fmt = row.date_format.text().strip()
            if not fmt:
                return
            self._set_field_spec(row.field, _with_date(spec, row.field, fmt=fmt))
        else:
            self._set_field_spec(row.field, _with_date(spec, row.field, order=None if key == "auto" else key))

    def _on_date_format(self, row: FieldRow) -> None:
        assert row.date_format is not None
        spec = self._field_spec(row.field)
        fmt = row.date_format.text().strip()
        if spec is not None:
            self._set_field_spec(row.field, _with_date(spec, row.field, fmt=fmt or None))

    def _edit_value_map(self, row: FieldRow) -> None:
        spec = self._field_spec(row.field)
        if not spec or "column" not in spec:
            QMessageBox.information(
                self, "Value map", f"Choose the source column of {row.field} first, then map its values."
            )
            return
        values = _distinct_values(self._raw, spec["column"])
        dlg = ValueMapDialog(self, row.field, values, dict(spec.get("map") or {}), _enum_values(row.field))
        if dlg.exec() == QDialog.DialogCode.Accepted:
            new = dict(spec)
            m = dlg.mapping()
            if m:
                new["map"] = m
            else:
                new.pop("map", None)
            self._set_field_spec(row.field, new)

    def _on_optional(self, row: FieldRow, on: bool) -> None:
        rules = self._spec.setdefault("rules", {})
        rule = dict(rules.get(row.field) or {})
        if on:
            rule["required"] = False
        else:
            rule.pop("required", None)
        if rule:
            rules[row.field] = rule
        else:
            rules.pop(row.field, None)
        self._edited({row.field})

    def _edited(self, fields: set[str]) -> None:
        for f in fields:
            if f in self._rows:
                self._refresh_row(self._rows[f])
        self.status_label.setText("Edited — applying…")
        self._debounce.start()

    def _commit_edit(self) -> None:
        """Debounce fired: validate, refresh previews, emit the new profile when valid."""
        self._error = _spec_error(self._spec)
        self._show_error()
        if self._error:
            self.status_label.setText("The mapping has problems (see below)")
            return
        try:
            profile = _build_profile(self._spec, source=self._saved_path)
        except ProfileError as exc:
            self._error = str(exc)
            self._show_error()
            return
        self._profile = profile
        self.status_label.setText("")
        self._refresh_previews()
        self.profile_changed.emit(profile)

    # -- display --------------------------------------------------------------
    def _set_drift(self, drift: Any) -> None:
        text = _drift_text(drift)
        self.drift_label.setText(text)
        self.drift_label.setVisible(bool(text))
        if text:
            self.drift_label.setAutoFillBackground(True)
            pal = self.drift_label.palette()
            pal.setColor(QPalette.ColorRole.Window, theme.warning_color(self.palette()))
            self.drift_label.setPalette(pal)

    def _show_error(self) -> None:
        self.error_label.setText(self._error)
        self.error_label.setVisible(bool(self._error))
        self.error_changed.emit(self._error)

    def _refresh_all(self) -> None:
        self.name_edit.setText(str(self._spec.get("name") or ""))
        self.vendor_edit.setText(str(self._spec.get("vendor") or ""))
        for row in self._rows.values():
            self._refresh_row(row)
        self._refresh_previews()
        self._show_error()
        self.save_button.setEnabled(self._raw is not None or bool(self._spec.get("fields")))

    def _refresh_row(self, row: FieldRow) -> None:
        spec = self._field_spec(row.field)
        columns = list(self._raw.columns) if self._raw is not None else []
        combo = row.source
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("(profile vendor)" if row.field == "vendor" else NOT_MAPPED, _KIND_NONE)
        current = 0
        if spec and "column" not in spec:
            combo.addItem(f"ƒ {_describe(spec)}", _KIND_CURRENT_TRANSFORM)
            current = 1
        for c in columns:
            combo.addItem(c, _KIND_COLUMN)
        if spec and "column" in spec:
            idx = combo.findText(str(spec["column"]), Qt.MatchFlag.MatchExactly)
            if idx < 0:  # the profile names a column this file lacks
                combo.addItem(f"{spec['column']} (missing in file)", _KIND_COLUMN)
                idx = combo.count() - 1
            current = idx
        combo.insertSeparator(combo.count())
        combo.addItem(TRANSFORM_ITEM, _KIND_EDIT_TRANSFORM)
        combo.setCurrentIndex(current)
        combo.setToolTip(_describe(spec) if spec else f"{row.field} is not mapped")
        combo.blockSignals(False)

        conf, reasons, ambiguous = _suggestion_info(self._suggestion, row.field)
        row.confidence.set_confidence(conf, reasons)
        row.confidence.setVisible(self._suggestion is not None)
        if row.date_choice is not None and row.date_format is not None:
            key, fmt = _date_choice(spec)
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
        rule = (self._spec.get("rules") or {}).get(row.field) or {}
        row.optional.blockSignals(True)
        row.optional.setChecked(rule.get("required") is False)
        row.optional.blockSignals(False)
        row.set_highlight(theme.ambiguous_color(self.palette()) if ambiguous and not _has_date_choice(spec) else None)

    def _refresh_previews(self) -> None:
        values, problems = _preview(self._head, self._profile, self._spec)
        general = problems.get("") or problems.get("None")
        self.status_label.setText(general[0] if general else "")
        for field, row in self._rows.items():
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


class SaveProfileDialog(QDialog):
    """Asks for the profile name; shows the file that will be written."""

    def __init__(self, parent: QWidget, name: str, folder: Path):
        super().__init__(parent)
        self.setWindowTitle("Save mapping as profile")
        self.setObjectName("SaveProfileDialog")
        self._folder = folder
        form = QFormLayout(self)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setObjectName("save_name")
        self.name_edit.setAccessibleName("Profile name")
        self.path_label = QLabel(self)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("Profile name", self.name_edit)
        form.addRow("File", self.path_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self._update()

    def name(self) -> str:
        return self.name_edit.text().strip()

    def _update(self) -> None:
        n = self.name()
        target = self._folder / f"{_file_stem(n)}.yaml" if n else None
        self.path_label.setText(str(target) if target else "—")
        if target is not None and target.exists():
            self.path_label.setText(f"{target}  (exists: will be updated)")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(bool(n))


def _show_problem(parent: QWidget, title: str, exc: BaseException, what_next: str) -> None:
    details = getattr(exc, "problems", None)
    text = str(exc)
    if details and len(details) > 1:
        text = "\n".join(f"• {p}" for p in details)
    log.warning("%s: %s", title, exc)
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(what_next)
    box.exec()


class TransformDialog(QDialog):
    """Edit one field's spec as YAML (the profile file's own syntax), checked live by the mapping package."""

    HELP = (
        "One source key: column, concat, date_parts, sum, product, constant, hash.\n"
        "Modifiers: map, date_format / date_order, datetime_format, number_locale, default, case, split.\n"
        "Examples:\n"
        "  {concat: [first_name, last_name], sep: ' '}\n"
        "  {date_parts: {year: arrival_year, month: arrival_month, day: arrival_date}}\n"
        "  {product: [avg_price_per_room, '@nights']}"
    )

    def __init__(self, parent: QWidget, field: str, spec: dict[str, Any] | None, check: Any):
        super().__init__(parent)
        self.setWindowTitle(f"Transform for {field}")
        self.setObjectName("TransformDialog")
        self._field = field
        self._check = check
        self._spec: dict[str, Any] | None = spec
        lay = QVBoxLayout(self)
        help_label = QLabel(self.HELP, self)
        help_label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(help_label)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("transform_editor")
        self.editor.setAccessibleName(f"Transform of {field} (YAML)")
        self.editor.setPlainText(_spec_to_yaml(spec) if spec else "")
        lay.addWidget(self.editor)
        self.error = QLabel(self)
        self.error.setObjectName("transform_error")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.editor.textChanged.connect(self._validate)
        self._validate()

    def spec(self) -> dict[str, Any] | None:
        return self._spec

    def _validate(self) -> None:
        text = self.editor.toPlainText().strip()
        msg = ""
        spec: dict[str, Any] | None = None
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
        if not msg:
            msg = self._check(self._field, spec)
        self._spec = spec if not msg else self._spec
        self.error.setText(msg)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not msg)


class ValueMapDialog(QDialog):
    """Map each distinct source value onto a canonical value (e.g. ``Canceled`` -> ``cancelled``)."""

    KEEP = "(keep as is)"

    def __init__(self, parent: QWidget, field: str, values: list[str], current: dict[str, str], targets: list[str]):
        super().__init__(parent)
        self.setWindowTitle(f"Values of {field}")
        self.setObjectName("ValueMapDialog")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Choose the canonical {field} for each value found in the file:", self))
        keys = list(dict.fromkeys([*values, *current]))
        self.table = QTableWidget(len(keys), 2, self)
        self.table.setObjectName("value_map_table")
        self.table.setHorizontalHeaderLabels(["In the file", f"Canonical {field}"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self._combos: list[tuple[str, QComboBox]] = []
        for i, key in enumerate(keys):
            item = QTableWidgetItem(key)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(i, 0, item)
            combo = QComboBox(self.table)
            combo.setEditable(not targets)
            combo.addItem(self.KEEP)
            combo.addItems(targets)
            combo.setAccessibleName(f"Canonical value for {key}")
            want = current.get(key)
            if want is not None:
                idx = combo.findText(want)
                if idx < 0:
                    combo.addItem(want)
                    idx = combo.count() - 1
                combo.setCurrentIndex(idx)
            self.table.setCellWidget(i, 1, combo)
            self._combos.append((key, combo))
        self.table.resizeColumnToContents(0)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(460, 360)

    def combo_for(self, key: str) -> QComboBox:
        return dict(self._combos)[key]

    def mapping(self) -> dict[str, str]:
        out = {}
        for key, combo in self._combos:
            t = combo.currentText().strip()
            if t and t != self.KEEP:
                out[key] = t
        return out


# -- adapters over the mapping package (the only place that knows its API) -----

DATE_FIELDS = frozenset({"check_in", "check_out", "booked_at"})
DATETIME_FIELDS = frozenset({"booked_at"})
VALUE_MAP_FIELDS = frozenset({"status"})
_DATE_KEYS = ("date_format", "date_order", "datetime_format")
_SOURCE_KEYS = ("column", "concat", "date_parts", "sum", "product", "constant", "hash")
def _canonical_fields() -> list[str]:
    return list(CANONICAL_FIELDS)


def _required_fields() -> set[str]:
    return set(load_schema().required)


def _enum_values(field: str) -> list[str]:
    return [str(v) for v in load_schema().field(field).enum or ()]


def _empty_spec() -> dict[str, Any]:
    return {"version": 1, "name": "", "vendor": "", "fields": {}, "rules": {}}


def _default_mappings_dir() -> Path:
    from booking_desktop.mapping.registry import user_profiles_dir

    return Path(user_profiles_dir())


def _file_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.strip()).strip("._")
    return stem or "profile"


def _profile_to_spec(profile: Any) -> dict[str, Any]:
    spec = copy.deepcopy(profile.to_dict())
    spec.setdefault("fields", {})
    spec.setdefault("rules", {})
    return spec


def _profile_path(profile: Any) -> Path | None:
    for attr in ("path", "source"):
        p = getattr(profile, attr, None)
        if isinstance(p, str | Path) and str(p).endswith((".yaml", ".yml")):
            return Path(p)
    return None


def _suggestion_profile(suggestion: Any) -> Any:
    src = getattr(suggestion, "source", None)
    name = Path(src.path).stem if src is not None and getattr(src, "path", None) else "suggested"
    return suggestion.to_profile(name=name)


def _build_profile(spec: dict[str, Any], source: Path | None = None) -> Any:
    from booking_desktop.mapping import MappingProfile

    clean = {k: v for k, v in spec.items() if not (k == "rules" and not v)}
    return MappingProfile.from_dict(clean, source=source)


def _save_profile(profile: Any, path: Path) -> None:
    profile.save(path)


def _spec_error(spec: dict[str, Any], only_field: str | None = None) -> str:
    """'' when the spec is a valid profile, else the problems (those of ``only_field`` when given)."""
    if not str(spec.get("name") or "").strip() or not str(spec.get("vendor") or "").strip():
        # name and vendor are asked for when saving; edits of fields are still checked
        spec = {**spec, "name": spec.get("name") or "unsaved", "vendor": spec.get("vendor") or "UNSET"}
    try:
        _build_profile(spec)
    except ProfileError as exc:
        probs = exc.problems
        if only_field:
            probs = [p for p in probs if only_field in str(p)] or probs
        return "\n".join(str(p) for p in probs)
    return ""


def _with_column(old: dict[str, Any] | None, column: str) -> dict[str, Any]:
    """Point the field at ``column``, keeping column modifiers (map, date format, default, …)."""
    if old and "column" in old:
        return {**old, "column": column}
    return {"column": column}


def _with_date(spec: dict[str, Any], field: str, order: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    if "column" not in spec:
        return spec
    new = {k: v for k, v in spec.items() if k not in _DATE_KEYS}
    if fmt:
        new["datetime_format" if field in DATETIME_FIELDS else "date_format"] = fmt
    elif order:
        new["date_order"] = order
    return new


def _date_choice(spec: dict[str, Any] | None) -> tuple[str, str | None]:
    spec = spec or {}
    fmt = spec.get("date_format") or spec.get("datetime_format")
    if fmt:
        return "format", str(fmt)
    if spec.get("date_order"):
        return str(spec["date_order"]), None
    return "auto", None


def _has_date_choice(spec: dict[str, Any] | None) -> bool:
    return bool(spec) and any(k in spec for k in _DATE_KEYS)


def _describe(spec: dict[str, Any] | None) -> str:
    if not spec:
        return ""
    for key in _SOURCE_KEYS:
        if key in spec:
            val = spec[key]
            if isinstance(val, list):
                inner = ", ".join(map(str, val))
            elif isinstance(val, dict):
                inner = ", ".join(f"{k}={v}" for k, v in val.items() if not isinstance(v, list | dict))
            else:
                inner = str(val)
            extra = [k for k in spec if k != key]
            return f"{key}({inner})" + (f" + {', '.join(extra)}" if extra else "")
    return _spec_to_yaml(spec).strip()


def _spec_to_yaml(spec: dict[str, Any]) -> str:
    return yaml.safe_dump(spec, default_flow_style=None, sort_keys=False, allow_unicode=True)


def _distinct_values(raw: Any, column: str, limit: int = 200) -> list[str]:
    if raw is None or column not in raw.frame.columns:
        return []
    counts = raw.frame[column].value_counts(dropna=True)
    return [str(v) for v in counts.index[:limit]]


def _suggestion_info(suggestion: Any, field: str) -> tuple[float | None, list[str], bool]:
    """(confidence 0..1 or None, reasons, ambiguous) of one field of a MappingSuggestion."""
    if suggestion is None:
        return None, [], False
    fields = getattr(suggestion, "fields", None)
    item = fields.get(field) if isinstance(fields, dict) else None
    if item is None:
        return None, [], False
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    conf = get("confidence")
    reasons = get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    return (float(conf) if conf is not None else None), [str(r) for r in reasons], bool(get("ambiguous", False))


def _drift_text(drift: Any) -> str:
    if drift is None:
        return ""
    get = drift.get if isinstance(drift, dict) else lambda k, d=None: getattr(drift, k, d)
    added, missing, renamed = get("added") or [], get("missing") or [], get("renamed") or {}
    if isinstance(renamed, dict):
        renamed = list(renamed.items())
    missing = [c for c in missing if c not in {r[0] for r in renamed}]  # a rename is not also missing/new
    added = [c for c in added if c not in {r[1] for r in renamed}]
    parts = []
    if renamed:
        parts.append("renamed: " + ", ".join(f"{r[0]} → {r[1]}" for r in renamed))
    if missing:
        parts.append("missing: " + ", ".join(map(str, missing)))
    if added:
        parts.append("new: " + ", ".join(map(str, added)))
    if not parts:
        return ""
    name = get("profile_name") or get("profile") or "the profile"
    name = getattr(name, "name", name)
    return f"The file's header differs from {name}: " + "; ".join(parts) + ". Check the fields below."


def _drift_of(raw: Any, profile: Any) -> Any:
    """How the file's header differs from the profile's signature (None when the profile has none)."""
    if not getattr(getattr(profile, "signature", None), "columns", None):
        return None
    from booking_desktop.mapping.drift import match_profile

    return match_profile(raw.columns, profile)


def _head(raw: Any, n: int) -> Any:
    from booking_desktop.readers.base import RawTable

    k = min(n, len(raw))
    return RawTable(
        frame=raw.frame.iloc[:k].reset_index(drop=True),
        locations=raw.locations.take(np.arange(k)),
        source=raw.source,
        problems=[],
    )


def _preview(head: Any, profile: Any, spec: dict[str, Any]) -> tuple[dict[str, list[str | None]], dict[str, list[str]]]:
    """First values of every mapped field, and the mapping problems found in them."""
    if head is None or profile is None:
        return {}, {}
    from booking_desktop.mapping import apply_mapping

    try:
        mapped = apply_mapping(head, profile)
    except ProfileError as exc:
        return {}, {"": [str(exc)]}
    except Exception as exc:
        log.error("preview of the mapping failed", exc_info=exc)
        return {}, {"": [f"The preview could not be computed ({type(exc).__name__}: {exc})."]}
    text = mapped.text
    mapped_fields = set((spec.get("fields") or {}).keys()) | {"vendor"}
    values: dict[str, list[str | None]] = {}
    for field in text.columns:
        if field not in mapped_fields:
            continue
        col = text[field].astype("object")
        values[str(field)] = [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in col]
    problems: dict[str, list[str]] = {}
    table = getattr(mapped, "problems", None)
    if table is not None and len(table):
        for p in table.problems(head.locations):
            problems.setdefault(str(p.field), []).append(str(p))
    return values, problems
