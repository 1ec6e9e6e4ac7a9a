"""What the commit panel says, in words whose numbers add up (Qt-free, tested on its own).

A summary names every outcome that happened and the records they add up to: "28 inserted,
4 rejected of 32 records"; updated, unchanged and skipped duplicates (later copies of a booking
that appears earlier in the file, queued as rejected rows with ``duplicate_ref``) are named when
there are any.  A commit that stopped says how far it got and how many records it did not reach,
so that what it did and what it did not add up to the file's records as well.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def duration(seconds: float) -> str:
    """A short human duration: 45 s, 7 min 40 s, 1 h 5 min."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s" if s % 60 else f"{s // 60} min"
    return f"{s // 3600} h {(s % 3600) // 60} min"


def time_left(done: int, total: int, rate: float) -> str:
    if done >= total:
        return "finishing"
    if rate <= 0:
        return "time left unknown"
    return f"about {duration((total - done) / rate)} left"


def outcome_parts(inserted: int, updated: int, unchanged: int, rejected: int, duplicates: int) -> list[str]:
    """The outcomes as phrases; ``rejected`` includes the ``duplicates``, which are named apart."""
    parts = [f"{inserted:,} inserted"]
    if updated:
        parts.append(f"{updated:,} updated")
    if unchanged:
        parts.append(f"{unchanged:,} unchanged")
    if rejected - duplicates or not duplicates:
        parts.append(f"{rejected - duplicates:,} rejected")
    if duplicates:
        parts.append(plural(duplicates, "skipped duplicate"))
    return parts


def summary_words(summary: Any, duplicates: int = 0) -> str:
    """One paragraph for the engine's ``CommitSummary`` (``duplicates``: of its rejected rows)."""
    done = int(summary.inserted + summary.updated + summary.unchanged + summary.rejected)
    records = int(summary.records)
    parts = ", ".join(outcome_parts(summary.inserted, summary.updated, summary.unchanged, summary.rejected, duplicates))
    if summary.status == "completed":
        text = f"Committed in {duration(summary.seconds)}: {parts} of {plural(records, 'record')}."
        if summary.resumed:
            text += " An earlier interrupted import of this file was resumed; its counts are included."
        return text
    left = records - done
    if summary.status == "interrupted":
        cancelled = (summary.error or "") == "cancelled by the user"
        head = "Cancelled" if cancelled else f"Interrupted ({summary.error or 'stopped'})"
        return (
            f"{head} after {done:,} of {plural(records, 'record')}: {parts}; "
            f"{left:,} not committed. What was written stays written: commit the same file again "
            "to resume where it stopped."
        )
    return (
        f"The commit failed: {summary.error or 'unknown error'}. Before that, {done:,} of "
        f"{plural(records, 'record')}: {parts}; {left:,} not committed."
    )


def progress_words(p: Any) -> str:
    """A running commit (``CommitProgress``): how far, how fast, how long still."""
    return (
        f"{p.records_done:,} of {plural(p.records, 'record')} · {p.rate:,.0f} rows/s · "
        f"{time_left(p.records_done, p.records, p.rate)}"
    )


def progress_counts(p: Any) -> str:
    return ", ".join(outcome_parts(p.inserted, p.updated, p.unchanged, p.rejected, 0)) + " so far"


def preview_words(p: Any, records: int) -> str:
    """The preview's look-up (``PreviewProgress``)."""
    if p.stage == "planning":
        if not p.total:
            return f"Preparing {plural(records, 'record')} (booking keys)…"
        return (
            f"Preparing {plural(records, 'record')} (booking contents): {p.done:,} of {p.total:,} · "
            f"{p.rate:,.0f} rows/s · {time_left(p.done, p.total, p.rate)}"
        )
    return (
        f"Looking up which bookings already exist: {p.done:,} of {p.total:,} · {p.rate:,.0f} rows/s · "
        f"{time_left(p.done, p.total, p.rate)}"
    )


def preview_result_words(preview: Any) -> str:
    writes = preview.new + preview.changed
    if writes:
        return (
            f"{plural(preview.records, 'record')}. Committing will write {plural(writes, 'booking')}; "
            "nothing is written until you press Commit."
        )
    return (
        f"{plural(preview.records, 'record')}. Every valid booking is already in the database unchanged: "
        "committing records the import and queues the rejected rows, and inserts nothing."
    )


def local_time(dt: Any) -> str:
    """A stored (UTC) time in the computer's local time, with its zone."""
    if not isinstance(dt, datetime):
        return ""
    if dt.tzinfo is None:  # pymongo returns naive UTC unless tz_aware
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def who(doc: dict[str, Any]) -> str:
    user, machine, db_user = doc.get("user"), doc.get("machine"), doc.get("db_user")
    text = str(user or "unknown user") + (f" on {machine}" if machine else "")
    return text + (f" (database user {db_user})" if db_user else "")


def last_import_notice(doc: dict[str, Any]) -> str:
    """The "already imported" note of a file opened again: when, outcome, by whom."""
    counts = doc.get("counts") or {}
    c = {k: int(counts.get(k, 0)) for k in ("inserted", "updated", "unchanged", "rejected")}
    parts = ", ".join(outcome_parts(c["inserted"], c["updated"], c["unchanged"], c["rejected"], 0))
    status = str(doc.get("status") or "")
    state = "" if status == "completed" else f" ({status}, not completed)"
    return (
        f"This file was already imported on {local_time(doc.get('started_at'))} by {who(doc)}{state}: "
        f"{parts} of {plural(int(doc.get('records') or 0), 'record')}. "
        "Committing it again inserts only what is new or changed."
    )
