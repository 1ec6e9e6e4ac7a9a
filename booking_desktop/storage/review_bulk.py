"""Bulk fixes of the review queue: one operation (set a value, find/replace, a value map) over a
list of rows or over every open row a filter matches, as one step that can be undone.

* :func:`plan_bulk` says what would change (per row before/after and the errors it would have,
  counts), writing nothing; :func:`apply_bulk` does it through the one fix path of the queue
  (:meth:`ReviewQueue.fix_rows`: the same re-validation, the same conditional replace, one audit
  entry per row carrying the ``bulk_id``) and records the bulk in ``review_bulks`` with one
  ``rejected_row.bulk`` audit entry summarising it;
* :func:`undo_bulk` puts back what the bulk changed — values and problems as they were — on the rows
  whose version is still the one the bulk wrote; a row changed since is reported as a conflict and
  left as it is.  A bulk is undone once.

Rows are read and written in chunks (:data:`CHUNK`), so a filter of 200,000 rows holds one chunk
at a time; the plan keeps the first :data:`PLAN_ROWS` rows' details and counts the rest.  The
rows of one chunk and one import are re-validated together, as a resubmit does: two rows that a
bulk gives the same reference are ``duplicate_ref``.  A row being resubmitted (claimed) is not
touched and counts as a conflict.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from booking_desktop.schema import CANONICAL_FIELDS
from booking_desktop.storage import audit
from booking_desktop.storage.imports import restored
from booking_desktop.storage.review import (
    OPEN,
    FixOutcome,
    RefusedError,
    ReviewError,
    ReviewFilter,
    check_fields,
)

if TYPE_CHECKING:
    from booking_desktop.storage.review import ReviewQueue

CHUNK = 500
PLAN_ROWS = 200
BULKS = "review_bulks"
APPLYING, APPLIED, UNDONE = "applying", "applied", "undone"


class UnknownBulkError(ReviewError):
    pass


@dataclass(frozen=True)
class SetValue:
    """Every target row gets ``value`` in ``field`` (empty text or None clears it)."""

    field: str
    value: str | None

    def new(self, current: str | None) -> str | None:
        return self.value


@dataclass(frozen=True)
class FindReplace:
    """``find`` replaced by ``replace`` in ``field``: every occurrence, or (``whole_cell``) only a
    value that is ``find`` as a whole; ``case=False`` ignores upper/lower case."""

    field: str
    find: str
    replace: str
    whole_cell: bool = False
    case: bool = True

    def new(self, current: str | None) -> str | None:
        if current is None:
            return None
        if self.whole_cell:
            same = current == self.find if self.case else current.casefold() == self.find.casefold()
            return self.replace if same else current
        if self.case:
            return current.replace(self.find, self.replace)
        return re.sub(re.escape(self.find), lambda _m: self.replace, current, flags=re.IGNORECASE)


@dataclass(frozen=True)
class ValueMap:
    """A value of ``field`` that is a key of ``mapping`` becomes its value (None or empty text
    clears it); other values stay.  The key ``""`` stands for an empty cell."""

    field: str
    mapping: dict[str, str | None]

    def new(self, current: str | None) -> str | None:
        key = "" if current is None else current
        return self.mapping.get(key, current)


Operation = SetValue | FindReplace | ValueMap


@dataclass
class BulkPlan:
    matched: int = 0  # target rows read
    changes: int = 0  # rows whose value the operation changes
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # rows being resubmitted, or not at the expected version
    valid_now: int = 0  # of the rows that change: valid afterwards
    still_invalid: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first PLAN_ROWS changes
    truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BulkResult:
    bulk_id: str
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    unchanged: int = 0
    still_invalid: int = 0
    valid_now: int = 0
    cancelled: bool = False  # stopped between two chunks (what was done is kept, and can be undone)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_operation(op: Any) -> None:
    """A one-line :class:`RefusedError` for an operation that cannot be done."""
    if not isinstance(op, SetValue | FindReplace | ValueMap):
        raise RefusedError("a bulk fix is a SetValue, a FindReplace or a ValueMap")
    check_fields({op.field: None})
    if isinstance(op, SetValue) and op.value is not None and not isinstance(op.value, str):
        raise RefusedError(f"the value to set is text, not {type(op.value).__name__}")
    if isinstance(op, FindReplace):
        if not isinstance(op.find, str) or not isinstance(op.replace, str):
            raise RefusedError("find and replace are text")
        if op.find == "":
            raise RefusedError("find/replace needs the text to find (to fill empty cells, set a value)")
    if isinstance(op, ValueMap):
        if not op.mapping:
            raise RefusedError("the value map is empty: give at least one value and what it becomes")
        bad = [k for k, v in op.mapping.items() if not isinstance(k, str) or not (v is None or isinstance(v, str))]
        if bad:
            raise RefusedError(f"the value map maps text to text (or to nothing); {bad[0]!r} does not")


def describe(op: Operation) -> dict[str, Any]:
    return {"kind": type(op).__name__, **asdict(op)}


def _targets(queue: ReviewQueue, ids: list[str] | None, flt: ReviewFilter | None) -> Iterator[list[dict[str, Any]]]:
    """The target rows in chunks.  Named rows must all exist and be open (else nothing is done)."""
    if (ids is None) == (flt is None):
        raise RefusedError("a bulk fix names its rows or gives a filter, not both nor neither")
    if ids is not None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            raise RefusedError("a bulk fix needs at least one row")
        for i in range(0, len(ids), CHUNK):  # checked first: a refused row refuses the whole bulk
            for d in queue._get_many(ids[i : i + CHUNK]):
                queue._require(d, OPEN, "fix")
        for i in range(0, len(ids), CHUNK):
            yield queue._get_many(ids[i : i + CHUNK])
        return
    assert flt is not None
    if flt.status not in (OPEN, "all"):
        raise RefusedError(f"a bulk fix changes open rows; the filter asks for {flt.status} rows")
    chunk: list[dict[str, Any]] = []
    for doc in queue.iter_rows(ReviewFilter(**{**asdict(flt), "status": OPEN}), chunk=CHUNK):
        chunk.append(doc)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _outcomes(queue: ReviewQueue, op: Operation, docs: list[dict[str, Any]], expected: dict[str, int] | None,
              conflicts: list[str], *, write: bool, bulk_id: str | None) -> list[FixOutcome]:
    """The rows of ``docs`` that ``op`` changes, re-validated (and written); the others are returned
    as outcomes without a change."""
    queue.authorize("fix", [d["_id"] for d in docs])
    items, same = [], []
    for d in docs:
        want = (expected or {}).get(d["_id"])
        if d.get("claim") or (want is not None and want != int(d.get("version") or 0)):
            conflicts.append(d["_id"])
            continue
        current = restored((d.get("mapped") or {}).get(op.field))
        new = op.new(current)
        if (new if new != "" else None) == current:
            same.append(FixOutcome(d, {}, {}, {}))
        else:
            items.append((d, {op.field: new}))
    return same + queue.fix_rows(items, expected, write=write, skip_unchanged=True, bulk_id=bulk_id)


def plan_bulk(queue: ReviewQueue, op: Operation, ids: list[str] | None = None,
              flt: ReviewFilter | None = None) -> BulkPlan:
    """What :func:`apply_bulk` would do now; nothing is written."""
    check_operation(op)
    plan = BulkPlan()
    for docs in _targets(queue, ids, flt):
        plan.matched += len(docs)
        for o in _outcomes(queue, op, docs, None, plan.conflicts, write=False, bulk_id=None):
            if not o.before:
                plan.unchanged += 1
                continue
            plan.changes += 1
            errors = (o.new or {}).get("errors") or []
            if errors:
                plan.still_invalid += 1
            else:
                plan.valid_now += 1
            if len(plan.rows) < PLAN_ROWS:
                plan.rows.append({"id": o.doc["_id"], "record": o.doc.get("record"), "version":
                                  int(o.doc.get("version") or 0), "before": o.before, "after": o.after,
                                  "errors": [{k: e.get(k) for k in ("field", "code", "message")} for e in errors]})
            else:
                plan.truncated = True
    return plan


def apply_bulk(queue: ReviewQueue, op: Operation, ids: list[str] | None = None, flt: ReviewFilter | None = None,
               expected: dict[str, int] | None = None, *, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> BulkResult:
    """Apply ``op`` to the rows (``ids``) or to every open row ``flt`` matches, as one bulk.

    ``progress(rows_read, rows_changed)`` is called after each chunk; ``cancelled()`` is asked
    between chunks: a cancelled bulk stops there, is recorded with what it did (``cancelled``), and
    is undone like any other.  A changed row costs a replace and an audit entry (about 3 ms on
    SecantusDB, bench/RESULTS.md): a bulk over many rows belongs in a worker thread."""
    check_operation(op)
    targets = _targets(queue, ids, flt)
    first = next(targets, [])  # named rows are all checked before anything is written
    bulk_id = uuid.uuid4().hex
    out = BulkResult(bulk_id)
    record = {"_id": bulk_id, "state": APPLYING, "op": describe(op),
              "target": {"ids": len(ids)} if ids is not None else {"filter": _filter_doc(flt)},
              "at": datetime.now(UTC), "who": _who(queue)}
    queue.db[BULKS].insert_one(record)
    read = 0
    stopped = False
    for docs in _chain(first, targets):
        if cancelled is not None and cancelled():
            stopped = True
            break
        read += len(docs)
        for o in _outcomes(queue, op, docs, expected, out.conflicts, write=True, bulk_id=bulk_id):
            if not o.before:
                out.unchanged += 1
            elif o.conflict:
                out.conflicts.append(o.doc["_id"])
            else:
                out.changed.append(o.doc["_id"])
                if (o.new or {}).get("errors"):
                    out.still_invalid += 1
                else:
                    out.valid_now += 1
        if progress is not None:
            progress(read, len(out.changed))
    out.cancelled = stopped
    counts = {"changed": len(out.changed), "conflicts": len(out.conflicts), "unchanged": out.unchanged,
              "still_invalid": out.still_invalid, "valid_now": out.valid_now, "cancelled": stopped}
    queue.db[BULKS].replace_one({"_id": bulk_id}, {**record, "state": APPLIED, "counts": counts})
    queue.db.audit_log.insert_one(audit.entry(
        "rejected_row.bulk", {"collection": "rejected_rows", "bulk_id": bulk_id}, db_user=queue.db_user,
        after={"op": describe(op), **counts}, bulk_id=bulk_id, target_rows=record["target"],
        note=_note(op, counts)))
    return out


def undo_bulk(queue: ReviewQueue, bulk_id: str) -> BulkResult:
    """Put back what bulk ``bulk_id`` changed on the rows nobody changed since."""
    bulk = queue.db[BULKS].find_one({"_id": bulk_id})
    if bulk is None:
        raise UnknownBulkError(f"no bulk fix {bulk_id!r} in this database")
    if bulk.get("state") == UNDONE:
        u = bulk.get("undone") or {}
        at = u.get("at")
        when = at.strftime("%Y-%m-%d %H:%M UTC") if isinstance(at, datetime) else "earlier"
        raise RefusedError(f"bulk fix {bulk_id} was undone already ({when} by {u.get('os_user') or 'someone'})")
    out = BulkResult(bulk_id)
    entries = queue.db.audit_log.find({"bulk_id": bulk_id}, batch_size=CHUNK)
    chunk: list[dict[str, Any]] = []
    for e in entries:
        if e.get("action") == "rejected_row.fix" and e.get("undo"):
            chunk.append(e)
        if len(chunk) >= CHUNK:
            _undo_chunk(queue, bulk_id, chunk, out)
            chunk = []
    if chunk:
        _undo_chunk(queue, bulk_id, chunk, out)
    stamp = queue._stamp()
    counts = {"restored": len(out.changed), "conflicts": len(out.conflicts)}
    queue.db[BULKS].replace_one({"_id": bulk_id}, {**bulk, "state": UNDONE, "undone": {**stamp, **counts}})
    queue.db.audit_log.insert_one(audit.entry(
        "rejected_row.bulk_undo", {"collection": "rejected_rows", "bulk_id": bulk_id}, db_user=queue.db_user,
        after=counts, undo_of=bulk_id,
        note=f"undo of bulk fix {bulk_id}: {counts['restored']} row(s) put back, {counts['conflicts']} changed since"))
    return out


def _undo_chunk(queue: ReviewQueue, bulk_id: str, entries: list[dict[str, Any]], out: BulkResult) -> None:
    by_id = {e["target"]["_id"]: e for e in entries}
    ids = list(by_id)
    docs: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 100):  # SecantusDB's $in costs O(n²) (docs/STORAGE.md)
        for d in queue.db.rejected_rows.find({"_id": {"$in": ids[i : i + 100]}}):
            docs[d["_id"]] = d
    pairs, expected = [], {}
    for rid, e in by_id.items():
        d, u = docs.get(rid), e["undo"]
        if d is None or int(d.get("version") or 0) != u["version"] or d.get("claim") or d.get("status", OPEN) != OPEN:
            out.conflicts.append(rid)
            continue
        mapped = {f: (restored(d.get("mapped") or {})).get(f) for f in CANONICAL_FIELDS}
        new = {k: v for k, v in d.items() if k not in u.get("absent", [])}
        new.update(u.get("kept") or {})
        new["mapped"] = {**mapped, **(e.get("before") or {})}
        pairs.append((d, new))
        expected[rid] = u["version"]
    written = queue._replace_many(pairs, expected)
    entries_out = []
    for d, _new in pairs:
        rid = d["_id"]
        if rid not in written:
            out.conflicts.append(rid)
            continue
        e = by_id[rid]
        out.changed.append(rid)
        if written[rid].get("errors"):
            out.still_invalid += 1
        else:
            out.valid_now += 1
        entries_out.append(queue._audit_entry("rejected_row.undo", d, e.get("after") or {}, e.get("before") or {},
                                              undo_of=bulk_id, entry_id=audit.audit_id("undo", bulk_id, rid),
                                              note=f"undo of bulk fix {bulk_id}"))
    audit.insert_idempotent(queue.db, "audit_log", entries_out)


def _chain(first: list[dict[str, Any]], rest: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    if first:
        yield first
    yield from rest


def _filter_doc(flt: ReviewFilter | None) -> dict[str, Any]:
    return {k: (v if v is None or isinstance(v, str | bool | datetime) else str(v))
            for k, v in asdict(flt or ReviewFilter()).items() if v is not None}


def _who(queue: ReviewQueue) -> dict[str, Any]:
    return {"os_user": audit.os_user(), "db_user": queue.db_user, "machine": audit.machine()}


def _note(op: Operation, counts: dict[str, int]) -> str:
    what = {"SetValue": "set", "FindReplace": "find/replace in", "ValueMap": "value map on"}[type(op).__name__]
    return (f"bulk fix: {what} {op.field}: {counts['changed']} row(s) changed ({counts['valid_now']} valid now), "
            f"{counts['unchanged']} unchanged, {counts['conflicts']} changed meanwhile"
            + ("; cancelled before the end" if counts.get("cancelled") else ""))



def load_value_map(path: Any) -> dict[str, str | None]:
    """A value map from a file: ``.json``, an object of text to text (or null: clear); ``.csv``, a
    header row then two cells a line, the value and what it becomes (an empty second cell clears).
    Values are kept exactly as written (no trimming); a value given twice with two meanings, a line
    without two cells, or any other shape is refused with the line it is on."""
    import csv
    import json
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(p.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RefusedError(f"{p.name}: not a JSON value map ({exc})") from None
        if not isinstance(data, dict) or not all(v is None or isinstance(v, str) for v in data.values()):
            raise RefusedError(f"{p.name}: a JSON value map is an object of text to text or null, "
                               'e.g. {"Dbl": "2", "n/a": null}')
        return dict(data)
    if p.suffix.lower() != ".csv":
        raise RefusedError(f"{p.name}: a value map is a .csv or a .json file")
    out: dict[str, str | None] = {}
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            rows = csv.reader(fh)
            header = next(rows, None)
            if header is None or len(header) != 2:
                raise RefusedError(f"{p.name}: a CSV value map has a header row of two columns (e.g. from,to), "
                                   "then one value and what it becomes a line")
            for row in rows:
                line = rows.line_num
                if not row:
                    continue
                if len(row) != 2:
                    raise RefusedError(f"{p.name} line {line}: {len(row)} cell(s); a value map has two a line")
                key, value = row[0], (row[1] if row[1] != "" else None)
                if key in out and out[key] != value:
                    raise RefusedError(f"{p.name} line {line}: {key!r} is mapped twice ({out[key]!r} and {value!r})")
                out[key] = value
    except UnicodeDecodeError:
        raise RefusedError(f"{p.name}: not UTF-8 text; save the value map as UTF-8 CSV") from None
    except csv.Error as exc:
        raise RefusedError(f"{p.name}: {exc}") from None
    return out
