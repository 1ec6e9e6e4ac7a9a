"""Resubmit: queued rows that are valid now go through the commit engine, exactly once.

1. **claim** each row (a conditional replace on its version: a row another supervisor changed
   meanwhile is reported as a conflict, and the others' actions on a claimed row are refused);
2. re-validate the rows of each import together (review_check.py): still invalid → the claim is
   released and the errors stored; the row's own reference committed meanwhile from another record
   → resolved as ``superseded``, nothing inserted;
3. the valid rows, as a PipelineResult of their file (same sha256, record numbers and locations),
   through :class:`~booking_desktop.storage.engine.CommitEngine` — a new import record whose
   ``edited_records`` are these records, so that importing the original file again queues them as
   already committed;
4. each row whose booking now exists from this very record is ``resolved`` with its booking id and
   the import; one audit entry per row.

Interrupted anywhere, a second resubmit of the same rows inserts nothing twice: booking ids are
deterministic, the engine recognises a booking it wrote from the same record, and a claimed row is
taken over by the next resubmit (only a resubmit may act on a claimed row).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from booking_desktop.errors import ProblemTable
from booking_desktop.readers.base import Locations, RawTable, SourceInfo
from booking_desktop.storage.imports import restored
from booking_desktop.storage.mapper import booking_key
from booking_desktop.storage.review import (
    OPEN,
    RESOLVED,
    RefusedError,
    ReviewFilter,
    _changed,
)
from booking_desktop.storage.review_check import CheckedRows, check_rows

CLAIM_CHUNK = 500

if TYPE_CHECKING:
    from booking_desktop.pipeline import PipelineResult
    from booking_desktop.storage.review import ReviewQueue


@dataclass
class ResubmitSummary:
    resubmitted: int = 0  # rows resolved by this resubmit (committed or superseded)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    still_invalid: int = 0
    conflicts: int = 0
    not_committed: int = 0  # valid, but the engine did not commit them (interrupted, refused)
    imports: list[str] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)  # id -> outcome
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class QueuedSource(SourceInfo):
    """The source of resubmitted rows: their file's identity, without the file (it may be gone or
    changed since; the rows come from the queue, not from it)."""

    def check_unchanged(self) -> None:
        return None


class StoredLocations(Locations):
    """Locations as the queue stored them (one text per row)."""

    def __init__(self, texts: list[str]):
        object.__setattr__(self, "template", "{}")
        object.__setattr__(self, "numbers", np.arange(len(texts), dtype=np.int64))
        object.__setattr__(self, "texts", texts)

    def __getitem__(self, i: int) -> str:
        return self.texts[int(i)]  # type: ignore[attr-defined]

    def take(self, positions: Any) -> Locations:
        return StoredLocations([self.texts[int(p)] for p in np.asarray(positions).tolist()])  # type: ignore[attr-defined]


def resubmit(queue: ReviewQueue, ids: list[str] | None, flt: ReviewFilter | None, *,
             cancelled: Any = None, batch_size: int | None = None) -> ResubmitSummary:
    if ids:
        docs = queue._get_many(list(dict.fromkeys(ids)))
        for d in docs:
            if d.get("status", OPEN) != OPEN:
                raise RefusedError(f"row {d['_id']} is {d.get('status')}; only open rows can be resubmitted")
    else:
        base = flt or ReviewFilter()
        docs = list(queue.iter_rows(ReviewFilter(**{**asdict(base), "status": OPEN, "valid": True})))
    queue.authorize("resubmit", [d["_id"] for d in docs])
    out = ResubmitSummary()
    token = uuid.uuid4().hex
    claimed = []
    claim = {"token": token, "at": datetime.now(UTC), "os_user": _os_user(), "db_user": queue.db_user}
    for i in range(0, len(docs), CLAIM_CHUNK):  # one conditional write per chunk
        part = docs[i : i + CLAIM_CHUNK]
        written = queue._replace_many([(d, {**d, "claim": claim}) for d in part], None)
        for d in part:
            if d["_id"] in written:
                claimed.append(written[d["_id"]])
            else:
                out.conflicts += 1
                out.rows[d["_id"]] = "conflict"
                out.errors.append(_changed(d))
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in claimed:
        groups.setdefault(f"{d.get('import_id')}\x00{d.get('file_sha256')}", []).append(d)
    for group in groups.values():
        _resubmit_group(queue, group, out, cancelled, batch_size)
    return out


def _os_user() -> str:
    from booking_desktop.storage.audit import os_user

    return os_user()


def _release(queue: ReviewQueue, doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    new = {k: v for k, v in doc.items() if k != "claim"}
    return queue._replace(doc, {**new, **changes}, None)


def _resubmit_group(queue: ReviewQueue, docs: list[dict[str, Any]], out: ResubmitSummary, cancelled: Any,
                    batch_size: int | None) -> None:
    rules, rules_from = queue.rules.rules(docs[0].get("import_id"))
    checked = check_rows(queue.db, docs, rules, rules_from)
    commit: list[int] = []
    for p, (d, check) in enumerate(zip(docs, checked.checks)):
        if not check.valid:
            _release(queue, d, errors=check.errors, warnings=check.warnings, valid=False, rules_from=rules_from)
            out.still_invalid += 1
            out.rows[d["_id"]] = "still_invalid"
        elif check.superseded:
            booking = check.existing or {}
            _resolve(queue, d, "superseded", booking["_id"], None, booking.get("source"))
            out.superseded += 1
            out.resubmitted += 1
            out.rows[d["_id"]] = "superseded"
        else:
            commit.append(p)
    if not commit:
        return
    result = _pipeline_result(docs, checked, commit)
    engine = queue.engine_factory() if queue.engine_factory else _engine(queue, batch_size)
    kw = {"cancelled": cancelled} if cancelled else {}
    summary = engine.run(result, **kw)
    out.imports.append(summary.import_id)
    out.inserted += summary.inserted
    out.updated += summary.updated
    out.unchanged += summary.unchanged
    if summary.error:
        out.errors.append(f"import {summary.import_id}: {summary.error}")
    rows = [docs[p] for p in commit]
    keys = [booking_key(str(checked.text.at[p, "vendor"]), str(checked.text.at[p, "booking_ref"])) for p in commit]
    stored = {b["_id"]: b for b in queue.db.bookings.find({"_id": {"$in": keys}}, {"source": 1})}
    for d, key in zip(rows, keys):
        src = (stored.get(key) or {}).get("source") or {}
        if src.get("file_sha256") == d.get("file_sha256") and src.get("record") == d.get("record"):
            _resolve(queue, d, "resubmitted", key, src.get("import_id"), src)
            out.resubmitted += 1
            out.rows[d["_id"]] = "resubmitted"
        else:  # interrupted or refused: stays claimed, so that only a resubmit takes it up again
            out.not_committed += 1
            out.rows[d["_id"]] = "not_committed"


def _resolve(queue: ReviewQueue, doc: dict[str, Any], how: str, booking_id: str, import_id: str | None,
             source: dict[str, Any] | None) -> None:
    new = {k: v for k, v in doc.items() if k != "claim"}
    note = (f"resubmitted: committed as booking {booking_id} by import {import_id}" if how == "resubmitted" else
            f"superseded: booking {booking_id} was committed meanwhile from "
            f"{(source or {}).get('file_name', 'another import')} record {(source or {}).get('record', '?')}")
    new.update(status=RESOLVED, resolution=how, booking_id=booking_id, resolved_by_import=import_id,
               status_note=note, valid=True, errors=[], resolved=queue._stamp())
    queue._replace(doc, new, None)
    queue._audit("rejected_row.resubmit", doc, {"status": doc.get("status", OPEN)},
                 {"status": RESOLVED, "resolution": how, "booking_id": booking_id}, import_id=import_id, note=note)


def _engine(queue: ReviewQueue, batch_size: int | None) -> Any:
    from booking_desktop.storage.engine import CommitEngine

    if batch_size:
        return CommitEngine(queue.db, db_user=queue.db_user, batch_size=batch_size)
    return CommitEngine(queue.db, db_user=queue.db_user)


def _pipeline_result(docs: list[dict[str, Any]], checked: CheckedRows, commit: list[int]) -> PipelineResult:
    """The rows to commit as the result of reading their file: its name and sha256, their record
    numbers and locations, the vendor's raw cells."""
    from booking_desktop.pipeline import PipelineResult

    first = docs[commit[0]]
    pos = np.asarray(commit, dtype=np.int64)
    text = checked.text.iloc[pos].reset_index(drop=True)
    typed = checked.typed.iloc[pos].reset_index(drop=True)
    raw_rows = [restored(docs[p].get("raw") or []) for p in commit]
    raw = pd.DataFrame([_raw_dict(r) for r in raw_rows]).astype("str") if raw_rows else pd.DataFrame()
    source = QueuedSource(path=Path(first.get("file_name") or "queued-rows"), format="queue",
                          size=0, sha256=str(first.get("file_sha256") or ""))
    locations = StoredLocations([str(restored(docs[p].get("location")) or "") for p in commit])
    records = np.asarray([int(docs[p]["record"]) for p in commit], dtype=np.int64)
    vendor = str(first.get("vendor") or "") or None
    return PipelineResult(
        raw=RawTable(frame=raw.reset_index(drop=True), locations=locations, source=source),
        text=text,
        typed=typed,
        problems=ProblemTable(),
        error_rows=np.zeros(len(commit), dtype=bool),
        vendor=vendor,
        profile=None,
        mapping={},
        record_numbers=records,
        edited_records=records,
    )


def _raw_dict(cells: Any) -> dict[str, Any]:
    if isinstance(cells, dict):
        return cells
    out: dict[str, Any] = {}
    for c in cells:
        out.setdefault(str(c.get("column")), c.get("value"))
    return out
