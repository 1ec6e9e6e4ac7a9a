"""The mapping panel: how each canonical field is obtained from the vendor file.

The panel edits the profile's *spec dictionary* (the YAML format of
``mappings/*.yaml``) and lets the mapping package do everything that carries a
rule: ``MappingProfile.from_dict`` validates an edit, ``apply_mapping`` on a
``head()`` slice of the raw table computes the live preview, the suggestion
supplies confidences.  The widgets only show that state and forward intent.

Every edit restarts a short debounce timer; when it fires the panel validates
the spec, refreshes the previews and emits ``profile_changed(MappingProfile)``
so that the session can re-map the whole file once, not once per keystroke.

The per-field row (``mapping_row``), the dialogs (``transform_dialog``,
``value_map_dialog``, ``save_profile_dialog``) and the adapters over the
mapping package (``mapping_adapter``) live in their own modules; the widget
classes are re-exported here so existing imports keep working.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from booking_desktop.errors import ProfileError
from booking_desktop.gui import mapping_adapter as adapter
from booking_desktop.gui import mapping_preview as preview
from booking_desktop.gui import theme
from booking_desktop.gui.mapping_panel_profile import ProfileBox
from booking_desktop.gui.mapping_panel_save import ask_save_target, show_problem
from booking_desktop.gui.mapping_panel_table import (
    COLUMNS,
    KIND_CURRENT_TRANSFORM,
    KIND_EDIT_TRANSFORM,
    KIND_NONE,
    ROLE_KIND,
    FieldTable,
)
from booking_desktop.gui.mapping_row import ConfidenceBar, FieldRow
from booking_desktop.gui.save_profile_dialog import SaveProfileDialog
from booking_desktop.gui.transform_dialog import TransformDialog
from booking_desktop.gui.value_map_dialog import ValueMapDialog

__all__ = [
    "ConfidenceBar",
    "FieldRow",
    "MappingPanel",
    "SaveProfileDialog",
    "TransformDialog",
    "ValueMapDialog",
]

DEBOUNCE_MS = 300
PREVIEW_ROWS = 5


class MappingPanel(QWidget):
    """Review and edit the mapping of a vendor file onto the canonical fields.

    Feed it with :meth:`set_source` (raw table + profile or suggestion + drift);
    read the current profile with :meth:`profile`.  ``profile_changed`` carries a
    validated ``MappingProfile`` ~300 ms after the operator's last edit.
    """

    profile_changed = Signal(object)
    error_changed = Signal(str)  # "" when the current spec is valid
    COLUMNS = COLUMNS

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
        self._columns: list[str] = []
        self._head: Any = None
        self._spec: dict[str, Any] = adapter.empty_spec()
        self._saved_path: Path | None = None
        self._suggestion: Any = None
        self._profile: Any = None
        self._error = ""

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(self._commit_edit)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.profile_box = ProfileBox(self)
        self.drift_label = self.profile_box.drift_label
        self.name_edit = self.profile_box.name_edit
        self.vendor_edit = self.profile_box.vendor_edit
        self.profile_box.name_edited.connect(lambda t: self._set_top("name", t))
        self.profile_box.vendor_edited.connect(lambda t: self._set_top("vendor", t))
        self.profile_box.profile_chosen.connect(self.apply_profile)
        outer.addWidget(self.profile_box)
        self.table = FieldTable(self)
        self._rows: dict[str, FieldRow] = self.table.rows
        outer.addWidget(self.table, 1)

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
        self._columns = [str(c) for c in raw.columns] if raw is not None else []  # once: rows share it
        self._head = preview.head(raw, self._preview_rows) if raw is not None else None
        self._suggestion = suggestion
        if profile is None and suggestion is not None:
            profile = adapter.suggestion_profile(suggestion)
        self._profile = profile
        self._spec = adapter.profile_to_spec(profile) if profile is not None else adapter.empty_spec()
        self._saved_path = adapter.profile_path(profile)
        self._error = ""
        self.table.show_confidence(suggestion is not None)
        if drift is None and profile is not None and raw is not None and self._suggestion is None:
            drift = adapter.drift_of(raw, profile)
        self._set_drift(drift)
        self._debounce.stop()
        self._refresh_all()
        self.refresh_profiles()

    def apply_profile(self, profile: Any) -> None:
        """Map the file with a saved profile (the operator chose it): shown here, and handed on
        at once through ``profile_changed`` (the session applies it as one undo step)."""
        self.set_source(self._raw, profile)
        self.status_label.setText(f"Profile {profile.name} chosen — applying…")
        self.profile_changed.emit(profile)

    def refresh_profiles(self) -> None:
        scan = adapter.saved_profiles(self._mappings_dir)
        current = getattr(self._profile, "name", None) if self._saved_path is not None else None
        self.profile_box.show_profiles(scan.profiles, current, [str(e) for e in scan.errors])

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
        return self._mappings_dir or adapter.default_mappings_dir()

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
            path = self.mappings_dir() / f"{adapter.file_stem(spec.get('name') or 'profile')}.yaml"
        profile = adapter.build_profile(spec, source=path)
        path.parent.mkdir(parents=True, exist_ok=True)
        adapter.save_profile(profile, path)
        self._spec = spec
        self._profile = profile
        self._saved_path = path
        self.name_edit.setText(str(spec.get("name") or ""))
        self.refresh_profiles()
        self.status_label.setText(f"Saved {path}")
        return path

    def save_as_dialog(self) -> Path | None:
        """Ask for the profile name (new or existing file) and save; errors become a readable dialog."""
        self.flush()
        target = ask_save_target(self, str(self._spec.get("name") or ""), self.mappings_dir(), self._saved_path)
        if target is None:
            return None
        try:
            return self.save_profile(name=target[0], path=target[1])
        except ProfileError as exc:
            show_problem(self, "The profile cannot be saved", exc, "Fix the fields listed and save again.")
        except OSError as exc:
            show_problem(self, "The profile cannot be saved", exc, "Check that the mappings folder is writable.")
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
        kind = row.source.currentData(ROLE_KIND)
        old = self._field_spec(row.field)
        if kind == KIND_EDIT_TRANSFORM:
            self._edit_transform(row)
            return
        if kind == KIND_CURRENT_TRANSFORM:
            return
        if kind == KIND_NONE:
            self._set_field_spec(row.field, None)
            return
        self._set_field_spec(row.field, adapter.with_column(old, row.source.currentText()))

    def _edit_transform(self, row: FieldRow) -> None:
        dlg = TransformDialog(
            self,
            row.field,
            self._field_spec(row.field),
            self._validate_field,
            self._columns,
            lambda field, spec: preview.field_preview(self._head, self._spec, field, spec),
        )
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
        return adapter.spec_error(trial, only_field=field)

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
            self._set_field_spec(row.field, adapter.with_date(spec, row.field, fmt=fmt))
        else:
            self._set_field_spec(row.field, adapter.with_date(spec, row.field, order=None if key == "auto" else key))

    def _on_date_format(self, row: FieldRow) -> None:
        assert row.date_format is not None
        spec = self._field_spec(row.field)
        fmt = row.date_format.text().strip()
        if spec is not None:
            self._set_field_spec(row.field, adapter.with_date(spec, row.field, fmt=fmt or None))

    def _edit_value_map(self, row: FieldRow) -> None:
        spec = self._field_spec(row.field)
        if not spec or "column" not in spec:
            QMessageBox.information(
                self, "Value map", f"Choose the source column of {row.field} first, then map its values."
            )
            return
        values = adapter.distinct_values(self._raw, spec["column"])
        dlg = ValueMapDialog(self, row.field, values, dict(spec.get("map") or {}), adapter.enum_values(row.field))
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
        self._error = adapter.spec_error(self._spec)
        self._show_error()
        if self._error:
            self.status_label.setText("The mapping has problems (see below)")
            return
        try:
            profile = adapter.working_profile(self._spec, source=self._saved_path)
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
        self.profile_box.show_drift(adapter.drift_text(drift))

    def _show_error(self) -> None:
        self.error_label.setText(self._error)
        self.error_label.setVisible(bool(self._error))
        self.error_changed.emit(self._error)

    def _refresh_all(self) -> None:
        self.profile_box.show_names(str(self._spec.get("name") or ""), str(self._spec.get("vendor") or ""))
        for row in self._rows.values():
            self._refresh_row(row)
        self._refresh_previews()
        self._show_error()
        self.save_button.setEnabled(self._raw is not None or bool(self._spec.get("fields")))

    def _refresh_row(self, row: FieldRow) -> None:
        rule = (self._spec.get("rules") or {}).get(row.field) or {}
        self.table.refresh_row(row, self._field_spec(row.field), self._columns, self._suggestion, self._profile, rule)

    def _refresh_previews(self) -> None:
        values, problems = preview.preview(self._head, self._profile, self._spec)
        general = problems.get("")
        self.status_label.setText(general[0] if general else "")
        self.table.show_previews(values, problems)
