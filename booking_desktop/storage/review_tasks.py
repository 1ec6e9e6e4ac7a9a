"""The review queue's work as the Review page runs it on workers: each task opens a connection to the
target, does one thing with a :class:`~booking_desktop.storage.review.ReviewQueue` and closes it.
Qt-free.  A refused or conflicting action is an :class:`Outcome` (a value), never an exception the
page has to catch: the page shows ``message`` and, on a conflict, the row as it is now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from booking_desktop.storage.review import (
    PAGE,
    ConflictError,
    Page,
    ReviewError,
    ReviewFilter,
    ReviewQueue,
)


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    value: Any = None
    conflict: bool = False
    row: dict[str, Any] | None = None  # on a conflict: the row as the other supervisor left it


@dataclass
class QueueStats:
    total: int
    counts: list[dict[str, Any]] = field(default_factory=list)  # [{vendor, code, rows}], most first


def target_of(target: Any, local: Any) -> Any:
    return local.target() if target is None else target


def on_queue(target: Any, local: Any, task: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Run ``task(queue, *args, **kw)`` on a fresh connection to ``target`` (None: the local database)."""
    from booking_desktop.storage.connection import open_connection

    conn = open_connection(target_of(target, local), indexes=False)
    try:
        queue = ReviewQueue(conn.db, db_user=conn.db_user, engine_factory=conn.engine)
        return task(queue, *args, **kw)
    finally:
        conn.close()


def read_page(queue: ReviewQueue, flt: ReviewFilter, after: str | None = None, limit: int = PAGE) -> Page:
    return queue.page(flt, limit=limit, after=after)


def read_stats(queue: ReviewQueue, flt: ReviewFilter) -> QueueStats:
    """How many rows match ``flt`` and the counts by vendor and code (of every status the filter
    takes, without its vendor and code: the panel lists what one click can filter on)."""
    wide = queue.with_filter(flt, vendor=None, code=None, field=None)
    return QueueStats(queue.count(flt), queue.counts(wide))


def _attempt(action: Callable[[], Any], row_id: str | None, queue: ReviewQueue) -> Outcome:
    try:
        return Outcome(True, value=action())
    except ConflictError as exc:
        row = None
        if row_id is not None:
            try:
                row = queue.show(row_id)
            except ReviewError:
                row = None
        return Outcome(False, str(exc), conflict=True, row=row)
    except ReviewError as exc:
        return Outcome(False, str(exc))


def fix(queue: ReviewQueue, row_id: str, changes: dict[str, str | None], expected: int | None) -> Outcome:
    """Store ``changes``; ``value`` is the row re-validated (as ``ReviewQueue.show`` gives it)."""
    return _attempt(lambda: queue.fix(row_id, changes, expected=expected), row_id, queue)


def show(queue: ReviewQueue, row_id: str) -> Outcome:
    return _attempt(lambda: queue.show(row_id), None, queue)


def act(queue: ReviewQueue, action: str, ids: list[str], expected: dict[str, int] | None = None,
        flt: ReviewFilter | None = None, **kw: Any) -> Outcome:
    """``discard`` (reason, text), ``reopen``, ``assign`` (user) or ``resubmit`` on rows ``ids``
    (``resubmit`` without ids: every valid open row ``flt`` matches)."""
    if action == "discard":
        return _attempt(lambda: queue.discard(ids, kw["reason"], kw.get("text"), expected=expected), None, queue)
    if action == "reopen":
        return _attempt(lambda: queue.reopen(ids, expected=expected), None, queue)
    if action == "assign":
        return _attempt(lambda: queue.assign(ids, kw.get("user"), expected=expected), None, queue)
    if action == "resubmit":
        return _attempt(lambda: queue.resubmit(ids or None, None if ids else (flt or ReviewFilter())), None, queue)
    raise ValueError(f"unknown review action {action!r}")


def export(queue: ReviewQueue, flt: ReviewFilter, out: Path) -> Outcome:
    """The vendor's error report of the rows ``flt`` matches (XLSX or CSV by ``out``'s suffix)."""
    from booking_desktop.review_export import export_report

    return _attempt(lambda: export_report(queue, flt, out), None, queue)


def plan_bulk(queue: ReviewQueue, op: Any, ids: list[str] | None, flt: ReviewFilter | None) -> Outcome:
    """What a bulk fix would change (``value``: a ``BulkPlan``); nothing is written."""
    from booking_desktop.storage import review_bulk

    return _attempt(lambda: review_bulk.plan_bulk(queue, op, ids=ids, flt=flt), None, queue)


def apply_bulk(queue: ReviewQueue, op: Any, ids: list[str] | None, flt: ReviewFilter | None,
               expected: dict[str, int] | None = None) -> Outcome:
    """Apply a bulk fix as one step (``value``: a ``BulkResult`` with its ``bulk_id``)."""
    from booking_desktop.storage import review_bulk

    return _attempt(lambda: review_bulk.apply_bulk(queue, op, ids=ids, flt=flt, expected=expected), None, queue)


def undo_bulk(queue: ReviewQueue, bulk_id: str) -> Outcome:
    from booking_desktop.storage import review_bulk

    return _attempt(lambda: review_bulk.undo_bulk(queue, bulk_id), None, queue)
