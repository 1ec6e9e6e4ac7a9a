"""Opening a file for editing, Qt-free: pipeline -> session -> grid data (-> journal replay).

:func:`load_session` is a generator of :class:`~booking_desktop.pipeline.Progress` whose return
value is a :class:`Loaded`; the GUI drives it on a worker thread, the CLI or a test can drive it
with :func:`booking_desktop.generators.drive`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booking_desktop.grid.cells import GridData, build_grid_data
from booking_desktop.pipeline import Progress
from booking_desktop.session.journal import Journal, PendingJournal, pending_journals
from booking_desktop.session.work_session import WorkSession


@dataclass
class Loaded:
    """What opening a file produced: the session, its grid data, and what happened to older edits."""

    session: WorkSession
    data: GridData
    replayed: int = 0
    restore_problem: str = ""
    pending: PendingJournal | None = None  # an older journal of the same file, not yet restored

    def restore_pending(self) -> None:
        """Replay the older journal found for this file (the operator said yes)."""
        assert self.pending is not None
        self.session.replay(Journal.open_existing(self.pending.path).commands())
        self.replayed = self.pending.commands
        self.data = build_grid_data(self.session)

    def notes(self) -> list[str]:
        """What the operator should read about this file, most important first."""
        result = self.session.result
        notes = [str(p) for p in result.file_problems]
        if self.restore_problem:
            notes.insert(0, self.restore_problem)
        if self.replayed:
            notes.insert(0, f"Restored {self.replayed} unsaved change(s) from the last session.")
        if result.profile is None:
            notes.insert(
                0, "No vendor profile matches these headers: review the suggested mapping in the Mapping panel."
            )
        return notes


def load_session(
    path: Path,
    profile: Any = None,
    profiles_dir: Path | None = None,
    journal_dir: Path | None = None,
    restore: PendingJournal | None = None,
    pipeline_run: Any = None,
    cancelled: Callable[[], bool] = bool,
    vendor: str | None = None,
) -> Generator[Progress, None, Loaded]:
    """Read, map and validate ``path``, then make the editing session (replaying ``restore``).
    ``vendor`` is the vendor the operator named (``pipeline.run``'s, it wins over any profile's)."""
    if pipeline_run is None:
        from booking_desktop.pipeline import run as pipeline_run
    result = yield from pipeline_run(
        path, profile=profile, vendor=vendor, profiles_dir=profiles_dir, cancelled=cancelled
    )
    yield Progress("grid", 3, 4, "preparing the grid")
    session = WorkSession.from_result(result)
    sha = session.source_sha256()
    loaded = Loaded(session, build_grid_data(session))
    if restore is not None:
        if restore.sha256 != sha:
            loaded.restore_problem = (
                f"{path.name} has changed since the edits were made, so they cannot be restored exactly. "
                "The file was opened without them."
            )
        else:
            loaded.replayed = session.replay(Journal.open_existing(restore.path).commands())
            loaded.data = build_grid_data(session)
    else:
        loaded.pending = next((p for p in pending_journals(journal_dir) if p.sha256 == sha), None)
    session.attach_journal(journal_dir)
    return loaded
