"""The per-day rollup of ``bookings``: maintained by the commit engine exactly once per booking change,
folded into small partition documents, and rebuilt from ``bookings`` with one command.

Why this shape (docs/ANALYTICS.md has the measurements):

- A chart must not scan ``bookings`` (a ``$group`` over 100,000 documents took 14 s on SecantusDB), so
  charts read *rows* (facts.py: counts, nights, revenue in minor units, lead-time and length-of-stay counts
  per kind x day x vendor x channel x property x status x currency, and the same summed per ISO week and
  per month) kept in ``booking_rollup`` documents, one per (date kind, grain, month, vendor): a
  chart reads the rows of its grain for the months and vendors shown, a number that stops growing with
  the bookings once each combination has bookings in each period.  Only plain
  ``find()`` by ``_id``/equality/``$in`` is used, never ``aggregate``: nx-27017 answers ``$group`` and date
  ranges inside ``aggregate`` wrongly, and the numbers must be right on every server.
- The zone: check-in days are civil dates (zone-free); booked_at days are the local days of one *rollup
  zone* (``analytics_meta`` ``{_id: "rollup", zone}``, UTC unless rebuilt with another).  A query by
  booked_at, or of lead time, in another zone is answered exactly by scanning ``bookings`` (slow, and
  says so: ``Trend.source == "bookings"``).  Rolling up per UTC hour would serve every whole-hour zone
  but not India (+05:30) or Nepal (+05:45), and would keep up to 24x more rows.
- Exactly once.  Each batch the engine writes adds one *delta* document to ``rollup_deltas``: the signed
  rows of exactly the bookings it inserted (+new) or replaced (-old +new), and their ids, under a
  deterministic ``_id`` (import id : first : last position), written after the bookings and inside the
  batch's transaction when there is one.  A replayed batch (a crash, a lost reply, a resumed import)
  finds its bookings already written by this import: their contribution is counted again only if no
  delta of this import already holds them (its ids are kept for that), so it is never counted twice
  nor lost, without transactions as well (the engine's own exactly-once rule: deterministic ids and
  "written by this import" recognised on replay).
- Folding: deltas are folded into the partitions by :func:`fold` (before every query, and by ``report
  rollup``).  A partition records the deltas it holds (``applied``) and is replaced whole under a
  version check, so a fold interrupted anywhere, or two at once, never applies a delta twice.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pymongo  # noqa: F401  (first: see booking_desktop/storage/__init__.py)
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from booking_desktop.analytics import facts
from booking_desktop.analytics.metrics import grain_for
from booking_desktop.analytics.periods import months_between, zone

if TYPE_CHECKING:
    from pymongo.database import Database

    from booking_desktop.analytics.metrics import TrendQuery

log = logging.getLogger(__name__)
PARTITIONS = "booking_rollup"
DELTAS = "rollup_deltas"
META = "analytics_meta"
FOLD_ATTEMPTS = 20
# the booking fields a scan reads (the rest of a document is not needed by any metric)
SCAN_FIELDS = (
    "vendor",
    "channel",
    "property_name",
    "room_type",
    "status",
    "currency",
    "check_in",
    "check_out",
    "booked_at",
    "nights",
    "amount_minor",
)
FIELD_OF = {"property": "property_name"}
SUMMED_FLAG = "summed_over_places"  # analytics_meta: the partitions hold facts.sum_over_places rows


def to_store(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as stored: one zlib-compressed JSON text, base64, in one string field.  As BSON documents the
    server (and the driver) spent about 50 us per row on their fields; one value is a single value for
    both.  JSON keeps any text a vendor sends (dots, a leading ``$``, a lone surrogate as its escape).
    Text, not a BSON binary: nx-27017 refuses a ``replace_one`` of a document holding a binary."""
    text = json.dumps(list(rows), separators=(",", ":"), ensure_ascii=True)
    return base64.b64encode(zlib.compress(text.encode("ascii"), 1)).decode("ascii")


def from_store(value: Any) -> list[dict[str, Any]]:
    if not value:
        return []
    return list(json.loads(zlib.decompress(base64.b64decode(value))))


def packed(rows: list[dict[str, Any]]) -> dict[str, str]:
    """A partition's rows as stored: the sums in ``rows``, the counters (lead, los, room types: most of
    the bytes, and more as the bookings grow) in ``counters``, row by row, so that a chart that needs only
    sums reads and decodes only those."""
    return {
        "rows": to_store({k: v for k, v in r.items() if k not in facts.COUNTERS} for r in rows),
        "counters": to_store({c: r.get(c) or {} for c in facts.COUNTERS} for r in rows),
    }


def unpacked(p: dict[str, Any], counters: bool = True) -> list[dict[str, Any]]:
    """The rows of a stored partition (with their counters unless ``counters`` is False).  A partition
    written before the counters were kept apart holds them in its rows."""
    rows = from_store(p.get("rows") or [])
    if counters and p.get("counters"):
        for r, kept in zip(rows, from_store(p["counters"]), strict=True):
            r.update(kept)
    elif not counters:
        for r in rows:
            for name in facts.COUNTERS:
                r[name] = {}
    return rows


def ensure_indexes(db: Database) -> None:
    db[DELTAS].create_index([("import_id", ASCENDING)], name="import")
    db[DELTAS].create_index([("folded", ASCENDING)], name="folded")
    db[PARTITIONS].create_index([("kind", ASCENDING), ("grain", ASCENDING), ("month", ASCENDING)], name="kind_grain")


def rollup_zone(db: Database) -> str:
    doc = db[META].find_one({"_id": "rollup"})
    return str(doc.get("zone") or "UTC") if doc else "UTC"


# -- the engine's side ---------------------------------------------------------------------------


class Speculation:
    """The delta rows of a batch *if every one of its documents turns out new* (a first import), computed
    on a thread while the batch's look-up and inserts wait for the server; :func:`record_batch` uses them
    only when that is what happened.  (Computed after the inserts it cost the commit 10-20 %.)"""

    def __init__(self, docs: list[dict[str, Any]], tz_name: str):
        self.ids = [d["_id"] for d in docs]
        self._docs = docs
        self._tz = tz_name
        self._out: tuple[list[dict[str, Any]], str] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="rollup-delta", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            acc: dict[tuple, dict[str, Any]] = {}
            facts.accumulate(acc, self._docs, zone(self._tz))
            rows = facts.nonzero(acc)
            self._out = (rows, to_store(rows))
        except BaseException as exc:  # noqa: BLE001  (re-raised in the committing thread by result())
            self._error = exc

    def result(self) -> tuple[list[dict[str, Any]], str]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._out is not None
        return self._out


@dataclass
class BatchChanges:
    """What one attempt of one batch wrote, as the batch writes tell it (storage/batch.py)."""

    docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the document written / to write
    positions: list[int] = field(default_factory=list)  # the rows of ``docs``, in the same order
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the stored booking looked up
    inserted: set[str] = field(default_factory=set)
    replaced: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the whole previous document
    speculation: Speculation | None = None


def delta_id(import_id: str, first: int, last: int) -> str:
    return f"{import_id}:{first}:{last}"


def _replayed_old(db: Database, import_id: str, ids: list[str], docs: dict[str, dict], session: Any) -> dict:
    """Previous versions of bookings this import replaced in an earlier try of the batch: the document
    with the audit entry's ``before`` values (engine entries have id = hash(import id, booking id))."""
    from booking_desktop.storage.audit import audit_id

    by_audit = {audit_id(import_id, i): i for i in ids}
    out: dict[str, dict] = {}
    for a in db.audit_log.find({"_id": {"$in": list(by_audit)}}, {"before": 1}, session=session):
        i = by_audit[a["_id"]]
        out[i] = {**docs[i], **(a.get("before") or {})}
    return out


def record_batch(
    db: Database,
    changes: BatchChanges,
    import_id: str,
    first: int,
    last: int,
    failed: Iterable[str],
    tz_name: str,
    session: Any = None,
) -> int:
    """Write the delta of one batch (after its bookings).  Returns how many bookings it counts."""
    failed = set(failed)
    added: list[dict] = []
    removed: list[dict] = []
    counted: list[str] = []
    replays: list[str] = []
    for i, d in changes.docs.items():
        if i in failed:
            continue
        if i in changes.inserted:
            added.append(d)
            counted.append(i)
        elif i in changes.replaced:
            removed.append(changes.replaced[i])
            added.append(d)
            counted.append(i)
        else:
            e = changes.seen.get(i)
            if (
                e is not None
                and e.get("content_hash") == d.get("content_hash")
                and ((e.get("source") or {}).get("import_id") == import_id)
            ):
                replays.append(i)
    if replays:
        known: set[str] = set()
        query = {"import_id": import_id}
        for old in db[DELTAS].find(query, {"first": 1, "last": 1, "bookings": 1}, session=session):
            if old["first"] <= last and old["last"] >= first:  # overlapping ranges (a resume may batch anew)
                known.update(old.get("bookings") or [])
        fresh = [i for i in replays if i not in known]
        created = [i for i in fresh if changes.seen[i].get("created_import") == import_id]
        updated = [i for i in fresh if changes.seen[i].get("created_import") != import_id]
        olds = _replayed_old(db, import_id, updated, changes.docs, session) if updated else {}
        for i in created:
            added.append(changes.docs[i])
            counted.append(i)
        for i in updated:
            if i in olds:
                removed.append(olds[i])
            added.append(changes.docs[i])
            counted.append(i)
    if not counted:
        return 0
    spec = changes.speculation
    if spec is not None and not removed and counted == spec.ids:
        blob = spec.result()[1]  # every document was new: the rows computed meanwhile are the delta
    else:
        tz = zone(tz_name)
        acc: dict[tuple, dict[str, Any]] = {}
        facts.accumulate(acc, added, tz)
        facts.accumulate(acc, removed, tz, sign=-1)
        blob = to_store(facts.nonzero(acc))
    doc = {
        "_id": delta_id(import_id, first, last),
        "import_id": import_id,
        "first": first,
        "last": last,
        "zone": tz_name,
        "bookings": counted,
        "rows": blob,
        "folded": False,
        "at": datetime.now(UTC),
    }
    if session is not None:
        if db[DELTAS].find_one({"_id": doc["_id"]}, {"_id": 1}, session=session) is None:
            db[DELTAS].insert_one(doc, session=session)
    else:
        with contextlib.suppress(DuplicateKeyError):  # written by the try whose reply was lost
            db[DELTAS].insert_one(doc)
    return len(counted)


# -- folding -------------------------------------------------------------------------------------


def partition_id(kind: str, grain: str, month: str, vendor: str | None) -> str:
    parts = (kind, grain, month, vendor or "\x01")
    return hashlib.blake2b("\x00".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _partition_of(row: dict[str, Any]) -> tuple[str, str, str, str | None]:
    return row["kind"], row["grain"], row["day"][:7], row.get("vendor")


def _fields(key: tuple) -> dict[str, Any]:
    return dict(zip(("kind", "grain", "month", "vendor"), key))


def _apply(db: Database, key: tuple, deltas: list[tuple[str, list[dict]]], pending: set[str]) -> None:
    pid = partition_id(*key)
    for _ in range(FOLD_ATTEMPTS):
        p = db[PARTITIONS].find_one({"_id": pid})
        applied = list(p.get("applied") or []) if p else []
        todo = [(i, rows) for i, rows in deltas if i not in applied]
        if not todo:
            return
        acc: dict[tuple, dict[str, Any]] = {}
        facts.merge_rows(acc, unpacked(p) if p else [])
        for _i, rows in todo:
            facts.merge_rows(acc, rows)
        keep = [i for i in applied if i in pending]  # ids of folded deltas are no longer needed
        new = {
            **_fields(key),
            **packed(facts.nonzero(acc)),
            "applied": keep + [i for i, _ in todo],
            "version": int(p.get("version", 0)) + 1 if p else 1,
        }
        if p is None:
            try:
                db[PARTITIONS].insert_one({"_id": pid, **new})
                return
            except DuplicateKeyError:
                continue  # another fold created it meanwhile: read it again
        if db[PARTITIONS].replace_one({"_id": pid, "version": p.get("version", 0)}, new).matched_count:
            return
    raise RuntimeError(f"the rollup partition {pid} keeps changing under this fold; try again")


def has_summed(db: Database) -> bool:
    """The partitions hold the rows summed over places for every booking: a rollup rebuilt or begun by
    this version (one begun earlier lacks them for what was folded before, until ``report rebuild``)."""
    doc = db[META].find_one({"_id": "rollup"}) or {}
    if doc.get(SUMMED_FLAG):
        return True
    return db[PARTITIONS].find_one({}, {"_id": 1}) is None  # nothing folded yet: the deltas make every row


def _begin_summed(db: Database) -> None:
    """A rollup with nothing folded yet will hold the summed rows of everything: say so (once)."""
    meta = db[META].find_one({"_id": "rollup"})
    if (meta or {}).get(SUMMED_FLAG) or db[PARTITIONS].find_one({}, {"_id": 1}) is not None:
        return
    if meta is None:
        with contextlib.suppress(DuplicateKeyError):
            db[META].insert_one({"_id": "rollup", "zone": "UTC", SUMMED_FLAG: True})
    else:
        db[META].replace_one({"_id": "rollup"}, {**meta, SUMMED_FLAG: True})


def fold(db: Database) -> int:
    """Fold every pending delta into the partitions (idempotent).  Returns how many deltas it folded."""
    pending = list(db[DELTAS].find({"folded": False}, {"rows": 1}))
    if not pending:
        return 0
    _begin_summed(db)
    pending.sort(key=lambda d: d["_id"])
    ids = {d["_id"] for d in pending}
    by_part: dict[tuple, list[tuple[str, list[dict]]]] = {}
    for d in pending:
        parts: dict[tuple, list[dict]] = {}
        for r in facts.partition_rows(from_store(d.get("rows") or [])):
            parts.setdefault(_partition_of(r), []).append(r)
        for key, rows in parts.items():
            by_part.setdefault(key, []).append((d["_id"], rows))
    for key, deltas in by_part.items():
        _apply(db, key, deltas, ids)
    for d in pending:  # only once every partition holds it
        db[DELTAS].update_one({"_id": d["_id"]}, {"$set": {"folded": True}})
    return len(pending)


# -- rebuilding ----------------------------------------------------------------------------------


def rows_from_bookings(db: Database, tz_name: str, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rollup rows computed from ``bookings`` themselves (plain ``find()``)."""
    tz = zone(tz_name)
    proj = dict.fromkeys(SCAN_FIELDS, 1)
    acc: dict[tuple, dict[str, Any]] = {}
    facts.accumulate(acc, db.bookings.find(query or {}, proj), tz)
    return facts.nonzero(acc)


def partitions_of(rows: Iterable[dict[str, Any]]) -> dict[tuple, list[dict[str, Any]]]:
    parts: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        parts.setdefault(_partition_of(r), []).append(r)
    return parts


def rebuild(db: Database, tz_name: str | None = None) -> int:
    """Recompute the rollup from ``bookings`` (in ``tz_name``, or the rollup's zone).  Run it while no
    import is running: a batch committed meanwhile would be in neither.  Returns the partitions written."""
    tz_name = tz_name or rollup_zone(db)
    zone(tz_name)
    ensure_indexes(db)
    rows = facts.partition_rows(rows_from_bookings(db, tz_name))
    db[PARTITIONS].delete_many({})
    db[DELTAS].delete_many({})
    docs = [
        {
            "_id": partition_id(*k),
            **_fields(k),
            **packed(v),
            "applied": [],
            "version": 1,
        }
        for k, v in partitions_of(rows).items()
    ]
    for i in range(0, len(docs), 500):
        db[PARTITIONS].insert_many(docs[i : i + 500], ordered=False)
    db[META].replace_one(
        {"_id": "rollup"},
        {"_id": "rollup", "zone": tz_name, "rebuilt_at": datetime.now(UTC), SUMMED_FLAG: True},
        upsert=True,
    )
    return len(docs)


AUTO_FOLD_DELTAS = 50  # a query folds first when more deltas than this wait (their rows cost more to read)
READ_ATTEMPTS = 10


PART_FIELDS = {"rows": 1, "counters": 1, "applied": 1, "kind": 1, "grain": 1, "month": 1, "vendor": 1}


def _partitions(db: Database, query: dict[str, Any], months: list[str] | None) -> list[dict[str, Any]]:
    """The partitions of ``query`` (and ``months``), fetched by ``_id`` where the months are known: a
    ``$in`` on months with another field took 1.2 s for 3 documents on SecantusDB, by ``_id`` 60 ms."""
    if months is None:
        return list(db[PARTITIONS].find(query, PART_FIELDS))
    if {"kind", "grain", "vendor"} <= set(query):
        ids = [partition_id(query["kind"], query["grain"], m, query["vendor"]) for m in months]
    else:
        wanted = set(months)
        ids = [d["_id"] for d in db[PARTITIONS].find(query, {"_id": 1, "month": 1}) if d.get("month") in wanted]
    out: list[dict[str, Any]] = []
    for i in range(0, len(ids), 100):  # SecantusDB's $in costs O(n^2) in its keys (docs/STORAGE.md)
        out.extend(db[PARTITIONS].find({"_id": {"$in": ids[i : i + 100]}}, PART_FIELDS))
    return out


def stored_rows(
    db: Database,
    kind: str | None = None,
    months: list[str] | None = None,
    vendor: str | None = None,
    grain: str | None = None,
    counters: bool = True,
) -> list[dict[str, Any]]:
    """The rollup rows of the partitions asked for, with the deltas not folded yet added to them
    (``counters=False``: their counters left empty, not read).

    A query does not fold (a fold after a big import rewrites most partitions: seconds): it reads the
    pending deltas, then the partitions, and adds each delta's rows to the partitions that do not hold it
    yet (``applied``).  If a fold finished a pending delta meanwhile, it reads again, so a delta is never
    counted twice nor missed.  With more than ``AUTO_FOLD_DELTAS`` pending it folds first."""
    if db[DELTAS].count_documents({"folded": False}) > AUTO_FOLD_DELTAS:
        fold(db)
    query: dict[str, Any] = {}
    if kind:
        query["kind"] = kind
    if grain:
        query["grain"] = grain
    if months is not None:
        query["month"] = {"$in": months}
    if vendor is not None:
        query["vendor"] = vendor
    for _ in range(READ_ATTEMPTS):
        pending = list(db[DELTAS].find({"folded": False}, {"rows": 1}))
        fields = PART_FIELDS if counters else {k: v for k, v in PART_FIELDS.items() if k != "counters"}
        parts = list(db[PARTITIONS].find(query, fields))
        if pending:
            ids = [d["_id"] for d in pending]
            still = {d["_id"] for d in db[DELTAS].find({"_id": {"$in": ids}, "folded": False}, {"_id": 1})}
            if still != set(ids):
                continue  # a fold finished some of them meanwhile: read again
        out: list[dict[str, Any]] = []
        for p in parts:
            out.extend(unpacked(p, counters))
        if not pending:
            return out
        applied = {(p["kind"], p["grain"], p["month"], p.get("vendor")): set(p.get("applied") or []) for p in parts}
        acc: dict[tuple, dict[str, Any]] = {}
        facts.merge_rows(acc, out)
        for d in pending:
            for r in facts.partition_rows(from_store(d.get("rows") or [])):
                key = _partition_of(r)
                if (
                    (kind and key[0] != kind)
                    or (grain and key[1] != grain)
                    or (months is not None and key[2] not in months)
                ):
                    continue
                if (vendor is not None and key[3] != vendor) or d["_id"] in applied.get(key, ()):
                    continue
                facts.merge_rows(acc, [r])
        return facts.nonzero(acc)
    raise RuntimeError("the rollup keeps being folded under this query; try again")


def can_answer(q: TrendQuery, rollup_tz: str) -> bool:
    """The rollup answers a query whose days do not depend on the zone, or are in the rollup's zone."""
    zone_free = q.date == "check_in" and q.metric != "lead_time"
    return zone_free or zone(q.tz).key == zone(rollup_tz).key


def trend_rows(db: Database, q: TrendQuery) -> tuple[list[dict[str, Any]], str]:
    """The fewest rows that answer the trend of ``q`` exactly: summed over places where it allows, without
    counters unless its metric reads one (lead time)."""
    from booking_desktop.analytics.metrics import needs_counters

    return rows_for(db, q, summed=True, counters=needs_counters(q))


def places_free(q: TrendQuery) -> bool:
    """The query neither filters nor splits by channel or property."""
    return q.channel is None and q.property is None and q.split not in facts.PLACES


def rows_for(db: Database, q: TrendQuery, summed: bool = False, counters: bool = True
             ) -> tuple[list[dict[str, Any]], str]:
    """(rows, source) for a query: the rollup's where it can answer, else an exact scan of ``bookings``.

    ``summed``: for a trend (not for tops by property or channel), the rows summed over places where the
    query allows it (:func:`places_free`) — fewer rows, the same numbers; they come back under the plain
    grain's name with channel and property None.  ``counters=False``: rows without their counters (lead,
    length of stay, room types), which most of the bytes are; for a trend of a sum."""
    if can_answer(q, rollup_zone(db)):
        months = months_between(q.start, q.end) if q.start and q.end else None
        grain = grain_for(q)
        if summed and places_free(q) and has_summed(db):
            rows = stored_rows(db, q.date, months, q.vendor, facts.summed(grain), counters)
            for r in rows:
                r["grain"] = grain
            return rows, "rollup"
        return stored_rows(db, q.date, months, q.vendor, grain, counters), "rollup"
    filt = {FIELD_OF.get(k, k): v for k, v in q.filters().items()}
    return facts.every_grain(rows_from_bookings(db, q.tz, filt)), "bookings"
