"""Maintained counts of the review queue: rows per vendor x status x error code, one small
document per import in ``review_counts``, so that ``ReviewQueue.counts`` reads those instead of
every row (28 s at 200,000 rows, bench/RESULTS.md).

Exact by construction, without transactions and whatever crashes:

* every writer of ``rejected_rows`` — the commit engine's batches, ``imports.set_rejected_status``,
  every queue action (``ReviewQueue._replace_many``) — wraps its write in :func:`writing`: it adds 1
  to the partition's ``begun`` before the write and to ``ended`` after it (``$inc``: atomic, and
  harmless when repeated by a replayed batch);
* a partition's ``rows`` are trusted only while ``counted == begun == ended``; otherwise the
  import's rows are counted again (:func:`recount_import`, through the ``import`` index) — and the
  new numbers are kept only if no write began or was in flight while they were counted;
* a writer that died between its two ``$inc`` leaves ``begun > ended``: that partition is counted
  from its rows at every ``counts`` (slower, never wrong) until ``review recount``, which rebuilds
  every partition and heals those left so for more than :data:`STUCK_AFTER`.

A row with two codes counts under each, as ``ReviewQueue.counts`` always did; the counts answer
filters on vendor, status, code and import — other filters are counted from the rows.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COUNTS = "review_counts"
STUCK_AFTER = timedelta(hours=1)
Tally = Counter[tuple[Any, Any, Any]]  # (vendor, status, code) -> rows


def _key(import_id: Any) -> str:
    return f"i:{import_id}" if import_id is not None else "none"


@contextlib.contextmanager
def writing(db: Database, import_ids: Iterable[Any], session: Any = None) -> Iterator[None]:
    """Around a write to rows of these imports (see the module's doc)."""
    keys = sorted({_key(i) for i in import_ids})
    now = time.time()  # a number: nx-27017 stores a date given to an update operator as text
    for k in keys:
        db[COUNTS].update_one({"_id": k}, {"$inc": {"begun": 1}, "$max": {"touched": now}}, upsert=True,
                              session=session)
    try:
        yield
    finally:  # a write that failed is over too (its partition is counted again anyway)
        for k in keys:
            db[COUNTS].update_one({"_id": k}, {"$inc": {"ended": 1}}, upsert=True, session=session)


def row_pairs(doc: dict[str, Any]) -> set[tuple[Any, Any, Any]]:
    codes = {e.get("code") for e in doc.get("errors") or () if isinstance(e, dict)}
    status = doc.get("status", "open")
    return {(doc.get("vendor"), status, c) for c in codes}


def _clean(part: dict[str, Any] | None) -> bool:
    return part is not None and part.get("begun", 0) == part.get("ended", 0) == part.get("counted", -1)


def _import_of(key: str) -> Any:
    return None if key == "none" else key[2:]


def recount_import(db: Database, key: str, part: dict[str, Any] | None) -> Tally:
    """The import's rows counted from ``rejected_rows``; kept in its partition if no write to them
    began or was in flight meanwhile."""
    import_id = _import_of(key)
    tally: Tally = Counter()
    query = {"import_id": import_id} if import_id is not None else {"import_id": None}
    for d in db.rejected_rows.find(query, {"vendor": 1, "status": 1, "errors": 1}, batch_size=5000):
        tally.update(row_pairs(d))
    after = db[COUNTS].find_one({"_id": key})
    b0, e0 = (part or {}).get("begun", 0), (part or {}).get("ended", 0)
    if after is not None and b0 == e0 == after.get("begun", 0) == after.get("ended", 0):
        new = {**after, "counted": b0, "rows": [[v, s, c, n] for (v, s, c), n in sorted(tally.items(), key=str)],
               "counted_at": datetime.now(UTC)}
        db[COUNTS].replace_one({"_id": key, "begun": b0, "ended": e0}, new)
    return tally


def maintained(db: Database, import_id: Any = None, *, only: bool = False) -> Tally:
    """Rows per (vendor, status, code) of every import (or of ``import_id`` with ``only``), from the
    partitions, counting again those that are not clean."""
    if not db[COUNTS].find_one({"_id": "_built"}):
        rebuild(db)
    parts = [db[COUNTS].find_one({"_id": _key(import_id)})] if only else [
        p for p in db[COUNTS].find({}) if p["_id"] != "_built"]
    out: Tally = Counter()
    for p in parts:
        if p is None:
            continue
        if _clean(p):
            out.update({(v, s, c): n for v, s, c, n in p.get("rows") or []})
        else:
            out.update(recount_import(db, p["_id"], p))
    return out


def rebuild(db: Database) -> Tally:
    """Every partition from the rows (``review recount``): imports are found in ``rejected_rows``
    itself (one pass), partitions of imports that have no rows any more are emptied, and those
    a dead writer left unfinished for more than :data:`STUCK_AFTER` are healed."""
    before = {p["_id"]: p for p in db[COUNTS].find({}) if p["_id"] != "_built"}
    by_import: dict[str, Tally] = {}
    for d in db.rejected_rows.find({}, {"import_id": 1, "vendor": 1, "status": 1, "errors": 1}, batch_size=5000):
        by_import.setdefault(_key(d.get("import_id")), Counter()).update(row_pairs(d))
    now = datetime.now(UTC)
    total: Tally = Counter()
    for key in sorted(set(by_import) | set(before)):
        tally = by_import.get(key, Counter())
        total.update(tally)
        part = before.get(key)
        begun, ended = (part or {}).get("begun", 0), (part or {}).get("ended", 0)
        touched = (part or {}).get("touched")
        stuck = begun != ended and touched is not None and now.timestamp() - touched > STUCK_AFTER.total_seconds()
        if begun != ended and not stuck:
            continue  # a write is under way: left to be counted when it has ended
        new = {"_id": key, "begun": begun, "ended": begun, "counted": begun, "touched": touched or now.timestamp(),
               "rows": [[v, s, c, n] for (v, s, c), n in sorted(tally.items(), key=str)], "counted_at": now}
        if part is None:
            with contextlib.suppress(DuplicateKeyError):  # a writer created it meanwhile: it is not clean
                db[COUNTS].insert_one(new)
        else:
            db[COUNTS].replace_one({"_id": key, "begun": begun, "ended": ended}, new)
    db[COUNTS].replace_one({"_id": "_built"}, {"_id": "_built", "at": now}, upsert=True)
    return total


def ensure(db: Database) -> None:
    """The collection exists before any batch (one created inside a transaction conflicts with it)."""
    db[COUNTS].create_index("touched", name="touched")


def answers(flt: Any) -> bool:
    """Can the maintained counts answer ``ReviewQueue.counts(flt)``?  Vendor, import and status;
    a code or any other condition is counted from the rows (a code filter counts every code of the
    rows that have it)."""
    from dataclasses import fields

    allowed = {"vendor", "import_id", "status"}
    return all(getattr(flt, f.name) == f.default for f in fields(flt) if f.name not in allowed)


def counts(db: Database, flt: Any) -> list[dict[str, Any]]:
    """``ReviewQueue.counts(flt)`` from the maintained counts (:func:`answers` says when)."""
    tally = maintained(db, flt.import_id, only=flt.import_id is not None)
    rows: Counter[tuple[Any, Any]] = Counter()
    for (vendor, status, code), n in tally.items():
        if (flt.status == "all" or status == flt.status) and (flt.vendor is None or vendor == flt.vendor) and n:
            rows[(vendor, code)] += n
    out = [{"vendor": v, "code": c, "rows": n} for (v, c), n in rows.items()]
    return sorted(out, key=lambda c: (-c["rows"], str(c["vendor"]), str(c["code"])))
