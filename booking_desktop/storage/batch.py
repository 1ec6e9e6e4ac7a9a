"""The writes of one batch: bookings (probe / look-up, insert, compare, replace),
the audit entries of changed bookings, and the batch's rejected rows.

A mixin of :class:`~booking_desktop.storage.engine.CommitEngine` (split out to keep
both modules readable): it uses the engine's ``db``, ``mapper``, ``db_user`` and
prepared documents.  Every write here is idempotent; see engine.py for why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from pymongo import ReplaceOne
from pymongo.errors import BulkWriteError

from booking_desktop.storage import imports as imp
from booking_desktop.storage.audit import DUPLICATE_KEY, audit_id, entry, insert_idempotent
from booking_desktop.storage.mapper import SourceRef

LOOKUP_CHUNK = 2000
PROBE_KEYS = 16


@dataclass
class Plan:
    """What the engine will do with each row, fixed before anything is written."""

    n: int
    keys: list[str | None]  # None for rejected rows
    rejected: np.ndarray  # bool: validation error or duplicate within the file
    duplicate_of: dict[int, int] = field(default_factory=dict)  # position -> earlier position
    vendor: str = ""
    row_vendor: np.ndarray | None = None


class ConcurrentInsert(Exception):
    """A concurrent writer inserted one of our keys inside a transaction: replay the batch."""


class BatchWrites:
    """Per-batch writes (mixin of CommitEngine)."""

    _open_rejects: dict[tuple[str, str], bool]  # set by CommitEngine.__init__

    def _lookup(self, keys: list[str], full: bool = False, session: Any = None) -> dict[str, dict[str, Any]]:
        # whole "source": nx-27017 answers a dotted projection with a flat "source.import_id" key
        proj = None if full else {"content_hash": 1, "source": 1, "created_import": 1}
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(keys), LOOKUP_CHUNK):
            for d in self.db.bookings.find({"_id": {"$in": keys[i : i + LOOKUP_CHUNK]}}, proj, session=session):
                out[d["_id"]] = d
        return out

    def _apply(
        self, result: Any, plan: Plan, source: SourceRef, file: imp.FileFacts, positions: np.ndarray, session: Any
    ) -> dict[str, int]:
        counts = dict.fromkeys(imp.COUNT_NAMES, 0)
        rej_mask = plan.rejected[positions]
        good = positions[~rej_mask]
        failed: dict[int, str] = {}  # position -> error message (server refused the row)
        if len(good):
            self._write_bookings(result, source, good, counts, failed, session)
            committed = good[~np.isin(good, np.fromiter(failed, dtype=np.int64, count=len(failed)))]
            self._resolve_rejected(result, plan, file, committed, source.import_id, session)
        bad = positions[rej_mask].tolist()
        reasons: dict[int, list[dict[str, Any]]] = {}
        for p in bad:
            if p in plan.duplicate_of:
                reasons[p] = [
                    {
                        "field": "booking_ref",
                        "code": "duplicate_ref",
                        "value": None,
                        "message": f"booking appears earlier in this file (record {plan.duplicate_of[p] + 1}); "
                        "only the first is committed",
                    }
                ]
        for p, msg in failed.items():
            reasons[p] = [{"field": None, "code": "commit_failed", "value": None, "message": msg}]
        all_bad = sorted(set(bad) | set(failed))
        if all_bad:
            self._write_rejected(result, plan, source, file, np.asarray(all_bad), reasons, session)
        counts["rejected"] = len(all_bad)
        return counts

    def _write_bookings(
        self,
        result: Any,
        source: SourceRef,
        good: np.ndarray,
        counts: dict[str, int],
        failed: dict[int, str],
        session: Any,
    ) -> None:
        docs = self._take_prepared(good) or self._documents(result, source, good)
        pos_of = {d["_id"]: int(p) for d, p in zip(docs, good)}
        keys = list(pos_of)
        # A probe of a few keys tells a batch of new bookings (insert straight away; a duplicate-key
        # error sends the few existing ones down the look-up path) from a re-import (look up first).
        # The full look-up costs ~40% of the insert on nx-27017, the probe ~1%.
        probe = keys[:: max(1, len(keys) // PROBE_KEYS)][:PROBE_KEYS]
        if session is None and not self._lookup(probe):
            existing: dict[str, dict[str, Any]] = {}
        else:
            existing = self._lookup(keys, session=session)
        new, changed = [], []
        for d in docs:
            e = existing.get(d["_id"])
            if e is None:
                new.append(d)
            else:
                self._classify_existing(d, e, source.import_id, counts, changed)
        if new:
            try:
                res = self.db.bookings.insert_many(new, ordered=False, session=session)
                counts["inserted"] += len(res.inserted_ids)
            except BulkWriteError as exc:
                if session is not None:
                    raise ConcurrentInsert() from exc
                errs = exc.details.get("writeErrors", [])
                counts["inserted"] += int(exc.details.get("nInserted", 0))
                dup_ids = [new[e["index"]]["_id"] for e in errs if e.get("code") == DUPLICATE_KEY]
                for e in errs:
                    if e.get("code") != DUPLICATE_KEY:
                        failed[pos_of[new[e["index"]]["_id"]]] = (
                            f"the database refused the booking: {e.get('errmsg', '')}"[:500]
                        )
                if dup_ids:  # someone else inserted them meanwhile: they exist now
                    again = self._lookup(dup_ids)
                    by_id = {d["_id"]: d for d in new}
                    for k in dup_ids:
                        e = again.get(k)
                        if e is None:  # unique (vendor, booking_ref) clash with a foreign _id
                            failed[pos_of[k]] = (
                                "another booking with this vendor and booking_ref exists under a different id"
                            )
                        else:
                            self._classify_existing(by_id[k], e, source.import_id, counts, changed)
        if changed:
            self._update_changed(changed, source, counts, failed, pos_of, session)

    @staticmethod
    def _classify_existing(d: dict, e: dict, import_id: str, counts: dict[str, int], changed: list) -> None:
        if e.get("content_hash") != d["content_hash"]:
            changed.append(d)
        elif (e.get("source") or {}).get("import_id") == import_id:
            # written by this very import before a crash/retry: count it as it was counted then
            counts["inserted" if e.get("created_import") == import_id else "updated"] += 1
        else:
            counts["unchanged"] += 1

    def _update_changed(
        self,
        changed: list,
        source: SourceRef,
        counts: dict[str, int],
        failed: dict[int, str],
        pos_of: dict[str, int],
        session: Any,
    ) -> None:
        before = self._lookup([d["_id"] for d in changed], full=True, session=session)
        audits = []
        for d in changed:
            old = before.get(d["_id"], {})
            b, a = self.mapper.changes(old, d)
            audits.append(
                entry(
                    "booking.update",
                    {
                        "collection": "bookings",
                        "_id": d["_id"],
                        "vendor": d.get("vendor"),
                        "booking_ref": d.get("booking_ref"),
                    },
                    db_user=self.db_user,
                    before=b,
                    after=a,
                    entry_id=audit_id(source.import_id, d["_id"]),
                    import_id=source.import_id,
                    previous_source=old.get("source"),
                )
            )
        if session is not None:
            self.db.audit_log.insert_many(audits, ordered=False, session=session)
        else:
            insert_idempotent(self.db, "audit_log", audits)
        # replace, not $set: nx-27017 turns datetimes given to $set into strings (docs/STORAGE.md)
        ops = [ReplaceOne({"_id": d["_id"]}, self.mapper.replacement(d, before.get(d["_id"], {}))) for d in changed]
        try:
            self.db.bookings.bulk_write(ops, ordered=False, session=session)
            counts["updated"] += len(changed)
        except BulkWriteError as exc:
            if session is not None:
                raise
            errs = exc.details.get("writeErrors", [])
            bad = {e["index"] for e in errs}
            counts["updated"] += len(changed) - len(bad)
            for e in errs:
                failed[pos_of[changed[e["index"]]["_id"]]] = f"the database refused the update: {e.get('errmsg', '')}"[
                    :500
                ]

    def _write_rejected(
        self,
        result: Any,
        plan: Plan,
        source: SourceRef,
        file: imp.FileFacts,
        rows: np.ndarray,
        extra: dict[int, list[dict[str, Any]]],
        session: Any,
    ) -> None:
        probs = imp.problems_by_row(result.problems.frame, rows)
        locs = result.raw.locations
        records = result.record_numbers_array()
        now = datetime.now(UTC)
        docs = []
        for p in rows.tolist():
            errs, warns = probs.get(p, ([], []))
            errs = errs + extra.get(p, [])
            docs.append(
                imp.rejected_doc(
                    import_id=source.import_id,
                    vendor=_row_vendor(plan, p),
                    file=file,
                    record=int(records[p]),
                    location=locs[p] if locs is not None and p < len(locs) else None,
                    raw=imp.row_dict(result.raw.frame, p) if p < len(result.raw.frame) else {},
                    mapped=imp.row_dict(result.text, p),
                    errors=errs,
                    warnings=warns,
                    now=now,
                )
            )
        if session is not None:
            existing = {
                d["_id"]
                for d in self.db.rejected_rows.find(
                    {"_id": {"$in": [d["_id"] for d in docs]}}, {"_id": 1}, session=session
                )
            }
            fresh = [d for d in docs if d["_id"] not in existing]
            if fresh:
                self.db.rejected_rows.insert_many(fresh, ordered=False, session=session)
        else:
            insert_idempotent(self.db, "rejected_rows", docs)

    def _resolve_rejected(
        self, result: Any, plan: Plan, file: imp.FileFacts, committed: np.ndarray, import_id: str, session: Any
    ) -> None:
        """A record of this file that an earlier import rejected and that is now committed (the
        operator fixed it) leaves the review queue as resolved, so that it is never both a
        booking and an open rejected row."""
        if not len(committed) or not self._file_has_open_rejects(file.sha256, import_id, session):
            return
        records = result.record_numbers_array()
        ids = [imp.rejected_id(_row_vendor(plan, int(p)), file.sha256, int(records[p])) for p in committed]
        for i in range(0, len(ids), LOOKUP_CHUNK):
            for doc in self.db.rejected_rows.find(
                {"_id": {"$in": ids[i : i + LOOKUP_CHUNK]}, "status": "open"}, {"_id": 1}, session=session
            ):
                imp.set_rejected_status(
                    self.db, doc["_id"], "resolved", note=f"fixed and committed by import {import_id}",
                    db_user=self.db_user,
                )


    def _file_has_open_rejects(self, sha256: str, import_id: str, session: Any) -> bool:
        """Asked once per import run, not per batch: rows this run rejects are never committed by it."""
        cache = self._open_rejects
        key = (import_id, sha256)
        if key not in cache:
            cache[key] = (
                self.db.rejected_rows.find_one({"file_sha256": sha256, "status": "open"}, {"_id": 1}, session=session)
                is not None
            )
        return cache[key]


def _row_vendor(plan: Plan, position: int) -> str:
    v = plan.row_vendor[position] if plan.row_vendor is not None else None
    return plan.vendor if v is None or pd.isna(v) else str(v)
