"""Undoable steps of a :class:`~booking_desktop.session.WorkSession`.

Each command knows how to apply itself forwards and backwards on the session
and how to describe itself for the journal.  Bulk edits are one command, so
one Ctrl+Z undoes a whole find-and-replace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from booking_desktop.session.work_session import WorkSession

_ABSENT = object()  # "this cell had no operator edit" in the edit overlay


@dataclass
class CellEditCommand:
    """Set many cells at once.  ``fields[i]`` of ``rows[i]`` goes ``old[i]`` -> ``new[i]``."""

    label: str
    rows: np.ndarray
    fields: list[str]
    old: list[str | None]
    new: list[str | None]
    old_overlay: list[Any] = field(default_factory=list)

    def redo(self, s: WorkSession) -> None:
        s._write_cells(self.rows, self.fields, self.new, overlay=self.new)

    def undo(self, s: WorkSession) -> None:
        s._write_cells(self.rows, self.fields, self.old, overlay=self.old_overlay)

    def journal_record(self) -> dict[str, Any]:
        rows = self.rows.tolist()
        return {"op": "cells", "label": self.label, "rows": rows, "fields": self.fields, "values": self.new}


@dataclass
class DeleteRowsCommand:
    """Mark rows deleted (``delete=True``) or restore them; only rows that changed state are kept."""

    label: str
    rows: np.ndarray
    delete: bool

    def redo(self, s: WorkSession) -> None:
        s._set_deleted(self.rows, self.delete)

    def undo(self, s: WorkSession) -> None:
        s._set_deleted(self.rows, not self.delete)

    def journal_record(self) -> dict[str, Any]:
        return {"op": "delete" if self.delete else "restore", "rows": self.rows.tolist()}


@dataclass
class RemapCommand:
    """Swap the whole mapped state; both states are kept, so undo/redo are instant."""

    label: str
    before: Any  # PipelineResult
    after: Any  # PipelineResult
    profile_record: Any

    def redo(self, s: WorkSession) -> None:
        s._swap_result(self.after)

    def undo(self, s: WorkSession) -> None:
        s._swap_result(self.before)

    def journal_record(self) -> dict[str, Any]:
        return {"op": "remap", "profile": self.profile_record}
