"""read -> map -> validate, as a cancellable generator of progress events.

``run()`` yields :class:`Progress` and returns a :class:`PipelineResult`
(``result = yield from run(...)`` or :func:`run_to_end`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from booking_desktop.errors import Problem, ProblemTable
from booking_desktop.readers.base import RawTable


@dataclass(frozen=True)
class Progress:
    stage: str  # "read", "map", "validate", "done"
    done: int = 0
    total: int = 0
    message: str = ""


class Cancelled(Exception):
    """The caller asked to stop; nothing was half-applied."""


@dataclass
class PipelineResult:
    raw: RawTable
    text: pd.DataFrame  # canonical text frame (see docs/ARCHITECTURE.md), what operators edit
    typed: pd.DataFrame  # canonical typed frame (ValidationResult.typed)
    problems: ProblemTable  # mapping + validation problems, 0-based rows
    error_rows: np.ndarray  # bool per row
    vendor: str | None
    profile: Any | None  # MappingProfile or None (suggested mapping)
    mapping: dict[str, str]  # canonical field -> source column or transform description
    file_problems: list[Problem] = field(default_factory=list)  # reader + mapping file-level findings
    rules: Any = None  # validation rules in force (schema + profile overrides)

    @property
    def records(self) -> int:
        return len(self.text)

    @property
    def invalid(self) -> int:
        return int(self.error_rows.sum())

    @property
    def valid(self) -> int:
        return self.records - self.invalid


CancelCheck = Callable[[], bool]


def _never() -> bool:
    return False


def run(
    path: str | Path,
    profile: Any | None = None,
    vendor: str | None = None,
    profiles_dir: Path | None = None,
    cancelled: CancelCheck = _never,
) -> Generator[Progress, None, PipelineResult]:
    raise NotImplementedError  # filled in once readers/mapping/validation land


def run_to_end(*args: Any, **kwargs: Any) -> PipelineResult:
    gen = run(*args, **kwargs)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value
