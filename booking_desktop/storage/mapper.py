"""BookingMapper: the one place that turns canonical typed rows into booking
documents and back.

Every read and write of a booking document goes through here so that a later
change of representation (e.g. encrypting personal fields) touches one module.

Layout of a booking document::

    _id            booking_key(vendor, booking_ref): deterministic, so look-ups and
                   updates go by _id (the only fast path on the local server)
    <canonical fields>   text as str, check_in/check_out/booked_at as BSON dates (UTC),
                   nights/adults/children as int, missing = None
    amount         exact canonical decimal text ("1234.50")
    amount_minor   int, minor units per the currency's exponent (no Decimal128 needed)
    content_hash   hash of the canonical values only (not of source or timestamps)
    source         {import_id, file_name, file_sha256, record}: the last import that wrote it
    created_import the import that inserted it
    created_at, updated_at
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

CANONICAL_FIELDS: tuple[str, ...] = (
    "vendor",
    "booking_ref",
    "status",
    "customer_name",
    "customer_email",
    "customer_phone",
    "property_name",
    "room_type",
    "channel",
    "check_in",
    "check_out",
    "nights",
    "adults",
    "children",
    "amount",
    "currency",
    "booked_at",
    "country",
)
DATE_FIELDS = ("check_in", "check_out")
DATETIME_FIELDS = ("booked_at",)
INT_FIELDS = ("nights", "adults", "children", "amount_minor")
STORED_FIELDS: tuple[str, ...] = (*CANONICAL_FIELDS, "amount_minor")
_SEP = "\x1f"


def booking_key(vendor: str, booking_ref: str) -> str:
    """Deterministic ``_id`` of the booking (vendor, booking_ref)."""
    return hashlib.blake2b(f"{vendor}\x00{booking_ref}".encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class SourceRef:
    import_id: str
    file_name: str
    file_sha256: str


def _column_objects(frame: pd.DataFrame, name: str) -> np.ndarray:
    """One column as a numpy object array of plain Python values (None for missing)."""
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    col = frame[name]
    if name in DATE_FIELDS or name in DATETIME_FIELDS:
        ts = pd.to_datetime(col, errors="coerce")
        if getattr(ts.dt, "tz", None) is None:
            ts = ts.dt.tz_localize("UTC")
        else:
            ts = ts.dt.tz_convert("UTC")
        vals = ts.astype(object).to_numpy()
        out = np.empty(len(vals), dtype=object)
        for i, v in enumerate(vals):
            out[i] = None if v is None or v is pd.NaT else v.to_pydatetime()
        return out
    if name in INT_FIELDS:
        num = pd.to_numeric(col, errors="coerce").astype("Int64")
        mask = num.isna().to_numpy()
        ints = num.fillna(0).astype("int64").to_numpy().tolist()
        return np.array([None if m else v for v, m in zip(ints, mask)], dtype=object)
    vals = col.astype(object).to_numpy()
    mask = pd.isna(col).to_numpy()
    out = vals.copy()
    out[mask] = None
    return out


def _hash_strings(columns: dict[str, np.ndarray]) -> list[str]:
    """content_hash per row from the stored canonical values (exact, order-fixed)."""
    parts = []
    for name in STORED_FIELDS:
        vals = columns[name]
        if name in DATE_FIELDS or name in DATETIME_FIELDS:
            parts.append(["" if v is None else v.strftime("%Y-%m-%dT%H:%M:%S.%f") for v in vals])
        else:
            parts.append(["\x00" if v is None else str(v) for v in vals])
    return [hashlib.blake2b(_SEP.join(row).encode(), digest_size=16).hexdigest() for row in zip(*parts)]


class BookingMapper:
    """Canonical typed frame rows <-> booking documents."""

    fields = STORED_FIELDS

    def keys(self, typed: pd.DataFrame) -> list[str]:
        vendors = _column_objects(typed, "vendor")
        refs = _column_objects(typed, "booking_ref")
        return [booking_key(str(v), str(r)) for v, r in zip(vendors, refs)]

    def values(self, typed: pd.DataFrame) -> dict[str, np.ndarray]:
        """The stored canonical values, column by column (plain Python objects)."""
        return {name: _column_objects(typed, name) for name in STORED_FIELDS}

    def to_documents(
        self,
        typed: pd.DataFrame,
        records: Sequence[int],
        source: SourceRef,
        now: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Documents for the rows of ``typed`` (already sliced to the batch).

        ``records`` are the 1-based record numbers of those rows in the file.
        ``created_*`` fields are set here for new documents; for an update the
        engine uses :meth:`update_fields` which leaves them alone.
        """
        now = now or datetime.now(UTC)
        cols = self.values(typed)
        hashes = _hash_strings(cols)
        keys = self.keys(typed)
        names = list(STORED_FIELDS)
        docs = []
        for i, row in enumerate(zip(*(cols[n] for n in names))):
            doc: dict[str, Any] = {"_id": keys[i]}
            doc.update(zip(names, row))
            doc["content_hash"] = hashes[i]
            doc["source"] = {
                "import_id": source.import_id,
                "file_name": source.file_name,
                "file_sha256": source.file_sha256,
                "record": int(records[i]),
            }
            doc["created_import"] = source.import_id
            doc["created_at"] = now
            doc["updated_at"] = now
            docs.append(doc)
        return docs

    @staticmethod
    def replacement(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        """The whole document that replaces ``old``: new values, the old creation facts."""
        doc = {k: v for k, v in new.items() if k != "_id"}
        for k in ("created_import", "created_at"):
            if k in old:
                doc[k] = old[k]
        return doc

    @staticmethod
    def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Only the canonical fields that differ: (previous values, new values)."""
        b, a = {}, {}
        for name in STORED_FIELDS:
            old, new = before.get(name), after.get(name)
            if isinstance(old, datetime) and old.tzinfo is None:
                old = old.replace(tzinfo=UTC)
            if old != new:
                b[name], a[name] = before.get(name), new
        return b, a

    @staticmethod
    def from_document(doc: dict[str, Any]) -> dict[str, Any]:
        """Canonical values of a stored booking (dates as UTC-aware datetimes)."""
        out: dict[str, Any] = {}
        for name in STORED_FIELDS:
            v = doc.get(name)
            if isinstance(v, datetime) and v.tzinfo is None:
                v = v.replace(tzinfo=UTC)
            out[name] = v
        return out

    def to_frame(self, docs: Sequence[dict[str, Any]]) -> pd.DataFrame:
        """Stored bookings back as a canonical typed frame (same dtypes as the pipeline's)."""
        rows = [self.from_document(d) for d in docs]
        frame = pd.DataFrame(rows, columns=list(STORED_FIELDS))
        for name in DATE_FIELDS:
            frame[name] = pd.to_datetime(frame[name], utc=True).dt.tz_localize(None).astype("datetime64[ns]")
        for name in DATETIME_FIELDS:
            frame[name] = pd.to_datetime(frame[name], utc=True).astype("datetime64[ns, UTC]")
        for name in INT_FIELDS:
            frame[name] = pd.array(frame[name], dtype="Int64")
        for name in STORED_FIELDS:
            if name not in DATE_FIELDS + DATETIME_FIELDS + INT_FIELDS:
                frame[name] = frame[name].astype("str")
        return frame
