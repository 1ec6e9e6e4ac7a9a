"""The append-only audit log: when, who, action, target, before/after.

Entries written by the commit engine have deterministic ``_id`` s (import id +
booking id) so that replaying a batch after a crash never logs a change twice.
"""

from __future__ import annotations

import getpass
import hashlib
import socket
from datetime import UTC, datetime
from typing import Any

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo.database import Database
from pymongo.errors import BulkWriteError

DUPLICATE_KEY = 11000


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry / no login name (containers)
        return "unknown"


def machine() -> str:
    return socket.gethostname()


def audit_id(*parts: str) -> str:
    return hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()


def entry(
    action: str,
    target: dict[str, Any],
    *,
    db_user: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    entry_id: str | None = None,
    when: datetime | None = None,
    **extra: Any,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "at": when or datetime.now(UTC),
        "who": {"os_user": os_user(), "db_user": db_user, "machine": machine()},
        "action": action,
        "target": target,
    }
    if before is not None:
        doc["before"] = before
    if after is not None:
        doc["after"] = after
    if entry_id is not None:
        doc["_id"] = entry_id
    doc.update(extra)
    return doc


def insert_idempotent(db: Database, collection: str, docs: list[dict[str, Any]]) -> int:
    """insert_many(ordered=False) that treats an existing ``_id`` as already written.

    Returns how many were new.  Any other write error is raised.
    """
    if not docs:
        return 0
    try:
        return len(db[collection].insert_many(docs, ordered=False).inserted_ids)
    except BulkWriteError as exc:
        others = [e for e in exc.details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
        if others:
            raise
        return int(exc.details.get("nInserted", 0))


def log(db: Database, action: str, target: dict[str, Any], *, session: Any = None, **kw: Any) -> None:
    """Append one audit entry (for actions outside the engine: resolve a rejected row, remove a connection...)."""
    db.audit_log.insert_one(entry(action, target, **kw), session=session)
