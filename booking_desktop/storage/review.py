"""The supervisor's review queue over ``rejected_rows``: list, show, fix, resubmit, discard, reopen,
assign.  Qt-free; the CLI's ``review`` command and the Review page use it.

Rules that hold whatever the caller does:

* nothing is ever deleted from ``rejected_rows``: every action replaces the whole document (the
  ``$set`` gap of nx-27017, docs/STORAGE.md) with one more ``version``, and writes one audit entry;
* optimistic concurrency: an action names the version it saw (or the one read at the start of the
  call), and the replace is conditional on it — a second supervisor's action on a row that changed
  meanwhile is refused with :class:`ConflictError`, nothing is overwritten;
* rows queued by earlier versions (no ``version``, ``raw`` as a document) are read as they are;
* who acted: the OS user and the database user (``audit.entry``); :meth:`ReviewQueue.authorize` is
  the one place where a role check will sit.

Paging: the local server (SecantusDB) reads every document a query matches before it applies a
``limit`` (50,000 matches: 2 s for a first page of 50), but a range on ``created_at`` through an
index costs only the rows in the range.  Rows of one batch share their ``created_at``, so the queue
is read oldest first in windows of time that double until a page is full (:func:`_windows`).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo import ReplaceOne
from pymongo.database import Database

from booking_desktop.schema import CANONICAL_FIELDS
from booking_desktop.storage import audit
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.imports import REJECTED_STATUSES, raw_as_dict, restored, storable
from booking_desktop.storage.review_check import RulesCache, check_rows

OPEN, RESOLVED, DISCARDED = REJECTED_STATUSES
STATUS_CHOICES = (*REJECTED_STATUSES, "all")
DISCARD_REASONS = {
    "cancelled": "the booking was cancelled",
    "test": "a test or dummy record",
    "duplicate": "a duplicate of another record",
    "not-a-booking": "not a booking (a total, a note, a block)",
    "resent": "the vendor sends it again corrected",
    "other": "other",
}
FIRST_WINDOW = timedelta(seconds=2)
PAGE = 50
MAX_PAGE = 10_000


class ReviewError(Exception):
    """An action that cannot be done; ``str()`` is one line for the user."""


class UnknownRowError(ReviewError):
    pass


class RefusedError(ReviewError):
    pass


class ConflictError(ReviewError):
    """The row changed since it was read (another supervisor acted on it)."""


@dataclass(frozen=True)
class ReviewFilter:
    vendor: str | None = None
    import_id: str | None = None
    file: str | None = None  # file name
    code: str | None = None
    field: str | None = None
    status: str = OPEN  # or "all"
    assignee: str | None = None
    older_than: timedelta | None = None  # queued at least this long ago
    newer_than: timedelta | None = None
    valid: bool | None = None  # True: rows a fix made valid
    since: datetime | None = None  # queued at or after (a date range of imports)
    until: datetime | None = None  # queued before

    def query(self, now: datetime | None = None) -> dict[str, Any]:
        if self.status not in STATUS_CHOICES:
            raise ReviewError(f"status must be one of {', '.join(STATUS_CHOICES)}, not {self.status!r}")
        q: dict[str, Any] = {}
        if self.status != "all":
            q["status"] = self.status
        for key, value in (("vendor", self.vendor), ("import_id", self.import_id), ("file_name", self.file),
                           ("assignee", self.assignee)):
            if value is not None:
                q[key] = value
        if self.code is not None and self.field is not None:
            q["errors"] = {"$elemMatch": {"code": self.code, "field": self.field}}
        elif self.code is not None:
            q["errors.code"] = self.code
        elif self.field is not None:
            q["errors.field"] = self.field
        if self.valid is not None:
            q["valid"] = True if self.valid else {"$ne": True}
        now = now or datetime.now(UTC)
        age: dict[str, datetime] = {}
        if self.older_than is not None:
            age["$lte"] = now - self.older_than
        if self.newer_than is not None:
            age["$gte"] = now - self.newer_than
        if self.since is not None:
            age["$gte"] = max(age.get("$gte", self.since), self.since)
        if self.until is not None:  # before: the window's end is exclusive of it
            age["$lte"] = min(age.get("$lte", self.until), self.until - timedelta(microseconds=1))
        if age:
            q["created_at"] = age
        return q


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next: str | None  # token of the next page (None: this was the last)
    total: int | None = None


@dataclass
class ActionResult:
    """Per-row outcome of an action over several rows."""

    done: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


@dataclass
class FixOutcome:
    """One row of a fix: the document read, the fields that change (before/after), the new canonical
    values and, once re-validated, the new document (its errors, and its version once written)."""

    doc: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    mapped: dict[str, Any]
    new: dict[str, Any] | None = None
    conflict: bool = False


def check_fields(changes: dict[str, Any]) -> None:
    unknown = [f for f in changes if f not in CANONICAL_FIELDS]
    if unknown:
        raise RefusedError(f"unknown field {unknown[0]!r}; the fields are {', '.join(CANONICAL_FIELDS)}")


UNDONE_KEYS = ("errors", "warnings", "valid", "rules_from", "original")


def undo_state(doc: dict[str, Any], version: int) -> dict[str, Any]:
    """What an undo of a bulk fix puts back besides the values (kept in the row's audit entry): the
    row's problems as they were (keys it did not have are removed again), and the version the fix
    wrote (the undo is conditional on it)."""
    return {"version": version, "kept": {k: doc[k] for k in UNDONE_KEYS[:-1] if k in doc},
            "absent": [k for k in UNDONE_KEYS if k not in doc]}


def row_view(doc: dict[str, Any]) -> dict[str, Any]:
    """A rejected-row document as the CLI's ``--json`` and the GUI show it (old documents too)."""
    d = restored(doc)
    mapped = {f: (d.get("mapped") or {}).get(f) for f in CANONICAL_FIELDS}
    first = ((d.get("original") or {}).get("mapped")) if d.get("original") else None
    return {
        "id": d["_id"],
        "vendor": d.get("vendor"),
        "import_id": d.get("import_id"),
        "file": d.get("file_name"),
        "record": d.get("record"),
        "location": d.get("location"),
        "status": d.get("status", OPEN),
        "assignee": d.get("assignee"),
        "version": int(d.get("version") or 0),
        "errors": [_problem(e) for e in d.get("errors") or []],
        "warnings": [_problem(e) for e in d.get("warnings") or []],
        "raw": raw_as_dict(d.get("raw") or []),
        "raw_cells": _raw_cells(d.get("raw") or []),
        "mapped": mapped,
        "fixed": [] if first is None else [f for f in CANONICAL_FIELDS if (first or {}).get(f) != mapped[f]],
        "created_at": d.get("created_at"),
        "updated_at": d.get("updated_at"),
        "resolution": d.get("resolution"),
        "booking_id": d.get("booking_id"),
        "discard": d.get("discard"),
        "note": d.get("status_note"),
    }


def _problem(e: dict[str, Any]) -> dict[str, Any]:
    return {"field": e.get("field"), "code": e.get("code"), "message": e.get("message"), "value": e.get("value")}


def _raw_cells(raw: Any) -> list[dict[str, Any]]:
    """The vendor's cells in their own column order (repeated headers kept)."""
    if isinstance(raw, dict):
        return [{"column": k, "value": v} for k, v in raw.items()]
    return [{"column": c.get("column"), "value": c.get("value")} for c in raw]


def _token(doc: dict[str, Any]) -> str:
    at = doc["created_at"]
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    key = [at.isoformat(), int(doc.get("record") or 0), doc["_id"]]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _untoken(token: str) -> tuple[datetime, int, str]:
    try:
        at, record, _id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return datetime.fromisoformat(at), int(record), str(_id)
    except (ValueError, TypeError) as exc:
        raise ReviewError(f"not a page token of the review queue: {token[:40]!r}") from exc


def _order(doc: dict[str, Any]) -> tuple[datetime, int, str]:
    at = doc.get("created_at") or datetime.min.replace(tzinfo=UTC)
    return (at if at.tzinfo else at.replace(tzinfo=UTC), int(doc.get("record") or 0), doc["_id"])


class ReviewQueue:
    """The review queue of one database.  ``engine`` (for resubmits) is made on first use from
    ``engine_factory`` or as ``CommitEngine(db, db_user=db_user)``."""

    def __init__(self, db: Database, *, db_user: str | None = None, engine_factory: Any = None,
                 profiles_dir: Any = None):
        self.db = db
        self.db_user = db_user
        self.engine_factory = engine_factory
        self.rules = RulesCache(db, profiles_dir)
        ensure_indexes(db)  # the queue's reads name their index (idempotent, cheap when they exist)

    # -- who may do what -------------------------------------------------------
    def authorize(self, action: str, ids: Iterable[str]) -> None:
        """Every action passes here first: where the role check of a later issue goes."""

    # -- reading ---------------------------------------------------------------
    def get(self, row_id: str) -> dict[str, Any]:
        doc = self.db.rejected_rows.find_one({"_id": row_id})
        if doc is None:
            raise UnknownRowError(f"no rejected row {row_id!r} in this database")
        return doc

    def _get_many(self, ids: list[str]) -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), 100):
            for d in self.db.rejected_rows.find({"_id": {"$in": ids[i : i + 100]}}):
                found[d["_id"]] = d
        missing = [i for i in ids if i not in found]
        if missing:
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            raise UnknownRowError(f"no rejected row {missing[0]!r}{more} in this database")
        return [found[i] for i in ids]

    def show(self, row_id: str) -> dict[str, Any]:
        """The row with its history (who touched it, when, what), oldest first."""
        out = row_view(self.get(row_id))
        out["history"] = self.history(row_id)
        return out

    def history(self, row_id: str) -> list[dict[str, Any]]:
        entries = list(self.db.audit_log.find({"target._id": row_id}))
        entries.sort(key=lambda e: (e.get("at") or datetime.min.replace(tzinfo=UTC), str(e.get("_id"))))
        keep = ("at", "who", "action", "before", "after", "note", "import_id")
        return [{k: e[k] for k in keep if k in e} for e in entries]

    def count(self, flt: ReviewFilter = ReviewFilter()) -> int:
        return self.db.rejected_rows.count_documents(flt.query())

    def counts(self, flt: ReviewFilter = ReviewFilter()) -> list[dict[str, Any]]:
        """Rows per (vendor, code), most first (a row with two codes counts under each): from the
        maintained counts (review_counts.py) for a filter of vendor, import and status, else from
        the rows."""
        from booking_desktop.storage import review_counts

        flt.query()  # the filter's own checks (a status that does not exist) first
        if review_counts.answers(flt):
            return review_counts.counts(self.db, flt)
        return self.counts_from_rows(flt)

    def counts_from_rows(self, flt: ReviewFilter = ReviewFilter()) -> list[dict[str, Any]]:
        """:meth:`counts` read from every matching row (what the maintained counts must equal)."""
        # counted here over a projected cursor rather than by a $group with a document _id, which the
        # stand-in nx-27017 answers wrongly (docs/STORAGE.md): the numbers are right on every server
        tally: Counter[tuple[Any, Any]] = Counter()
        for doc in self.db.rejected_rows.find(flt.query(), {"vendor": 1, "errors": 1}, batch_size=5000):
            codes = {e.get("code") for e in doc.get("errors") or () if isinstance(e, dict)}
            tally.update((doc.get("vendor"), code) for code in codes)
        out = [{"vendor": v, "code": c, "rows": n} for (v, c), n in tally.items()]
        return sorted(out, key=lambda c: (-c["rows"], str(c["vendor"]), str(c["code"])))

    def page(self, flt: ReviewFilter = ReviewFilter(), limit: int = PAGE, after: str | None = None,
             with_total: bool = False) -> Page:
        """One page, oldest first (created_at, record); ``after`` is the previous page's ``next``."""
        if not 1 <= limit <= MAX_PAGE:
            raise ReviewError(f"a page holds 1 to {MAX_PAGE:,} rows, not {limit}")
        now = datetime.now(UTC)
        query = flt.query(now)
        start = _untoken(after) if after else None
        rows: list[dict[str, Any]] = []
        for chunk in self._windows(query, start, now):
            if start is not None:
                chunk = [d for d in chunk if _order(d) > start]
            rows.extend(chunk)
            if len(rows) > limit:
                break
        rows.sort(key=_order)
        more = len(rows) > limit
        rows = rows[:limit]
        total = self.db.rejected_rows.count_documents(query) if with_total else None
        return Page([row_view(d) for d in rows], _token(rows[-1]) if more and rows else None, total)

    def iter_rows(self, flt: ReviewFilter = ReviewFilter(), chunk: int = 2000) -> Iterator[dict[str, Any]]:
        """Every matching row, oldest first, as stored documents (exports, bulk actions).  Whole
        documents: SecantusDB answers a projection slower than the whole document (2.5 s against
        1.7 s for 20,000 rows)."""
        now = datetime.now(UTC)
        query = flt.query(now)
        for docs in self._windows(query, None, now, grow=chunk):
            yield from sorted(docs, key=_order)

    def _windows(self, query: dict[str, Any], start: tuple[datetime, int, str] | None, now: datetime,
                 grow: int = PAGE) -> Iterator[list[dict[str, Any]]]:
        """The matching documents in consecutive ``created_at`` windows, oldest first.  A window
        doubles while it brings fewer than ``grow`` rows; windows never overlap.  The server is
        asked only what one index answers (:func:`split_query`); the rest is filtered here."""
        bounds = query.get("created_at", {})
        lo = start[0] if start else bounds.get("$gte") or self._oldest(query)
        if lo is None:
            return
        hi_end = min(bounds.get("$lte", now), now) + timedelta(microseconds=1)
        width = FIRST_WINDOW
        server, rest = split_query(query)

        def fetch(window: dict[str, Any]) -> list[dict[str, Any]]:
            docs = self.db.rejected_rows.find({**server, "created_at": window})
            return [d for d in docs if matches(d, rest)] if rest else list(docs)

        while lo < hi_end:
            hi = min(lo + width, hi_end)
            docs = fetch({"$gte": lo, "$lt": hi})
            yield docs
            width = width * 2 if len(docs) < grow else max(FIRST_WINDOW, width / 2)
            lo = hi
        if "$lte" not in bounds:  # rows stamped later than now (a machine with a fast clock) come last
            yield fetch({"$gte": hi_end})

    def _oldest(self, query: dict[str, Any]) -> datetime | None:
        """Where the first window starts: the oldest import that queued rows (imports are few), or
        the row of this import."""
        if "import_id" in query:
            imp = self.db.imports.find_one({"_id": query["import_id"]}, {"started_at": 1})
            at = (imp or {}).get("started_at")
        else:
            first = list(self.db.imports.find({}, {"started_at": 1}).sort("started_at", 1).limit(1))
            at = first[0].get("started_at") if first else None
        if at is None:  # rows queued without an import record: ask the rows (slow on big queues)
            doc = next(iter(self.db.rejected_rows.find(query, {"created_at": 1}).sort("created_at", 1).limit(1)), None)
            at = (doc or {}).get("created_at")
        if at is None:
            return None
        return (at if at.tzinfo else at.replace(tzinfo=UTC)) - timedelta(seconds=1)

    # -- writing ---------------------------------------------------------------
    def _replace(self, doc: dict[str, Any], new: dict[str, Any], expected: int | None) -> dict[str, Any]:
        """Replace ``doc`` by ``new`` (one version more) if nobody changed it since ``expected``."""
        written = self._replace_many([(doc, new)], None if expected is None else {doc["_id"]: expected})
        if doc["_id"] not in written:
            raise ConflictError(_changed(doc))
        return written[doc["_id"]]

    def _audit(self, action: str, doc: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
               **extra: Any) -> None:
        self.db.audit_log.insert_one(self._audit_entry(action, doc, before, after, **extra))

    def _audit_entry(self, action: str, doc: dict[str, Any], before: dict[str, Any], after: dict[str, Any],
                     **extra: Any) -> dict[str, Any]:
        target = {"collection": "rejected_rows", "_id": doc["_id"], "record": doc.get("record"),
                  "vendor": doc.get("vendor")}
        return audit.entry(action, target, db_user=self.db_user, before=before, after=after, **extra)

    def _stamp(self) -> dict[str, Any]:
        return {"at": datetime.now(UTC), "os_user": audit.os_user(), "db_user": self.db_user}

    def fix(self, row_id: str, changes: dict[str, str | None], expected: int | None = None) -> dict[str, Any]:
        """Set canonical values, re-validate the row and store what is still wrong.  A value of
        None (or empty text) clears the field.  Returns the row as :meth:`show` does."""
        check_fields(changes)
        if not changes:
            raise RefusedError("nothing to fix: give at least one FIELD=VALUE")
        self.authorize("fix", [row_id])
        doc = self.get(row_id)
        self._require(doc, OPEN, "fix")
        if doc.get("claim"):
            raise RefusedError(f"row {doc['_id']} is being resubmitted ({_claim_text(doc['claim'])}); run "
                               f"`review resubmit {doc['_id']}` to finish that (it is safe to repeat)")
        (out,) = self.fix_rows([(doc, changes)], None if expected is None else {row_id: expected})
        if out.conflict:
            raise ConflictError(_changed(doc))
        return self.show(row_id)

    def fix_rows(self, items: list[tuple[dict[str, Any], dict[str, str | None]]],
                 expected: dict[str, int] | None = None, *, write: bool = True, skip_unchanged: bool = False,
                 bulk_id: str | None = None) -> list[FixOutcome]:
        """The one path of every fix, of one row or of a bulk: each ``(doc, changes)`` gets its new
        canonical values, the rows of each import are re-validated together (review_check.py), and
        (``write``) each is replaced if its version is still the one read (or ``expected[id]``) and
        audited.  ``changes`` are checked by the caller (:func:`check_fields`); empty text clears a
        field.  A row that is not written because of a changed version is a ``conflict``."""
        outs: list[FixOutcome] = []
        for doc, changes in items:
            stored = restored(doc.get("mapped") or {})
            mapped = {f: stored.get(f) for f in CANONICAL_FIELDS}
            new_mapped = {**mapped, **{f: (v if v != "" else None) for f, v in changes.items()}}
            before = {f: mapped[f] for f in changes if mapped[f] != new_mapped[f]}
            after = {f: new_mapped[f] for f in before}
            outs.append(FixOutcome(doc, before, after, new_mapped))
        todo = [o for o in outs if o.before or not skip_unchanged]
        groups: dict[Any, list[FixOutcome]] = {}
        for o in todo:
            groups.setdefault(o.doc.get("import_id"), []).append(o)
        for import_id, group in groups.items():
            rules, rules_from = self.rules.rules(import_id)
            trial = [{**o.doc, "mapped": o.mapped, "original": o.doc.get("original") or {  # what the import queued
                "mapped": o.doc.get("mapped"), "errors": o.doc.get("errors"), "warnings": o.doc.get("warnings")}}
                for o in group]
            for o, t, check in zip(group, trial, check_rows(self.db, trial, rules, rules_from).checks):
                o.new = {**t, "errors": check.errors, "warnings": check.warnings, "valid": check.valid,
                         "rules_from": rules_from}
        if not write or not todo:
            return outs
        written = self._replace_many([(o.doc, o.new) for o in todo if o.new is not None], expected)
        entries = []
        for o in todo:
            if o.doc["_id"] not in written:
                o.conflict = True
                continue
            o.new = written[o.doc["_id"]]
            note = f"{len(o.new['errors'])} error(s) remain" if o.new["errors"] else "valid now"
            extra: dict[str, Any] = {}
            if bulk_id is not None:
                extra = {"bulk_id": bulk_id, "entry_id": audit.audit_id("bulk", bulk_id, o.doc["_id"]),
                         "undo": undo_state(o.doc, o.new["version"])}
            entries.append(self._audit_entry("rejected_row.fix", o.doc, o.before, o.after, note=note, **extra))
        audit.insert_idempotent(self.db, "audit_log", entries)
        return outs

    def _replace_many(self, pairs: list[tuple[dict[str, Any], dict[str, Any]]],
                      expected: dict[str, int] | None) -> dict[str, dict[str, Any]]:
        """Replace each ``doc`` by its ``new`` (one version more) where nobody changed it since it was
        read (or since ``expected[id]``): one round trip; returns the written documents by id."""
        now = datetime.now(UTC)
        token = uuid.uuid4().hex
        ops, news = [], {}
        for doc, new in pairs:
            version = int(doc.get("version") or 0)
            want = (expected or {}).get(doc["_id"])
            if want is not None and want != version:
                continue
            flt: dict[str, Any] = {"_id": doc["_id"], "version": version if version else {"$exists": False}}
            news[doc["_id"]] = {**new, "version": version + 1, "updated_at": now, "write_id": token}
            ops.append(ReplaceOne(flt, storable(news[doc["_id"]])))
        if not ops:
            return {}
        from booking_desktop.storage.review_counts import writing

        with writing(self.db, {doc.get("import_id") for doc, _ in pairs}):
            matched = self.db.rejected_rows.bulk_write(ops, ordered=False).matched_count
        if matched == len(ops):
            return news
        ids = list(news)
        ours = set()
        for i in range(0, len(ids), 100):
            for d in self.db.rejected_rows.find({"_id": {"$in": ids[i : i + 100]}}, {"write_id": 1}):
                if d.get("write_id") == token:
                    ours.add(d["_id"])
        return {k: v for k, v in news.items() if k in ours}

    def _revalidated(self, doc: dict[str, Any]) -> dict[str, Any]:
        (out,) = self.fix_rows([(doc, {})], write=False)
        return out.new or doc

    def revalidate(self, row_id: str) -> dict[str, Any]:
        """What is wrong with the row now (nothing is written)."""
        doc = self.get(row_id)
        out = row_view(self._revalidated(doc))
        return out

    def discard(self, ids: list[str], reason: str, text: str | None = None,
                expected: dict[str, int] | None = None) -> ActionResult:
        """Discard open rows: ``reason`` is one of :data:`DISCARD_REASONS` or free text (kept as typed,
        under ``other``)."""
        if not reason or not reason.strip():
            raise RefusedError("a discard needs a reason: one of " + ", ".join(DISCARD_REASONS) + " or free text")
        code, free = (reason, text) if reason in DISCARD_REASONS else ("other", reason if text is None else text)
        why = {"reason": code, "label": DISCARD_REASONS[code], "text": free, **self._stamp()}
        return self._each("discard", ids, expected, lambda d: self._require(d, OPEN, "discard"),
                          lambda d: {**d, "status": DISCARDED, "discard": why, "status_note": free or why["label"]},
                          lambda d: ({"status": d.get("status")}, {"status": DISCARDED, "reason": code, "text": free}))

    def reopen(self, ids: list[str], expected: dict[str, int] | None = None) -> ActionResult:
        """Back to the queue: discarded rows only (a resolved row is a booking)."""
        def allowed(d: dict[str, Any]) -> None:
            if d.get("status") == RESOLVED:
                raise RefusedError(
                    f"row {d['_id']} is resolved (booking {d.get('booking_id') or 'committed'}); reopening it "
                    "would make the record both a booking and an open row")

        return self._each("reopen", ids, expected, allowed,
                          lambda d: {**d, "status": OPEN, "status_note": None},
                          lambda d: ({"status": d.get("status")}, {"status": OPEN}))

    def assign(self, ids: list[str], user: str | None, expected: dict[str, int] | None = None) -> ActionResult:
        who = user or None
        return self._each("assign", ids, expected, lambda d: None,
                          lambda d: {**d, "assignee": who},
                          lambda d: ({"assignee": d.get("assignee")}, {"assignee": who}))

    def _each(self, action: str, ids: list[str], expected: dict[str, int] | None, check: Any, change: Any,
              diff: Any) -> ActionResult:
        """Check every row first (an unknown id or a refused row refuses the whole action), then
        write each; rows that changed meanwhile are reported, the others are done."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            raise RefusedError(f"{action}: name at least one row")
        self.authorize(action, ids)
        docs = self._get_many(ids)
        for d in docs:
            check(d)
            if d.get("claim") and action != "assign":
                raise RefusedError(f"row {d['_id']} is being resubmitted ({_claim_text(d['claim'])}); run "
                                   f"`review resubmit {d['_id']}` to finish that (it is safe to repeat)")
        out = ActionResult()
        for d in docs:
            try:
                self._replace(d, change(d), (expected or {}).get(d["_id"]))
            except ConflictError:
                out.conflicts.append(d["_id"])
                continue
            before, after = diff(d)
            self._audit(f"rejected_row.{action}", d, before, after)
            out.done.append(d["_id"])
        return out

    @staticmethod
    def _require(doc: dict[str, Any], status: str, action: str) -> None:
        if doc.get("status", OPEN) != status:
            raise RefusedError(f"row {doc['_id']} is {doc.get('status')}; only {status} rows can be {_done(action)}"
                               + ("" if doc.get("status") != DISCARDED else " (reopen it first)"))

    def resubmit(self, ids: list[str] | None = None, flt: ReviewFilter | None = None, **kw: Any) -> Any:
        """Commit rows that are valid now (see review_resubmit.py)."""
        from booking_desktop.storage.review_resubmit import resubmit

        return resubmit(self, ids, flt, **kw)

    def with_filter(self, flt: ReviewFilter, **changes: Any) -> ReviewFilter:
        return replace(flt, **changes)


# SecantusDB scans the whole collection for a query with a field that its index does not hold, and
# a hint() makes it scan the whole index (docs/STORAGE.md): so the server gets the status, one of
# these fields and the window, each pair held by one index of client.ensure_indexes, in this order
# of preference; the other conditions are checked on the rows that come back.
INDEXED = ("import_id", "file_name", "errors.code", "vendor")


def split_query(query: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the server is asked, what is checked here) of a queue query without its window."""
    server: dict[str, Any] = {}
    rest = {k: v for k, v in query.items() if k != "created_at"}
    if "status" in rest:
        server["status"] = rest.pop("status")
        for key in INDEXED:
            if key in rest:
                server[key] = rest.pop(key)
                break
    return server, rest


def matches(doc: dict[str, Any], rest: dict[str, Any]) -> bool:
    """Does ``doc`` meet the conditions of a queue query that the server did not check?"""
    errors = doc.get("errors") or []
    for key, want in rest.items():
        if key == "errors":
            cond = want["$elemMatch"]
            if not any(all(e.get(k) == v for k, v in cond.items()) for e in errors):
                return False
        elif key.startswith("errors."):
            if not any(e.get(key[7:]) == want for e in errors):
                return False
        elif isinstance(want, dict) and "$ne" in want:
            if doc.get(key) == want["$ne"]:
                return False
        elif doc.get(key) != want:
            return False
    return True


def _done(action: str) -> str:
    return {"fix": "fixed", "discard": "discarded", "resubmit": "resubmitted"}.get(action, action + "ed")


def _changed(doc: dict[str, Any]) -> str:
    return (f"row {doc['_id']} (record {doc.get('record')}) changed since it was read (another supervisor acted "
            "on it); read it again and repeat the action")


def _claim_text(claim: dict[str, Any]) -> str:
    at = claim.get("at")
    when = at.strftime("%Y-%m-%d %H:%M UTC") if isinstance(at, datetime) else "earlier"
    return f"started by {claim.get('os_user') or 'someone'} at {when}"
