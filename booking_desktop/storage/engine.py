"""CommitEngine: validated rows into ``bookings`` exactly once, rejected rows into
``rejected_rows``, progress into ``imports``, changes into ``audit_log``.

Why it looks the way it does (measured on the local server, see docs/STORAGE.md):
upserts cost O(collection) per operation, while ``$in`` look-ups, ``insert_many``
and updates by ``_id`` are fast.  So each batch

1. looks up the batch's ``_id`` s (deterministic from vendor + booking_ref) and their content hashes,
2. inserts the new ones (unordered; a duplicate-key error means a concurrent
   writer got there first: look it up again and treat it as existing),
3. writes the previous values of the changed ones to the audit log, then updates them by ``_id``,
4. queues the batch's rejected rows, and
5. advances the import's bookmark.

Every step is idempotent (deterministic ``_id`` s everywhere, and a booking
written by *this* import is recognised on replay), so a batch interrupted at
any point is simply run again.  Where the server supports transactions, steps
1-5 of a batch commit atomically as well; a write error inside the transaction
aborts it, and the batch runs again knowing which bookings exist or which
documents the server refuses (batch.py).

The engine is a generator: it yields :class:`CommitProgress` after every batch,
checks ``cancelled()`` between batches, and returns a :class:`CommitSummary`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from bson.errors import InvalidDocument
from pymongo.database import Database
from pymongo.errors import PyMongoError

from booking_desktop.errors import ReadError
from booking_desktop.generators import drive
from booking_desktop.storage import imports as imp
from booking_desktop.storage.batch import Attempt, BatchWrites, ConcurrentInsert, Plan, RefusedRows
from booking_desktop.storage.client import ensure_indexes
from booking_desktop.storage.connection import ServerTraits, detect_traits
from booking_desktop.storage.mapper import BookingMapper, SourceRef
from booking_desktop.storage.retry import RetriesExhausted, RetryPolicy, is_transient

if TYPE_CHECKING:
    from booking_desktop.pipeline import PipelineResult

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_BATCH_SIZE = 2000  # per-batch costs (probe, bookmark, round trips) are ~8 % less than at 1000 on SecantusDB
MAX_BATCH_SIZE = 5000  # a request stays well inside the client's timeouts (2 minutes) on a slow server
# what a refused batch raises: server errors, and the driver's own refusals (DocumentTooLarge is an
# InvalidDocument; text that is not valid Unicode cannot be encoded)
REFUSED = (PyMongoError, InvalidDocument, UnicodeEncodeError)
MAX_TRANSACTION_REPLAYS = 5
PREVIEW_HASH_CHUNK = 20_000  # rows hashed per call by the preview (each call holds the GIL throughout)
PREVIEW_PROGRESS_SECONDS = 0.1  # the preview yields its progress at most this often (a chunk is 100-1000 keys)


class StorageError(Exception):
    """The database could not be used; ``str()`` is one line for the user, without secrets.
    ``code`` is stable (docs/ERROR_CODES.md): the window decides what to offer by it, never by the text."""

    code = "storage"


class FileChangedError(StorageError):
    """The file changed on disk after it was read: its rows in hand are not the file's content."""

    code = "file-changed"


class MissingVendorError(StorageError):
    """Rows without a vendor: booking identity is (vendor, booking_ref), so they cannot be committed."""

    code = "missing-vendor"


@dataclass(frozen=True)
class CommitProgress:
    import_id: str
    records_done: int
    records: int
    batch: int
    batches: int
    rate: float  # records per second in this run
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class CommitSummary:
    import_id: str
    status: str
    records: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    resumed: bool = False
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Preview:
    records: int
    new: int
    changed: int
    unchanged: int
    rejected: int  # validation errors and duplicates within the file
    duplicates: int = 0  # of ``rejected``: later copies of a booking that appears earlier in the file


@dataclass(frozen=True)
class PreviewProgress:
    """How far the preview's look-up is (yielded by :meth:`CommitEngine.preview_steps`)."""

    stage: str  # "planning" (keys and content hashes of the rows) or "looking up" (which exist)
    done: int  # valid rows hashed ("planning") or looked up so far
    total: int  # valid rows to hash or look up (0 while the keys are made)
    rate: float = 0.0  # rows looked up per second


@dataclass(frozen=True)
class CommitOutcome:
    """Which rows of the committed result ended where: for the window's marks and the summary's words.

    ``done`` rows (from the start) were committed by this import (or an earlier run it resumed);
    of those, ``rejected`` positions went to the review queue (``duplicates`` of them as later copies
    of a booking earlier in the file) and the others are bookings now.  Rows from ``done`` on were not
    committed (the commit stopped)."""

    done: int
    rejected: np.ndarray  # sorted positions < done
    duplicates: int


def _never() -> bool:
    return False


def file_facts(result: PipelineResult) -> imp.FileFacts:
    """The file's identity: the sha256 of the bytes that were read (resume and rejected ids use it).
    A file whose content on disk is no longer what was read is refused: the operator would commit
    rows that are not the file's (compared by content, not by size and modification time)."""
    src = result.raw.source
    path = Path(src.path)
    if not src.sha256 and src.hash_job is None and not path.is_file():
        raise StorageError(f"{path.name}: the file's content hash is unknown and the file is not readable")
    try:
        sha = src.content_sha256()
        src.check_unchanged()
    except ReadError as exc:
        raise FileChangedError(str(exc)) if exc.problem.code == "file-changed" else StorageError(str(exc)) from None
    size = int(src.size or 0) or (path.stat().st_size if path.is_file() else 0)
    return imp.FileFacts(name=path.name, path=str(path), sha256=sha, size=size, format=src.format)


class CommitEngine(BatchWrites):
    """Commits a :class:`~booking_desktop.pipeline.PipelineResult` to a database.

    ``db`` is a pymongo Database (the engine receives its client; it never opens one).
    """

    def __init__(
        self,
        db: Database,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        retry: RetryPolicy | None = None,
        use_transactions: bool | None = None,
        db_user: str | None = None,
        mapper: BookingMapper | None = None,
        traits: ServerTraits | None = None,
    ):
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.db = db
        self.batch_size = min(batch_size, MAX_BATCH_SIZE)
        self.retry = retry or RetryPolicy()
        self._open_rejects: dict[tuple[str, str], bool] = {}  # (import id, file sha256) -> any open rejected rows
        self._fixed: dict[tuple[str, str], dict[int, str]] = {}  # (import id, file sha256) -> fixed records
        self._traits = traits  # learned from the server on first use when not given (connection.connect gives it)
        self._mapper = mapper
        self.db_user = db_user
        self._use_transactions = use_transactions
        self._prepared: dict[tuple[int, int, int], list[dict[str, Any]]] = {}
        self._pending: Future | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._indexed = False
        self.last_plan: Plan | None = None  # the plan of the latest commit (the window marks its rows)
        self._last_records = np.zeros(0, dtype=np.int64)
        self._previewed: tuple[tuple[Any, Any, Any], Plan] | None = None  # the latest preview's plan

    # -- planning ----------------------------------------------------------
    def _plan(self, result: PipelineResult) -> Plan:
        typed = result.typed
        n = len(typed)
        errors = np.asarray(result.error_rows, dtype=bool)
        if len(errors) != n:
            raise ValueError(f"error_rows has {len(errors)} entries for {n} rows")
        valid_pos = np.flatnonzero(~errors)
        keys: list[str | None] = [None] * n
        valid_keys = (self._mapper or BookingMapper()).keys(typed.iloc[valid_pos]) if len(valid_pos) else []
        for p, k in zip(valid_pos.tolist(), valid_keys):
            keys[p] = k
        rejected = errors.copy()
        duplicate_of: dict[int, int] = {}
        if len(valid_pos):
            s = pd.Series(valid_keys, index=valid_pos)
            dup = s.duplicated(keep="first")
            if dup.any():
                first = {k: int(p) for p, k in zip(s.index[~dup], s[~dup])}
                for p, k in zip(s.index[dup], s[dup]):
                    duplicate_of[int(p)] = first[k]
                    rejected[p] = True
                    keys[p] = None
        vendor = result.vendor
        row_vendor = None
        if "vendor" in typed.columns:
            row_vendor = typed["vendor"].astype(object).to_numpy()
            missing = pd.isna(typed["vendor"]).to_numpy() | (typed["vendor"].astype(object).to_numpy() == "")
            if not vendor and bool((missing & ~rejected).any()):
                raise MissingVendorError(
                    f"{Path(result.raw.source.path).name}: {int((missing & ~rejected).sum()):,} row(s) have no "
                    "vendor, and the booking's identity is the vendor with its booking_ref; name the vendor "
                    "(a profile with a vendor, --vendor CODE, or the vendor asked before the commit)"
                )
            if not vendor:
                uniq = pd.unique(typed["vendor"].dropna())
                vendor = str(uniq[0]) if len(uniq) == 1 else "mixed"
        elif not vendor:
            raise MissingVendorError(
                f"{Path(result.raw.source.path).name}: the rows have no vendor; name it with a profile or --vendor"
            )
        return Plan(
            n=n,
            keys=keys,
            rejected=rejected,
            duplicate_of=duplicate_of,
            vendor=vendor or "unknown",
            row_vendor=row_vendor,
        )

    def _plan_once(self, result: PipelineResult) -> Plan:
        """The plan of the preview of this very result when there was one (the same objects: the window
        locks the session between its preview and its commit), else a new one.  At a million rows the
        plan takes seconds, which the commit's first progress no longer waits for."""
        previewed, self._previewed = self._previewed, None
        if previewed is not None and all(a is b for a, b in zip(previewed[0], _identity(result), strict=True)):
            return previewed[1]
        return self._plan(result)

    @property
    def traits(self) -> ServerTraits:
        if self._traits is None:
            self._traits = detect_traits(self.db.client)
        return self._traits

    @property
    def mapper(self) -> BookingMapper:
        """Decides once per connection how money is stored (Decimal128 where the server has it)."""
        if self._mapper is None:
            self._mapper = BookingMapper(decimal128=self.traits.decimal128)
        return self._mapper

    @property
    def lookup_chunk(self) -> int:
        return self.traits.lookup_chunk

    def _transactions(self) -> bool:
        if self._use_transactions is None:
            self._use_transactions = self.traits.commit_in_transactions
        return bool(self._use_transactions)

    # -- preview -----------------------------------------------------------
    def preview(self, result: PipelineResult) -> Preview:
        """Counts of new / changed / unchanged / rejected rows, without writing anything.
        Raises FileChangedError when the file changed on disk since it was read."""
        gen = self.preview_steps(result)
        while True:
            try:
                next(gen)
            except StopIteration as stop:
                return stop.value

    def preview_steps(
        self, result: PipelineResult, cancelled: Callable[[], bool] = _never
    ) -> Generator[PreviewProgress, None, Preview]:
        """:meth:`preview` as a generator: yields :class:`PreviewProgress` while it plans and after each
        look-up chunk, and stops (``pipeline.Cancelled``) between chunks once ``cancelled()`` says so."""
        from booking_desktop.pipeline import Cancelled

        t0 = time.monotonic()
        file_facts(result)  # the commit needs the file's identity: a changed file is refused now, not later
        yield PreviewProgress("planning", 0, 0)
        plan = self._plan(result)
        valid_pos = np.flatnonzero(~plan.rejected)
        keys = [plan.keys[p] for p in valid_pos.tolist()]
        # the content hashes in chunks: a million rows took 29 s in one call that held the GIL for up to
        # 1.3 s at a time (the window froze); per chunk the preview reports progress and can stop
        mapper = self._mapper or BookingMapper()
        hashes: list[str] = []
        n_valid = len(valid_pos)
        t_hash = time.monotonic()
        for i in range(0, n_valid, PREVIEW_HASH_CHUNK):
            if cancelled():
                raise Cancelled()
            hashes += mapper.hashes(result.typed.iloc[valid_pos[i : i + PREVIEW_HASH_CHUNK]])
            done = min(n_valid, i + PREVIEW_HASH_CHUNK)
            yield PreviewProgress("planning", done, n_valid, done / max(time.monotonic() - t_hash, 1e-9))
        if cancelled():
            raise Cancelled()
        new = changed = unchanged = 0
        step = self.lookup_chunk
        total = len(keys)
        t1 = time.monotonic()
        yield PreviewProgress("looking up", 0, total)
        last = t1
        for i in range(0, total, step):
            if cancelled():
                raise Cancelled()
            chunk = keys[i : i + step]
            stored = {
                d["_id"]: d.get("content_hash")
                for d in self.db.bookings.find({"_id": {"$in": chunk}}, {"content_hash": 1})
            }
            for k, h in zip(chunk, hashes[i : i + step]):
                if k not in stored:
                    new += 1
                elif stored[k] == h:
                    unchanged += 1
                else:
                    changed += 1
            now = time.monotonic()
            done = min(total, i + step)
            if now - last >= PREVIEW_PROGRESS_SECONDS or done == total:
                last = now
                yield PreviewProgress("looking up", done, total, done / max(now - t1, 1e-9))
        log.info("preview of %d records in %.1f s", plan.n, time.monotonic() - t0)
        self._previewed = (_identity(result), plan)
        return Preview(
            records=plan.n,
            new=new,
            changed=changed,
            unchanged=unchanged,
            rejected=int(plan.rejected.sum()),
            duplicates=len(plan.duplicate_of),
        )

    def outcome(self, summary: CommitSummary) -> CommitOutcome | None:
        """Where the rows of the latest :meth:`commit` went (None before any commit).

        The rows the plan rejected are known without asking the server; rows the server refused
        (``commit_failed``) are read back from ``rejected_rows`` only when the counts say there are some."""
        plan = self.last_plan
        if plan is None:
            return None
        done = int(summary.inserted + summary.updated + summary.unchanged + summary.rejected)
        done = max(0, min(done, plan.n))
        rejected = np.flatnonzero(plan.rejected[:done])
        dups = sum(1 for p in plan.duplicate_of if p < done)
        if summary.rejected > len(rejected):  # the server refused some rows: which ones
            position_of = {int(r): i for i, r in enumerate(self._last_records[:done].tolist())}
            refused = [
                position_of[int(d["record"])]
                for d in self.db.rejected_rows.find({"import_id": summary.import_id}, {"record": 1})
                if int(d["record"]) in position_of
            ]
            rejected = np.union1d(rejected, np.asarray(refused, dtype=np.int64))
        return CommitOutcome(done=done, rejected=rejected.astype(np.int64), duplicates=dups)

    # -- commit ------------------------------------------------------------
    def commit(
        self,
        result: PipelineResult,
        *,
        resume: str | None = None,
        cancelled: Callable[[], bool] = _never,
        profile_name: str | None = None,
    ) -> Generator[CommitProgress, None, CommitSummary]:
        """Commit ``result``; yields progress per batch, returns the summary.

        ``resume``: an import id to continue.  Without it, an unfinished import of
        the same file (same sha256, vendor and rows) is found and continued.
        """
        t0 = time.monotonic()
        file = file_facts(result)
        plan = self._plan_once(result)
        self.last_plan, self._last_records = plan, result.record_numbers_array()
        digest = imp.plan_digest(plan.keys, plan.rejected)
        edited = self._edited_records(result, plan)
        if profile_name is None and result.profile is not None:
            profile_name = getattr(result.profile, "name", None)
        try:
            new_id = imp.new_import_id()
            doc, resumed = self.retry.call(
                lambda: self._open_import(file, plan, digest, resume, profile_name, new_id, edited),
                "starting the import",
            )
        except RetriesExhausted as exc:
            raise StorageError(f"cannot reach the database: {exc.last.__class__.__name__}") from None
        except PyMongoError as exc:  # e.g. not authorized: one line, no traceback
            raise StorageError(f"the database refused to start the import: {_short(exc)}") from None
        import_id = doc["_id"]
        state = {"doc": doc}
        totals = {k: int(doc["counts"].get(k, 0)) for k in imp.COUNT_NAMES}
        position = int(doc["next_position"])
        source = SourceRef(import_id, file.name, file.sha256)
        batches = max(1, -(-plan.n // self.batch_size))
        done_here = 0
        finished = False

        def summary(status: str, error: str | None = None) -> CommitSummary:
            return CommitSummary(
                import_id=import_id,
                status=status,
                records=plan.n,
                seconds=time.monotonic() - t0,
                resumed=resumed,
                error=error,
                **totals,
            )

        try:
            while position < plan.n:
                if cancelled():
                    self._finish_quietly(state, imp.INTERRUPTED, "cancelled by the user")
                    finished = True
                    return summary(imp.INTERRUPTED, "cancelled by the user")
                end = min(plan.n, position + self.batch_size)
                self._prefetch(result, plan, source, end, min(plan.n, end + self.batch_size))
                try:
                    counts = self._run_batch(result, plan, source, file, position, end, totals, state)
                except RetriesExhausted as exc:
                    msg = f"the database stopped answering at record {position + 1}: {exc}"
                    self._finish_quietly(state, imp.INTERRUPTED, msg)
                    finished = True
                    return summary(imp.INTERRUPTED, msg)
                for k in imp.COUNT_NAMES:
                    totals[k] += counts[k]
                done_here += end - position
                position = end
                rate = done_here / max(time.monotonic() - t0, 1e-9)
                yield CommitProgress(
                    import_id,
                    position,
                    plan.n,
                    position // self.batch_size + (position % self.batch_size > 0),
                    batches,
                    rate,
                    **totals,
                )
            try:
                self.retry.call(
                    lambda: self._in_transaction(
                        lambda s: imp.finish(self._durable(s), state["doc"], imp.COMPLETED, session=s)
                    ),
                    "finishing the import",
                )
            except RetriesExhausted as exc:
                finished = True
                return summary(
                    imp.INTERRUPTED, f"all records written, but the import could not be marked completed: {exc}"
                )
            finished = True
            return summary(imp.COMPLETED)
        except REFUSED as exc:
            msg = f"commit failed at record {position + 1}: {type(exc).__name__}: {_short(exc)}"
            self._finish_quietly(state, imp.FAILED, msg)
            finished = True
            return summary(imp.FAILED, msg)
        finally:
            self._stop_prefetch()
            if not finished:  # generator closed (GeneratorExit) or an unexpected error
                self._finish_quietly(state, imp.INTERRUPTED, "stopped before the end")

    def run(self, result: PipelineResult, **kw: Any) -> CommitSummary:
        """Drive :meth:`commit` to the end (scripts, tests)."""
        return drive(self.commit(result, **kw))

    # -- internals -----------------------------------------------------------
    def _open_import(
        self,
        file: imp.FileFacts,
        plan: Plan,
        digest: str,
        resume: str | None,
        profile: str | None,
        new_id: str,
        edited: list[int],
    ) -> tuple[dict[str, Any], bool]:
        if not self._indexed:  # the unique (vendor, booking_ref) index is the safety net: never commit without it
            ensure_indexes(self.db)
            self._indexed = True
        self._transactions()  # learn what the server can do (once) before the first batch
        mine = self.db.imports.find_one({"_id": new_id})
        if mine is not None:  # created by an earlier attempt whose reply was lost
            return mine, False
        doc: dict[str, Any] | None
        if resume:
            doc = imp.load_for_resume(self.db, resume, file.sha256, digest)
        else:
            doc = imp.find_resumable(self.db, file.sha256, plan.vendor, digest)
        if doc is not None:
            found = doc
            doc = self._in_transaction(lambda s: imp.mark_resumed(self._durable(s), found, session=s))
            log.info("resuming import %s at record %d", doc["_id"], doc["next_position"] + 1)
            return doc, True
        doc = imp.create(
            self._durable(None),
            new_id,
            file,
            plan.vendor,
            profile,
            plan.n,
            self.batch_size,
            digest,
            self.db_user,
            edited_records=edited,
        )
        return doc, False

    @staticmethod
    def _edited_records(result: PipelineResult, plan: Plan) -> list[int]:
        """Record numbers the operator edited that this import commits (not those it rejects)."""
        edited = getattr(result, "edited_records", None)
        if edited is None or not len(edited):
            return []
        committed = set(result.record_numbers_array()[~plan.rejected].tolist())
        return sorted(int(r) for r in np.asarray(edited).tolist() if int(r) in committed)

    def _prefetch(self, result: PipelineResult, plan: Plan, source: SourceRef, start: int, end: int) -> None:
        if start >= end:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commit-prepare")
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._prepare, result, plan, source, start, end)

    def _stop_prefetch(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending = None
        self._prepared.clear()

    def _finish_quietly(self, state: dict[str, Any], status: str, error: str | None) -> None:
        """Best effort: the server may be the thing that is down."""
        try:
            RetryPolicy(budget=2.0).call(
                lambda: self._in_transaction(lambda s: imp.finish(self._durable(s), state["doc"], status, error, s)),
                "marking the import",
            )
        except (RetriesExhausted, PyMongoError) as exc:
            log.warning("could not mark import %s %s: %s", state["doc"]["_id"], status, type(exc).__name__)

    def _run_batch(
        self,
        result: PipelineResult,
        plan: Plan,
        source: SourceRef,
        file: imp.FileFacts,
        start: int,
        end: int,
        totals: dict[str, int],
        state: dict[str, Any],
    ) -> dict[str, int]:
        """One batch, retried as a whole on transient errors (it is idempotent).

        A batch the server refuses for good is split in halves until the rows it
        refuses are isolated; those go to ``rejected_rows`` as ``commit_failed``.
        """
        positions = np.arange(start, end)
        what = f"committing records {start + 1}-{end}"
        try:
            return self.retry.call(
                lambda: self._attempt(result, plan, source, file, positions, (start, end, totals, state)), what
            )
        except REFUSED as exc:
            if is_transient(exc):
                raise
            log.warning("%s refused (%s); isolating the rows it refuses", what, type(exc).__name__)
            counts = self._salvage(result, plan, source, file, positions, exc)
            state["doc"] = self.retry.call(lambda: self._progress(start, end, totals, state, counts, None), what)
            return counts

    def _attempt(
        self,
        result: PipelineResult,
        plan: Plan,
        source: SourceRef,
        file: imp.FileFacts,
        positions: np.ndarray,
        progress: tuple[int, int, dict[str, int], dict[str, Any]] | None,
    ) -> dict[str, int]:
        def apply(att: Attempt) -> tuple[dict[str, int], dict[str, Any] | None]:
            counts = self._apply(result, plan, source, file, positions, att)
            return counts, (self._progress(*progress, counts, att.session) if progress else None)

        att = Attempt()
        if not self._transactions():
            counts, new_doc = apply(att)
        else:
            for _ in range(MAX_TRANSACTION_REPLAYS):
                try:
                    with self.db.client.start_session() as s, s.start_transaction():
                        att.session = s
                        counts, new_doc = apply(att)
                        _commit(s)
                    break
                except ConcurrentInsert:
                    att = Attempt(refused=att.refused, full_lookup=True)  # look every key up this time
                except RefusedRows as exc:
                    # the transaction was aborted: run the batch again without the refused documents
                    full = att.full_lookup or exc.duplicates
                    att = Attempt(refused={**att.refused, **exc.refused}, full_lookup=full)
            else:
                raise StorageError("another writer keeps inserting the same bookings; try again later")
        if progress:
            progress[3]["doc"] = new_doc  # only once the batch is committed
        return counts

    def _durable(self, session: Any) -> Database:
        """The database to write an import's start, resume and end with: journaled (outside a transaction,
        which has its own write concern) where the server takes that well."""
        if session is not None or not self.traits.journal_writes:
            return self.db
        return self.db.with_options(write_concern=imp.JOURNALED)

    def _in_transaction(self, fn: Callable[[Any], T]) -> T:
        """``fn(session)`` in a short transaction on the transaction path, else ``fn(None)``.

        On a replica set every write to an import record goes through a transaction: a write outside
        one that touches a document an abandoned transaction holds (the app was killed in the middle
        of a batch) would wait for that transaction to be reaped, forever on SecantusDB
        (docs/STORAGE.md); inside one it fails at once with a transient write conflict, and is retried.
        """
        if not self._transactions():
            return fn(None)
        with self.db.client.start_session() as s, s.start_transaction(write_concern=imp.JOURNALED):
            out = fn(s)
            _commit(s)
            return out

    def _salvage(
        self,
        result: PipelineResult,
        plan: Plan,
        source: SourceRef,
        file: imp.FileFacts,
        positions: np.ndarray,
        exc: Exception,
    ) -> dict[str, int]:
        if len(positions) == 1:
            p = int(positions[0])
            msg = f"the database refused this record: {type(exc).__name__}: {_short(exc)}"[:500]
            reason = {p: [{"field": None, "code": "commit_failed", "value": None, "message": msg}]}
            self.retry.call(
                lambda: self._write_rejected(result, plan, source, file, positions, reason, None),
                f"queueing record {p + 1}",
            )
            return {**dict.fromkeys(imp.COUNT_NAMES, 0), "rejected": 1}
        total = dict.fromkeys(imp.COUNT_NAMES, 0)
        mid = len(positions) // 2
        for half in (positions[:mid], positions[mid:]):
            try:
                counts = self.retry.call(
                    functools.partial(self._attempt, result, plan, source, file, half, None),
                    f"committing records {half[0] + 1}-{half[-1] + 1}",
                )
            except REFUSED as e:
                if is_transient(e):
                    raise
                counts = self._salvage(result, plan, source, file, half, e)
            for k in imp.COUNT_NAMES:
                total[k] += counts[k]
        return total

    def _progress(
        self, start: int, end: int, totals: dict[str, int], state: dict[str, Any], counts: dict[str, int], session: Any
    ) -> dict[str, Any]:
        new_totals = {k: totals[k] + counts[k] for k in imp.COUNT_NAMES}
        batch = {"first_record": start + 1, "last_record": end, **counts}
        return imp.record_batch(self.db, state["doc"], start, end, new_totals, batch, session=session)

    def _documents(self, result: PipelineResult, source: SourceRef, good: np.ndarray) -> list[dict[str, Any]]:
        records = result.record_numbers_array()[good].tolist()
        return self.mapper.to_documents(result.typed.iloc[good], records, source, now=datetime.now(UTC))

    def _prepare(self, result: PipelineResult, plan: Plan, source: SourceRef, start: int, end: int) -> None:
        """Build the next batch's documents (in a worker thread, while the server works on this one)."""
        positions = np.arange(start, end)
        good = positions[~plan.rejected[positions]]
        if len(good):
            docs = self._documents(result, source, good)
            self._prepared[(int(good[0]), int(good[-1]), len(good))] = docs

    def _take_prepared(self, good: np.ndarray) -> list[dict[str, Any]] | None:
        # the batch's own preparation was awaited by _prefetch (which re-raises its errors here, in this thread)
        return self._prepared.pop((int(good[0]), int(good[-1]), len(good)), None)


COMMIT_RETRY_SECONDS = 30.0


def _commit(session: Any) -> None:
    """Commit the session's transaction, retrying the commit itself while its outcome is unknown
    (the reply was lost: the transaction may or may not be committed; committing again is safe and
    tells).  Without this an uncommitted transaction is left holding its documents."""
    deadline = time.monotonic() + COMMIT_RETRY_SECONDS
    delay = 0.05
    while True:
        try:
            session.commit_transaction()
            return
        except PyMongoError as exc:
            if not exc.has_error_label("UnknownTransactionCommitResult") or time.monotonic() > deadline:
                raise
            log.info("the commit's outcome is unknown (%s); committing again", type(exc).__name__)
            time.sleep(delay)
            delay = min(1.0, delay * 2)


def _identity(result: PipelineResult) -> tuple[Any, Any, Any]:
    """Which result (and which frames of it) a plan was made for (held, so that no other object can
    take their place)."""
    return result, result.typed, result.error_rows


def _short(exc: BaseException) -> str:
    """First line of an error, without pymongo's ", full error: {...}" dump."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split(", full error:")[0][:300]


__all__ = [
    "DEFAULT_BATCH_SIZE",
    "CommitEngine",
    "CommitOutcome",
    "CommitProgress",
    "CommitSummary",
    "Preview",
    "PreviewProgress",
    "StorageError",
    "is_transient",
]
