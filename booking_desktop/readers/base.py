"""What every reader returns, and the registry that picks a reader.

A reader turns a file into a :class:`RawTable`: every cell as text, one row
per data record, and for each record where it came from.  Getting and
decoding bytes is separate from parsing cells (see ``source.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from booking_desktop.errors import Problem, ReadError


@dataclass(frozen=True)
class Locations:
    """Where each record came from, without one Python string per record.

    ``template`` has one ``{}`` that receives ``numbers[i]``: ``"line {}"``,
    ``"Bookings!row {}"``, ``"$.data.bookings[{}]"``, ``"/b:export/b:booking[{}]"``.
    """

    template: str
    numbers: np.ndarray  # int64, one per record

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, i: int) -> str:
        return self.template.format(int(self.numbers[i]))

    def take(self, positions: np.ndarray | list[int]) -> Locations:
        return Locations(self.template, self.numbers[np.asarray(positions, dtype=np.int64)])


@dataclass
class SourceInfo:
    path: Path
    format: str  # "csv", "xlsx", "json", "xml", ...
    size: int = 0
    sha256: str = ""  # filled by content_sha256() (not while reading)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based line/row of the header, when there is one
    record_path: str | None = None  # JSON path / XML path of the repeated record
    extra: dict[str, Any] = field(default_factory=dict)
    stat: tuple[int, int] | None = None  # (size, modification time in ns) of the file when it was read

    def content_sha256(self) -> str:
        """sha256 of the file's bytes on disk, computed on first use.

        Reading does not hash (about 0.1 s of CPU per 150 MB, a third of the
        parse); the import engine and the edit journal ask for it.  Raises
        ReadError when the file's size or modification time changed since it was
        read: the hash would then not be that of the rows in hand.
        """
        if not self.sha256:
            from booking_desktop.readers.source import file_sha256

            self.sha256 = file_sha256(Path(self.path), self.stat)
        return self.sha256


@dataclass
class RawTable:
    """Cells as text.

    ``frame``: columns are the source headers (unique, non-blank; duplicates and
    blanks are renamed and reported in ``problems``), values are pandas ``str``
    dtype with missing (empty, NULL, N/A, ...) as NA, index is a RangeIndex.
    Record number of position ``i`` is ``i + 1``.
    """

    frame: pd.DataFrame
    locations: Locations
    source: SourceInfo
    problems: list[Problem] = field(default_factory=list)  # file-level findings (warnings)
    # Every column went through the readers' cleaning (trimmed, null tokens -> NA): set by
    # read_file, so that mapping need not probe each column again.
    cells_clean: bool = False

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def __len__(self) -> int:
        return len(self.frame)


class Reader(Protocol):
    # read-only: a reader's class attributes are tuples of any length
    @property
    def format(self) -> str: ...
    @property
    def extensions(self) -> tuple[str, ...]: ...

    def read(self, path: Path, options: dict[str, Any]) -> RawTable: ...


_REGISTRY: dict[str, Callable[[], Reader]] = {}
_BY_EXTENSION: dict[str, str] = {}


def register(fmt: str, extensions: tuple[str, ...], factory: Callable[[], Reader]) -> None:
    _REGISTRY[fmt] = factory
    for ext in extensions:
        _BY_EXTENSION[ext.lower()] = fmt


def supported_formats() -> list[str]:
    return sorted(_REGISTRY)


def get_reader(fmt: str) -> Reader:
    try:
        return _REGISTRY[fmt]()
    except KeyError:
        raise ReadError(
            Problem(
                code="unsupported-format",
                message=f"unsupported format {fmt!r}; supported: {', '.join(supported_formats())}",
            )
        ) from None


def format_for_path(path: Path) -> str | None:
    return _BY_EXTENSION.get(path.suffix.lower())
