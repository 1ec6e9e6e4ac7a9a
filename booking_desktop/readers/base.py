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


@dataclass(frozen=True)
class MixedLocations(Locations):
    """Records whose places follow several templates: the reservations of a batch of OTA messages
    (``a.zip!res_001.xml /OTA_HotelResNotifRQ/…/HotelReservation[{}]``) or the rooms of one
    reservation.  ``which[i]`` picks the template of record ``i``; ``template`` is the first one."""

    templates: tuple[str, ...] = ()
    which: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __getitem__(self, i: int) -> str:
        return self.templates[int(self.which[i])].format(int(self.numbers[i]))

    def take(self, positions: np.ndarray | list[int]) -> Locations:
        pos = np.asarray(positions, dtype=np.int64)
        return MixedLocations(self.template, self.numbers[pos], self.templates, self.which[pos])


def build_locations(places: list[tuple[str, int]]) -> Locations:
    """Locations from ``(template, number)`` per record: plain when they share one template."""
    templates: dict[str, int] = {}
    which = np.fromiter((templates.setdefault(t, len(templates)) for t, _ in places), np.int64, len(places))
    numbers = np.fromiter((n for _, n in places), np.int64, len(places))
    if len(templates) <= 1:
        return Locations(next(iter(templates), "{}"), numbers)
    names = tuple(templates)
    return MixedLocations(names[0], numbers, names, which)


@dataclass
class SourceInfo:
    path: Path
    format: str  # "csv", "xlsx", "json", "xml", ...
    size: int = 0
    sha256: str = ""  # of the bytes read; filled by content_sha256()
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based line/row of the header, when there is one
    record_path: str | None = None  # JSON path / XML path of the repeated record
    extra: dict[str, Any] = field(default_factory=dict)
    stat: tuple[int, int] | None = None  # (size, modification time in ns) of the file when it was read
    hash_job: Any = field(default=None, repr=False, compare=False)  # readers.source.HashJob of the bytes read

    def content_sha256(self) -> str:
        """sha256 of the bytes that were read (hashed on a thread while they were parsed), so an
        import records the hash of the content it imports, whatever happens to the file later.

        Without a hash of the bytes read (a SourceInfo made by hand) the file on disk is hashed,
        refused with ReadError ``file-changed`` when its size or modification time changed.
        """
        if not self.sha256:
            if self.hash_job is not None:
                self.sha256 = self.hash_job.result()
            else:
                from booking_desktop.readers.source import file_sha256

                self.sha256 = file_sha256(Path(self.path), self.stat)
        return self.sha256

    def check_unchanged(self) -> None:
        """Raise ReadError ``file-changed`` when the file on disk no longer holds the bytes that were
        read — compared by content, so an edit that keeps the size and restores the modification
        time is noticed too.  A file that is gone is not a change: the rows in hand are still
        exactly the content whose hash the import records."""
        from booking_desktop.readers.source import changed_on_disk, file_sha256

        read = self.content_sha256()
        path = Path(self.path)
        if not path.is_file():
            return
        try:
            now = file_sha256(path)
        except ReadError:
            return
        if now != read:
            raise changed_on_disk(path, path.name)


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
