"""The Qt-free editing session: one open file, undoable edits, a crash journal."""

from booking_desktop.session.engine import CoreEngine, Engine, Revalidated
from booking_desktop.session.journal import Journal, PendingJournal, default_journal_dir, pending_journals
from booking_desktop.session.work_session import RemapPlan, WorkSession, normalize_input

__all__ = [
    "CoreEngine",
    "Engine",
    "Journal",
    "PendingJournal",
    "RemapPlan",
    "Revalidated",
    "WorkSession",
    "default_journal_dir",
    "normalize_input",
    "pending_journals",
]
