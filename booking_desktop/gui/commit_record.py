"""The import record of a commit, as a person reads it: file, outcome, times in local time, who.

The ``imports`` document is the engine's bookmark (see storage/imports.py); this view shows the
fields an operator asks about and leaves the bookkeeping (plan digest, next position) out.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from booking_desktop.gui.commit_text import duration, local_time, outcome_parts, plural, who


def record_fields(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) rows for an import document, in reading order."""
    counts = doc.get("counts") or {}
    c = {k: int(counts.get(k, 0)) for k in ("inserted", "updated", "unchanged", "rejected")}
    records = int(doc.get("records") or 0)
    done = sum(c.values())
    outcome = ", ".join(outcome_parts(c["inserted"], c["updated"], c["unchanged"], c["rejected"], 0))
    if done < records:
        outcome += f"; {records - done:,} not committed"
    size = int(doc.get("file_size") or 0)
    rows = [
        ("File", str(doc.get("file_name") or "")),
        ("Path", str(doc.get("file_path") or "")),
        ("Size", f"{size:,} bytes" + (f" ({doc.get('format')})" if doc.get("format") else "")),
        ("Content (sha256)", str(doc.get("file_sha256") or "")),
        ("Vendor", str(doc.get("vendor") or "")),
        ("Profile", str(doc.get("profile") or "none (mapped by hand)")),
        ("Status", str(doc.get("status") or "")),
        ("Records", plural(records, "record")),
        ("Outcome", outcome),
        ("Started", local_time(doc.get("started_at"))),
        ("Finished", local_time(doc.get("finished_at")) or "not finished"),
    ]
    start, end = doc.get("started_at"), doc.get("finished_at")
    if start is not None and end is not None:
        rows.append(("Took", duration((end - start).total_seconds())))
    rows.append(("By", who(doc)))
    for i, r in enumerate(doc.get("resumed") or [], 1):
        rows.append((f"Resumed ({i})", f"{local_time(r.get('at'))} by {r.get('by') or 'unknown user'}"))
    if doc.get("edited_records"):
        rows.append(("Edited records", plural(len(doc["edited_records"]), "record") + " fixed by the operator"))
    if doc.get("error"):
        rows.append(("Problem", str(doc["error"])))
    rows.append(("Import id", str(doc.get("_id") or "")))
    return rows


class ImportRecordDialog(QDialog):
    def __init__(self, doc: dict[str, Any] | None, import_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ImportRecordDialog")
        self.setWindowTitle(f"Import record {import_id[:12]}")
        lay = QVBoxLayout(self)
        self.values: dict[str, QLabel] = {}
        if doc is None:
            lay.addWidget(QLabel("The import record was not found in the database.", self))
        else:
            form = QFormLayout()
            for label, text in record_fields(doc):
                value = QLabel(text, self)
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value.setAccessibleName(label)
                self.values[label] = value
                form.addRow(f"{label}:", value)
            lay.addLayout(form)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(560, 420)
