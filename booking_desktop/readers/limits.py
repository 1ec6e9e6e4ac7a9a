"""Limits that keep a hostile file from taking all memory, in one place.

Each limit is checked while the bytes stream (decompressed sizes are counted
block by block, before the bytes are held), and the refusal names the limit:
``"inflates past 2 GB (limit)"``.  Tests lower them with :func:`overridden`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields


@dataclass
class Limits:
    #: bytes of a file on disk (the whole file is read into memory)
    file_bytes: int = 2_000_000_000
    #: decompressed bytes of a .gz/.bz2/.xz file (all its members) or of one zip member
    inflated_bytes: int = 2_000_000_000
    #: decompressed bytes of every part of an XLSX/ODS workbook together (its cells are held as
    #: Python objects, several times the XML's size)
    workbook_inflated_bytes: int = 1_000_000_000
    #: cells of an XLSX's sheets together (counted in the XML while it streams): calamine and
    #: Python hold 60-100 bytes per cell, and the densest XML spends 15 bytes on one
    workbook_cells: int = 25_000_000
    #: members of a zip archive (an XLSX/ODS is one too)
    zip_members: int = 10_000
    #: names a message lists before "…"
    names_listed: int = 5


LIMITS = Limits()


@contextmanager
def overridden(**values: int) -> Iterator[Limits]:
    """``with overridden(inflated_bytes=1_000_000): ...`` (tests); the old values come back after."""
    names = {f.name for f in fields(Limits)}
    unknown = set(values) - names
    if unknown:
        raise TypeError(f"unknown limit(s): {', '.join(sorted(unknown))}")
    old = {k: getattr(LIMITS, k) for k in values}
    for k, v in values.items():
        setattr(LIMITS, k, int(v))
    try:
        yield LIMITS
    finally:
        for k, v in old.items():
            setattr(LIMITS, k, v)


def size_text(n: int) -> str:
    """``2 GB``, ``1.5 MB``, ``900 bytes`` (decimal units, as file managers show them)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:,} bytes"


def names_text(names: list[str], limit: int | None = None) -> str:
    """At most ``names_listed`` names: ``a.csv, b.csv, …`` (a message stays one short line)."""
    limit = LIMITS.names_listed if limit is None else limit
    shown = [_short(n) for n in names[:limit]]
    more = ", …" if len(names) > limit else ""
    return ", ".join(shown) + more if shown else "none"


def _short(name: str, width: int = 80) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"
