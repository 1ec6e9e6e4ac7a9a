"""Import runs (the ``imports`` collection) and rejected rows (``rejected_rows``).

An import document is the engine's bookmark: which file (sha256, name, size),
which vendor and profile, who and where, status, counts and the position up to
which every record is known to be committed.  Resuming continues from that
position; everything before it is never written twice, and the batch that was
in flight when the process died is replayed idempotently.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pymongo import DESCENDING, WriteConcern
from pymongo.database import Database

from booking_desktop.storage.audit import insert_idempotent, machine, os_user

RUNNING, COMPLETED, INTERRUPTED, FAILED = "running", "completed", "interrupted", "failed"
STALE_AFTER = timedelta(minutes=2)  # a "running" import without a heartbeat this long died with its process
COUNT_NAMES = ("inserted", "updated", "unchanged", "rejected")
# The import's start, resume and end are written journaled (the engine hands these functions a
# database whose write concern says so, ``CommitEngine._durable``): once an import says "completed"
# (or "interrupted"), everything it wrote survives a crash of the server (SecantusDB acknowledges an
# unjournaled write up to about a second before it is on disk; mongod up to 100 ms), because the
# journal is sequential and the batches were written before.  Per-batch bookmarks are not: a crash may
# take the last second of batches back with their bookmark (a consistent prefix), and resuming replays
# them idempotently.  A journaled write per batch cost 10-15 % of the commit on SecantusDB.
JOURNALED = WriteConcern(j=True)


class ResumeError(Exception):
    """The import asked for cannot be resumed (unknown, finished, or another file)."""


@dataclass(frozen=True)
class FileFacts:
    name: str
    path: str
    sha256: str
    size: int
    format: str


def new_import_id() -> str:
    return uuid.uuid4().hex


def plan_digest(keys: list[str | None], rejected: np.ndarray) -> str:
    """Fingerprint of what the import will write, so a resume never mixes two versions of a file."""
    h = hashlib.blake2b(digest_size=16)
    for k in keys:
        h.update((k or "-").encode())
        h.update(b"\x00")
    h.update(np.asarray(rejected, dtype=bool).tobytes())
    return h.hexdigest()


def create(
    db: Database,
    import_id: str,
    file: FileFacts,
    vendor: str,
    profile: str | None,
    records: int,
    batch_size: int,
    digest: str,
    db_user: str | None,
    edited_records: list[int] | None = None,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    doc = {
        "_id": import_id,
        "file_name": file.name,
        "file_path": file.path,
        "file_sha256": file.sha256,
        "file_size": file.size,
        "format": file.format,
        "vendor": vendor,
        "profile": profile,
        "user": os_user(),
        "db_user": db_user,
        "machine": machine(),
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
        "status": RUNNING,
        "records": records,
        "batch_size": batch_size,
        "plan_digest": digest,
        "next_position": 0,
        "counts": dict.fromkeys(COUNT_NAMES, 0),
        "batches_done": 0,
        "resumed": [],
        "error": None,
        # records the operator edited before committing them: if the original file is imported again,
        # their rejected rows are queued as already committed, not open (see batch._mark_already_committed)
        "edited_records": sorted(int(r) for r in edited_records or []),
    }
    db.imports.insert_one(doc)
    return doc


def find_resumable(db: Database, sha256: str, vendor: str, digest: str) -> dict[str, Any] | None:
    """The latest unfinished import of the same file (same content, vendor and plan), if any."""
    stale = datetime.now(UTC) - STALE_AFTER
    query = {
        "file_sha256": sha256,
        "vendor": vendor,
        "plan_digest": digest,
        "status": {"$in": [INTERRUPTED, FAILED, RUNNING]},
    }
    for doc in db.imports.find(query).sort("started_at", DESCENDING).limit(5):
        hb = doc.get("heartbeat_at")
        if doc["status"] != RUNNING or (isinstance(hb, datetime) and _aware(hb) < stale):
            return doc
    return None


def load_for_resume(db: Database, import_id: str, sha256: str, digest: str) -> dict[str, Any]:
    doc = db.imports.find_one({"_id": import_id})
    if doc is None:
        raise ResumeError(f"no import {import_id!r} in this database")
    if doc["status"] == COMPLETED:
        raise ResumeError(f"import {import_id} already completed; nothing to resume")
    if doc["file_sha256"] != sha256:
        raise ResumeError(
            f"import {import_id} was of another file ({doc['file_name']}, sha256 {doc['file_sha256'][:12]}…)"
        )
    if doc.get("plan_digest") != digest:
        raise ResumeError(
            f"import {import_id}: the rows to commit differ from the interrupted run "
            "(other profile, vendor or edits); start a new import instead"
        )
    return doc


# nx-27017 stores a datetime given to $set as a string and a document given to
# $push as a JSON string (docs/STORAGE.md), so import documents are always
# written whole with replace_one; the engine keeps the current one in memory.


def mark_resumed(db: Database, doc: dict[str, Any], session: Any = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    new = {
        **doc,
        "status": RUNNING,
        "heartbeat_at": now,
        "error": None,
        "resumed": [*doc.get("resumed", []), {"at": now, "by": os_user()}],
    }
    db.imports.replace_one({"_id": doc["_id"]}, new, session=session)
    return new


def record_batch(
    db: Database,
    doc: dict[str, Any],
    start: int,
    end: int,
    totals: dict[str, int],
    batch: dict[str, Any],
    session: Any = None,
) -> dict[str, Any]:
    """Advance the bookmark from ``start`` to ``end`` and log the batch in ``import_batches``.

    Idempotent: the replace only applies while the bookmark is still at ``start``
    (a retried request whose first reply was lost changes nothing), and the batch
    entry has a deterministic ``_id``.
    """
    now = datetime.now(UTC)
    entry = {"_id": f"{doc['_id']}:{start}", "import_id": doc["_id"], **batch, "at": now}
    if session is None:
        insert_idempotent(db, "import_batches", [entry])
    elif db.import_batches.find_one({"_id": entry["_id"]}, {"_id": 1}, session=session) is None:
        db.import_batches.insert_one(entry, session=session)
    new = {
        **doc,
        "next_position": end,
        "counts": dict(totals),
        "heartbeat_at": now,
        "batches_done": int(doc.get("batches_done", 0)) + 1,
    }
    db.imports.replace_one({"_id": doc["_id"], "next_position": start}, new, session=session)
    return new


def finish(
    db: Database, doc: dict[str, Any], status: str, error: str | None = None, session: Any = None
) -> dict[str, Any]:
    now = datetime.now(UTC)
    new = {
        **doc,
        "status": status,
        "heartbeat_at": now,
        "error": error,
        "finished_at": now if status in (COMPLETED, FAILED) else None,
    }
    db.imports.replace_one({"_id": doc["_id"]}, new, session=session)
    return new


def batches(db: Database, import_id: str) -> list[dict[str, Any]]:
    """Per-batch progress of an import, in order."""
    return sorted(db.import_batches.find({"import_id": import_id}), key=lambda b: b["first_record"])


def rejected_id(vendor: str, file_sha256: str, record: int) -> str:
    """Import-independent: re-importing or resuming the same file never queues a record twice."""
    key = f"{vendor}\x00{file_sha256}\x00{record}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(key, digest_size=16).hexdigest()


UNENCODABLE = "unencodable_text"  # {UNENCODABLE: json text}: a value that BSON cannot hold, kept reversibly


def storable(value: Any) -> Any:
    """``value`` as something every server stores: text that is not valid Unicode (a lone surrogate,
    e.g. from a JSON ``"\\udcff"`` escape) becomes ``{"unencodable_text": <its JSON escape>}``, which
    :func:`restored` turns back into the same string.  Lists and dicts are walked (their keys
    are our own field names)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return {UNENCODABLE: json.dumps(value)}
        return value
    if isinstance(value, dict):
        return {k: storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def restored(value: Any) -> Any:
    """The inverse of :func:`storable`."""
    if isinstance(value, dict):
        if set(value) == {UNENCODABLE}:
            return json.loads(value[UNENCODABLE])
        return {k: restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restored(v) for v in value]
    return value


def _plain(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def row_dict(frame: pd.DataFrame, position: int) -> dict[str, Any]:
    """One row of a canonical frame as {field: text or None} (the mapped values)."""
    row = frame.iloc[position]
    return {str(k): (None if pd.isna(v) else str(v)) for k, v in row.items()}


def raw_cells(frame: pd.DataFrame, position: int) -> list[dict[str, Any]]:
    """One row of the vendor's own frame as ``[{"column": header, "value": text or None}, ...]`` in the
    file's column order.  A list, not a document keyed by header: a vendor's headers may hold a NUL
    byte, start with ``$``, contain dots (flattened JSON keys) or repeat, and none of that may
    stop the row from being queued or change what the vendor sent."""
    row = frame.iloc[position]
    return [{"column": str(k), "value": None if pd.isna(v) else str(v)} for k, v in row.items()]


def raw_as_dict(cells: list[dict[str, Any]] | dict[str, Any]) -> dict[str, Any]:
    """{header: value} of stored raw cells (the first of repeated headers wins)."""
    if isinstance(cells, dict):  # rows queued by an older version
        return restored(cells)
    out: dict[str, Any] = {}
    for c in restored(cells):
        out.setdefault(c["column"], c["value"])
    return out


def rejected_doc(
    *,
    import_id: str,
    vendor: str,
    file: FileFacts,
    record: int,
    location: str | None,
    raw: list[dict[str, Any]],
    mapped: dict[str, Any],
    errors: list[dict[str, Any]],
    warnings: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {
        "_id": rejected_id(vendor, file.sha256, record),
        "import_id": import_id,
        "vendor": vendor,
        "file_name": file.name,
        "file_sha256": file.sha256,
        "record": int(record),
        "location": storable(location),
        "raw": storable(raw),
        "mapped": storable(mapped),
        "errors": storable(errors),
        "warnings": storable(warnings or []),
        "status": "open",
        "created_at": now,
        "updated_at": now,
    }


def mark_already_committed(doc: dict[str, Any], import_id: str | None, booking_id: str | None) -> None:
    """A rejected-row document (not yet written) whose record is already a booking: queued as resolved."""
    doc["status"] = "resolved"
    doc["resolution"] = "already_committed"
    doc["resolved_by_import"] = import_id
    doc["booking_id"] = booking_id
    doc["status_note"] = (
        f"this record was fixed and committed by import {import_id}; the booking stays as committed"
        if import_id
        else "this record is already committed as a booking"
    )


def problems_by_row(problems: pd.DataFrame, rows: np.ndarray) -> dict[int, tuple[list[dict], list[dict]]]:
    """{0-based row: (errors, warnings)} for the given rows, each as [{field, code, message, value}]."""
    out: dict[int, tuple[list[dict], list[dict]]] = {}
    if len(problems) == 0 or len(rows) == 0:
        return out
    sel = problems[problems["row"].isin(rows)]
    for r, fld, code, sev, val, msg in zip(
        sel["row"].to_numpy(), sel["field"], sel["code"], sel["severity"], sel["value"], sel["message"]
    ):
        errs, warns = out.setdefault(int(r), ([], []))
        item = {"field": _plain(fld), "code": str(code), "message": str(msg), "value": _plain(val)}
        (errs if sev == "error" else warns).append(item)
    return out


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


REJECTED_STATUSES = ("open", "resolved", "discarded")


def set_rejected_status(
    db: Database,
    row_id: str,
    status: str,
    *,
    note: str | None = None,
    db_user: str | None = None,
    session: Any = None,
) -> dict[str, Any]:
    """Mark a rejected row resolved/discarded/open (whole-document replace: see the ``$set`` gap) and audit it."""
    from booking_desktop.storage.audit import log

    if status not in REJECTED_STATUSES:
        raise ValueError(f"status must be one of {', '.join(REJECTED_STATUSES)}")
    doc = db.rejected_rows.find_one({"_id": row_id}, session=session)
    if doc is None:
        raise KeyError(row_id)
    now = datetime.now(UTC)
    new = {**doc, "status": status, "updated_at": now, "status_by": os_user(), "status_note": note}
    from booking_desktop.storage.review_counts import writing

    with writing(db, [doc.get("import_id")], session=session):  # the review queue's counts
        db.rejected_rows.replace_one({"_id": row_id}, new, session=session)
    log(
        db,
        "rejected_row.status",
        {"collection": "rejected_rows", "_id": row_id, "record": doc.get("record")},
        db_user=db_user,
        before={"status": doc.get("status")},
        after={"status": status},
        note=note,
        session=session,
    )
    return new


HISTORY_FIELDS = ("file_name", "vendor", "profile", "status", "records", "counts", "started_at", "finished_at", "user")


def last_import_of(db: Database, sha256: str) -> dict[str, Any] | None:
    """The latest import of the file with this content (any vendor, any status), or None
    (index ``file_vendor`` starts with ``file_sha256``)."""
    projection = dict.fromkeys((*HISTORY_FIELDS, "db_user", "machine", "file_sha256", "error"), 1)
    found = list(db.imports.find({"file_sha256": sha256}, projection).sort("started_at", DESCENDING).limit(1))
    return found[0] if found else None


def history(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The latest imports, newest first (index ``started_at``)."""
    projection = dict.fromkeys(HISTORY_FIELDS, 1)
    return list(db.imports.find({}, projection).sort("started_at", DESCENDING).limit(limit))
