"""The writes of one batch: bookings (probe / look-up, insert, compare, replace),
the audit entries of changed bookings, and the batch's rejected rows.

A mixin of :class:`~booking_desktop.storage.engine.CommitEngine` (split out to keep
both modules readable): it uses the engine's ``db``, ``mapper``, ``db_user``,
``lookup_chunk`` and prepared documents.  Every write here is idempotent; see
engine.py for why.

One attempt of a batch is described by an :class:`Attempt`: its session (inside a
transaction, or None), the rows the server refused in an earlier try of the same
batch, and whether to look every key up (after a duplicate inside a transaction).
Inside a transaction any write error aborts the whole transaction, so an error is
never handled on the spot there: it is raised as :class:`ConcurrentInsert` (a
booking another writer inserted meanwhile) or :class:`RefusedRows` (documents the
server refuses), and the engine runs the batch again knowing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import bson
import numpy as np
import pandas as pd
from pymongo import ReplaceOne
from pymongo.errors import BulkWriteError

from booking_desktop.analytics import rollup
from booking_desktop.storage import imports as imp
from booking_desktop.storage import review_counts
from booking_desktop.storage.audit import DUPLICATE_KEY, audit_id, entry, insert_idempotent
from booking_desktop.storage.mapper import SourceRef, booking_key

if TYPE_CHECKING:
    from pymongo.database import Database

    from booking_desktop.pipeline import PipelineResult
    from booking_desktop.storage.mapper import BookingMapper

PROBE_KEYS = 16
MAX_DOCUMENT = 16 * 1024 * 1024  # MongoDB's BSON document limit


@dataclass
class Plan:
    """What the engine will do with each row, fixed before anything is written."""

    n: int
    keys: list[str | None]  # None for rejected rows
    rejected: np.ndarray  # bool: validation error or duplicate within the file
    duplicate_of: dict[int, int] = field(default_factory=dict)  # position -> earlier position
    vendor: str = ""
    row_vendor: np.ndarray | None = None


@dataclass
class Attempt:
    """One try of one batch."""

    session: Any = None  # a ClientSession inside a transaction, or None
    refused: dict[int, str] = field(default_factory=dict)  # position -> why the server refused it
    full_lookup: bool = False  # look every key up (the probe missed an existing booking last time)


class ConcurrentInsert(Exception):
    """Inside a transaction a booking turned out to exist (the probe missed it, or a concurrent
    writer inserted it): run the batch again, looking every key up."""


class RefusedRows(Exception):
    """Inside a transaction the server refused some documents: run the batch again without them."""

    def __init__(self, refused: dict[int, str], duplicates: bool = False):
        super().__init__(f"{len(refused)} document(s) refused")
        self.refused = refused
        self.duplicates = duplicates


def unencodable(docs: list[dict[str, Any]]) -> dict[int, str]:
    """Which documents cannot be sent at all, and why (found one by one after the driver refused a batch)."""
    out: dict[int, str] = {}
    for i, d in enumerate(docs):
        try:
            size = len(bson.encode(d))
        except UnicodeEncodeError as exc:
            out[i] = f"text that is not valid Unicode (a lone surrogate at position {exc.start} of a value)"
        except (bson.errors.InvalidDocument, ValueError, TypeError, OverflowError) as exc:
            out[i] = f"the document cannot be stored: {str(exc)[:200]}"
        else:
            if size > MAX_DOCUMENT:
                out[i] = f"the document is {size:,} bytes; at most {MAX_DOCUMENT:,} can be stored"
    return out


class BatchWrites:
    """Per-batch writes (mixin of CommitEngine)."""

    # set by CommitEngine.__init__
    db: Database
    db_user: str | None
    _open_rejects: dict[tuple[str, str], bool]
    _fixed: dict[tuple[str, str], dict[int, str]]
    maintain_rollup = True  # keep the analytics rollup (analytics/rollup.py); the benchmark turns it off
    _changes: rollup.BatchChanges | None = None
    _rollup_tz: str | None = None

    if TYPE_CHECKING:  # defined by CommitEngine
        @property
        def mapper(self) -> BookingMapper: ...
        @property
        def lookup_chunk(self) -> int: ...
        def _documents(self, result: PipelineResult, source: SourceRef, good: np.ndarray) -> list[dict[str, Any]]: ...
        def _take_prepared(self, good: np.ndarray) -> list[dict[str, Any]] | None: ...

    def _lookup(self, keys: list[str], full: bool = False, session: Any = None) -> dict[str, dict[str, Any]]:
        # whole "source": nx-27017 answers a dotted projection with a flat "source.import_id" key
        proj = None if full else {"content_hash": 1, "source": 1, "created_import": 1}
        out: dict[str, dict[str, Any]] = {}
        step = self.lookup_chunk
        for i in range(0, len(keys), step):
            for d in self.db.bookings.find({"_id": {"$in": keys[i : i + step]}}, proj, session=session):
                out[d["_id"]] = d
        return out

    def _apply(
        self,
        result: PipelineResult,
        plan: Plan,
        source: SourceRef,
        file: imp.FileFacts,
        positions: np.ndarray,
        att: Attempt,
    ) -> dict[str, int]:
        counts = dict.fromkeys(imp.COUNT_NAMES, 0)
        self._changes = rollup.BatchChanges() if self.maintain_rollup else None
        here = set(positions.tolist())
        failed: dict[int, str] = {p: m for p, m in att.refused.items() if p in here}
        rej_mask = plan.rejected[positions]
        good = positions[~rej_mask]
        if failed:
            good = good[~np.isin(good, np.fromiter(failed, dtype=np.int64, count=len(failed)))]
        if len(good):
            self._write_bookings(result, source, good, counts, failed, att)
            committed = good[~np.isin(good, np.fromiter(failed, dtype=np.int64, count=len(failed)))]
            self._resolve_rejected(result, plan, file, committed, source.import_id, att.session)
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
            self._write_rejected(result, plan, source, file, np.asarray(all_bad), reasons, att.session)
        counts["rejected"] = len(all_bad)
        if self._changes is not None and self._changes.docs:
            self._record_rollup(source.import_id, positions, failed, att.session)
        return counts

    def _record_rollup(self, import_id: str, positions: np.ndarray, failed: dict[int, str], session: Any) -> None:
        """The batch's delta of the analytics rollup, last of its writes (see analytics/rollup.py)."""
        ch = self._changes
        assert ch is not None
        by_pos = dict(zip(ch.positions, ch.docs))
        lost = [by_pos[p] for p in failed if p in by_pos]
        first, last = int(positions[0]), int(positions[-1])
        rollup.record_batch(self.db, ch, import_id, first, last, lost, self._rollup_tz or "UTC", session)

    def _write_bookings(
        self,
        result: PipelineResult,
        source: SourceRef,
        good: np.ndarray,
        counts: dict[str, int],
        failed: dict[int, str],
        att: Attempt,
    ) -> None:
        session = att.session
        docs = self._take_prepared(good) or self._documents(result, source, good)
        pos_of = {d["_id"]: int(p) for d, p in zip(docs, good)}
        keys = list(pos_of)
        if self._changes is not None:
            self._changes.docs.update((d["_id"], d) for d in docs)
            self._changes.positions.extend(int(p) for p in good)
            if self._rollup_tz is None:
                self._rollup_tz = rollup.rollup_zone(self.db)
            self._changes.speculation = rollup.Speculation(docs, self._rollup_tz)
        # A probe of a few keys tells a batch of new bookings (insert straight away; a duplicate-key
        # error sends the few existing ones down the look-up path) from a re-import (look up first).
        probe = keys[:: max(1, len(keys) // PROBE_KEYS)][:PROBE_KEYS]
        if not att.full_lookup and not self._lookup(probe, session=session):
            existing: dict[str, dict[str, Any]] = {}
        else:
            existing = self._lookup(keys, session=session)
        if self._changes is not None:
            self._changes.seen.update(existing)
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for d in docs:
            e = existing.get(d["_id"])
            if e is None:
                new.append(d)
            else:
                self._classify_existing(d, e, source.import_id, counts, changed)
        if new:
            self._insert_new(new, pos_of, source, counts, changed, failed, session)
        if changed:
            self._update_changed(changed, source, counts, failed, pos_of, session)

    def _insert_new(
        self,
        new: list[dict[str, Any]],
        pos_of: dict[str, int],
        source: SourceRef,
        counts: dict[str, int],
        changed: list,
        failed: dict[int, str],
        session: Any,
    ) -> None:
        try:
            res = self.db.bookings.insert_many(new, ordered=False, session=session)
            counts["inserted"] += len(res.inserted_ids)
            if self._changes is not None:
                self._changes.inserted.update(d["_id"] for d in new)
            return
        except (bson.errors.InvalidDocument, UnicodeEncodeError, ValueError):
            bad = unencodable(new)  # refused by the driver before anything was sent: find which ones
            if not bad:
                raise
            refused = {pos_of[new[i]["_id"]]: f"the database cannot store this record: {m}" for i, m in bad.items()}
            if session is not None:
                raise RefusedRows(refused) from None
            failed.update(refused)
            rest = [d for i, d in enumerate(new) if i not in bad]
            if rest:
                self._insert_new(rest, pos_of, source, counts, changed, failed, None)
            return
        except BulkWriteError as exc:
            errs = exc.details.get("writeErrors", [])
            dup_ids = [new[e["index"]]["_id"] for e in errs if e.get("code") == DUPLICATE_KEY]
            refused = {
                pos_of[new[e["index"]]["_id"]]: f"the database refused the booking: {e.get('errmsg', '')}"[:500]
                for e in errs
                if e.get("code") != DUPLICATE_KEY
            }
            if session is not None:  # the transaction is aborted: nothing of this batch was written
                if refused:
                    raise RefusedRows(refused, duplicates=bool(dup_ids)) from exc
                raise ConcurrentInsert() from exc
            counts["inserted"] += int(exc.details.get("nInserted", 0))
            failed.update(refused)
            if self._changes is not None:
                not_in = {e["index"] for e in errs}
                self._changes.inserted.update(d["_id"] for i, d in enumerate(new) if i not in not_in)
        if dup_ids:  # someone else inserted them meanwhile (or the probe missed them): they exist now
            again = self._lookup(dup_ids)
            if self._changes is not None:
                self._changes.seen.update(again)
            by_id = {d["_id"]: d for d in new}
            for k in dup_ids:
                e = again.get(k)
                if e is None:  # unique (vendor, booking_ref) clash with a foreign _id
                    failed[pos_of[k]] = "another booking with this vendor and booking_ref exists under a different id"
                else:
                    self._classify_existing(by_id[k], e, source.import_id, counts, changed)

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
        # whole documents, not $set: nx-27017 turns datetimes given to $set into strings (docs/STORAGE.md)
        ops = [ReplaceOne({"_id": d["_id"]}, self.mapper.replacement(d, before.get(d["_id"], {}))) for d in changed]
        try:
            self.db.bookings.bulk_write(ops, ordered=False, session=session)
            counts["updated"] += len(changed)
            if self._changes is not None:
                self._changes.replaced.update((d["_id"], before.get(d["_id"], {})) for d in changed)
        except BulkWriteError as exc:
            errs = exc.details.get("writeErrors", [])
            refused = {
                pos_of[changed[e["index"]]["_id"]]: f"the database refused the update: {e.get('errmsg', '')}"[:500]
                for e in errs
            }
            if session is not None:
                raise RefusedRows(refused) from exc
            counts["updated"] += len(changed) - len(refused)
            failed.update(refused)
            if self._changes is not None:
                bad = {changed[e["index"]]["_id"] for e in errs}
                kept = [d for d in changed if d["_id"] not in bad]
                self._changes.replaced.update((d["_id"], before.get(d["_id"], {})) for d in kept)

    def _write_rejected(
        self,
        result: PipelineResult,
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
                    raw=imp.raw_cells(result.raw.frame, p) if p < len(result.raw.frame) else [],
                    mapped=imp.row_dict(result.text, p),
                    errors=errs,
                    warnings=warns,
                    now=now,
                )
            )
        self._mark_already_committed(docs, file, source.import_id, session)
        with review_counts.writing(self.db, [source.import_id], session=session):  # the queue's counts
            if session is not None:
                existing = set()
                ids = [d["_id"] for d in docs]
                for i in range(0, len(ids), self.lookup_chunk):
                    chunk = ids[i : i + self.lookup_chunk]
                    found = self.db.rejected_rows.find({"_id": {"$in": chunk}}, {"_id": 1}, session=session)
                    existing |= {d["_id"] for d in found}
                fresh = [d for d in docs if d["_id"] not in existing]
                if fresh:
                    self.db.rejected_rows.insert_many(fresh, ordered=False, session=session)
            else:
                insert_idempotent(self.db, "rejected_rows", docs)

    def _mark_already_committed(
        self, docs: list[dict[str, Any]], file: imp.FileFacts, import_id: str, session: Any
    ) -> None:
        """A rejected record whose booking was already committed from this very file record (the
        operator fixed it in an earlier session and committed it) is queued as resolved, not open:
        a record is never both a booking and an open rejected row."""
        fixed = self._fixed_records(file.sha256, import_id, session)
        by_key: dict[str, dict[str, Any]] = {}
        for d in docs:
            mapped = d.get("mapped") or {}
            vendor, ref = d.get("vendor"), mapped.get("booking_ref")
            if vendor and ref:
                by_key[booking_key(str(vendor), str(ref))] = d
        found = self._lookup(list(by_key), session=session) if by_key else {}
        for key, booking in found.items():
            src = booking.get("source") or {}
            d = by_key[key]
            if src.get("file_sha256") == file.sha256 and src.get("record") == d["record"]:
                imp.mark_already_committed(d, src.get("import_id"), key)
        for d in docs:
            if d["status"] == "open" and d["record"] in fixed:
                imp.mark_already_committed(d, fixed[d["record"]], None)

    def _fixed_records(self, sha256: str, import_id: str, session: Any) -> dict[int, str]:
        """{record: import id} of this file's records that earlier imports committed after the operator
        edited them (asked once per import run)."""
        key = (import_id, sha256)
        if key not in self._fixed:
            out: dict[int, str] = {}
            # the imports of one file are few; filtering them here needs no array query (nx-27017 has none)
            query = {"file_sha256": sha256, "status": imp.COMPLETED}
            for doc in self.db.imports.find(query, {"edited_records": 1}, session=session):
                for r in doc.get("edited_records") or []:
                    out.setdefault(int(r), doc["_id"])
            self._fixed[key] = out
        return self._fixed[key]

    def _resolve_rejected(
        self,
        result: PipelineResult,
        plan: Plan,
        file: imp.FileFacts,
        committed: np.ndarray,
        import_id: str,
        session: Any,
    ) -> None:
        """A record of this file that an earlier import rejected and that is now committed (the
        operator fixed it) leaves the review queue as resolved, so that it is never both a
        booking and an open rejected row."""
        if not len(committed) or not self._file_has_open_rejects(file.sha256, import_id, session):
            return
        records = result.record_numbers_array()
        ids = [imp.rejected_id(_row_vendor(plan, int(p)), file.sha256, int(records[p])) for p in committed]
        step = self.lookup_chunk
        for i in range(0, len(ids), step):
            for doc in self.db.rejected_rows.find(
                # a row claimed by a review resubmit is resolved by the resubmit (storage/review_resubmit.py)
                {"_id": {"$in": ids[i : i + step]}, "status": "open", "claim": None}, {"_id": 1}, session=session
            ):
                imp.set_rejected_status(
                    self.db,
                    doc["_id"],
                    "resolved",
                    note=f"fixed and committed by import {import_id}",
                    db_user=self.db_user,
                    session=session,
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
