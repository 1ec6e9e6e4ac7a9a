"""Append-only journal of a session's edits, so a crash or a kill loses nothing.

One JSON object per line in ``<user data dir>/journal/<sha256 of the file>.jsonl``.
The first line is a header (which file, which profile); every following line
is one command exactly as the operator issued it (``cells``, ``delete``,
``restore``, ``remap``, ``undo``, ``redo``).  Replaying the commands on a
fresh session of the same file reproduces the text frame, the deleted rows
and the undo history exactly.  Each line is flushed and fsynced before the
edit returns: a journal is only useful if it survives the process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from booking_desktop import paths

log = logging.getLogger(__name__)

JOURNAL_VERSION = 1


def default_journal_dir() -> Path:
    return paths.journal_dir()


@dataclass(frozen=True)
class PendingJournal:
    """A journal left behind by a session that did not close cleanly."""

    path: Path
    source: Path
    sha256: str
    commands: int
    created: str
    header: dict[str, Any]
    kept_at: str = ""  # set when the operator chose "Keep for later" (not a crash)

    @property
    def kept(self) -> bool:
        return bool(self.kept_at)

    @property
    def source_exists(self) -> bool:
        return self.source.is_file()


class Journal:
    def __init__(self, path: Path, header: dict[str, Any]):
        self.path = Path(path)
        self.header = header
        self._header_written = self.path.exists() and self.path.stat().st_size > 0

    @classmethod
    def for_file(
        cls,
        source: Path,
        sha256: str,
        directory: Path | None = None,
        **header: Any,
    ) -> Journal:
        directory = Path(directory) if directory is not None else default_journal_dir()
        head = {
            "type": "header",
            "version": JOURNAL_VERSION,
            "source": str(Path(source).resolve()),
            "sha256": sha256,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            **header,
        }
        return cls(directory / f"{sha256}.jsonl", head)

    @classmethod
    def open_existing(cls, path: Path) -> Journal:
        records = read_records(path)
        header = records[0] if records and records[0].get("type") == "header" else {}
        return cls(path, header)

    # -- writing -------------------------------------------------------------
    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = []
        if not self._header_written:
            lines.append(json.dumps(self.header, ensure_ascii=False))
        lines.append(json.dumps(record, ensure_ascii=False, default=_json_default))
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        self._header_written = True

    def mark_kept(self) -> None:
        """The operator closed the file and kept the edits for later (so it was not a crash)."""
        if self._header_written:
            self.append({"type": "kept", "at": datetime.now(UTC).isoformat(timespec="seconds")})

    def discard(self) -> None:
        """The edits were committed or deliberately dropped: forget them."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._header_written = False

    # -- reading -------------------------------------------------------------
    def commands(self) -> list[dict[str, Any]]:
        return [r for r in read_records(self.path) if r.get("type") != "header" and r.get("op")]


def read_records(path: Path) -> list[dict[str, Any]]:
    """All complete records; a torn last line (killed mid-write) is ignored."""
    out: list[dict[str, Any]] = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return out
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            log.warning("journal %s: ignoring unreadable line %d", path, n)
    return out


def pending_journals(directory: Path | None = None) -> list[PendingJournal]:
    """Journals with at least one command, newest first."""
    directory = Path(directory) if directory is not None else default_journal_dir()
    found: list[PendingJournal] = []
    if not directory.is_dir():
        return found
    for p in directory.glob("*.jsonl"):
        records = read_records(p)
        if not records or records[0].get("type") != "header":
            continue
        header = records[0]
        n = sum(1 for r in records[1:] if r.get("op"))
        if n == 0:
            continue
        # kept for later when the last record says so (an edit after an earlier "keep" is a new session)
        kept_at = str(records[-1].get("at", "")) if records[-1].get("type") == "kept" else ""
        found.append(
            PendingJournal(
                path=p,
                source=Path(header.get("source", "")),
                sha256=str(header.get("sha256", "")),
                commands=n,
                created=str(header.get("created", "")),
                header=header,
                kept_at=kept_at,
            )
        )
    found.sort(key=lambda j: j.path.stat().st_mtime, reverse=True)
    return found


def _json_default(obj: Any) -> Any:
    try:
        import numpy as np

        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")
