"""What a grid shows, as a protocol: the operator's import session, or later the review queue's
rejected rows, behind the same small surface.  Qt-free.

A source has a ``result`` (canonical text and typed frames, the problems, the error rows, the
records' locations and the mapping), a deleted-rows mask, which cells were edited, a way to edit
a cell, and three psygnal signals the Qt adapter turns into model resets and repaints.
:class:`~booking_desktop.session.WorkSession` is one.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np


class TableSource(Protocol):
    result: Any  # PipelineResult-like: text, typed, problems, error_rows, raw.locations, mapping
    deleted: np.ndarray  # bool per row
    reset: Any  # psygnal SignalInstance(): the whole table changed
    cells_changed: Any  # SignalInstance(rows: np.ndarray, fields: list[str])
    deleted_changed: Any  # SignalInstance(rows: np.ndarray)

    def is_edited(self, row: int, field: str) -> bool: ...

    def set_cell(self, row: int, field: str, value: str | None) -> None: ...
