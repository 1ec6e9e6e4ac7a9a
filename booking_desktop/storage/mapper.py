"""BookingMapper: the one place that turns canonical typed rows into booking
documents and back.

Every read and write of a booking document goes through here so that a later
change of representation (e.g. encrypting personal fields) touches one module.

Layout of a booking document::

    _id            booking_key(vendor, booking_ref): deterministic, so look-ups and
                   updates go by _id (the only fast path on the local server)
    <canonical fields>   text as str, check_in/check_out/booked_at as BSON dates (UTC),
                   nights/adults/children as int, missing = None
    amount         the exact amount: Decimal128 ("1234.50", scale kept) where the server has it
                   (decided once per connection: ``BookingMapper(decimal128=...)``), else the
                   canonical decimal text; read back it is always the canonical text
    amount_minor   int, minor units per the currency's exponent
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
from bson.decimal128 import Decimal128

from booking_desktop.schema import CANONICAL_FIELDS

DATE_FIELDS = ("check_in", "check_out")
DATETIME_FIELDS = ("booked_at",)
INT_FIELDS = ("nights", "adults", "children", "amount_minor")
STORED_FIELDS: tuple[str, ...] = (*CANONICAL_FIELDS, "amount_minor")
_SEP = "\x1f"


def booking_key(vendor: str, booking_ref: str) -> str:
    """Deterministic ``_id`` of the booking (vendor, booking_ref)."""
    key = f"{vendor}\x00{booking_ref}".encode("utf-8", "surrogatepass")  # a lone surrogate is refused later
    return hashlib.blake2b(key, digest_size=16).hexdigest()


@dataclass(frozen=True)
class SourceRef:
    import_id: str
    file_name: str
    file_sha256: str


def _utc(col: pd.Series) -> pd.Series:
    ts = pd.to_datetime(col, errors="coerce")
    return ts.dt.tz_localize("UTC") if ts.dt.tz is None else ts.dt.tz_convert("UTC")


def _column_objects(frame: pd.DataFrame, name: str) -> np.ndarray:
    """One column as a numpy object array of plain Python values (None for missing)."""
    if name not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    col = frame[name]
    if name in DATE_FIELDS or name in DATETIME_FIELDS:
        ts = _utc(col)
        out = np.array(ts.dt.to_pydatetime(), dtype=object)
        missing = ts.isna().to_numpy()
    elif name in INT_FIELDS:
        num = pd.to_numeric(col, errors="coerce").astype("Int64")
        out = np.array(num.astype(object).to_numpy(), dtype=object)
        missing = num.isna().to_numpy()
    else:
        out = np.array(col.astype(object).to_numpy(), dtype=object)
        missing = pd.isna(col).to_numpy()
    out[missing] = None
    return out


def _hash_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column as text for hashing: exact, type-stable, missing = NUL."""
    if name not in frame.columns:
        return pd.Series("\x00", index=frame.index, dtype="str")
    col = frame[name]
    if name in DATE_FIELDS or name in DATETIME_FIELDS:
        ts = _utc(col)
        text = ts.astype("int64").astype("str").where(ts.notna(), "\x00")
        return text.astype("str")
    if name in INT_FIELDS:
        num = pd.to_numeric(col, errors="coerce").astype("Int64")
        return num.astype("str").where(num.notna(), "\x00").astype("str")
    return col.astype("str").fillna("\x00")


def content_hashes(frame: pd.DataFrame) -> list[str]:
    """content_hash per row from the canonical values only (vectorized up to the hash itself)."""
    if len(frame) == 0:
        return []
    cols = [_hash_column(frame, n) for n in STORED_FIELDS]
    joined = cols[0].str.cat(cols[1:], sep=_SEP)  # type: ignore[arg-type]  # pandas-stubs: a list of Series is valid
    return [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in joined.tolist()]


def _decimals(values: np.ndarray) -> np.ndarray:
    """Canonical decimal texts as Decimal128 (exact, with their scale: "12.50" stays 12.50)."""
    out = values.copy()
    for i, v in enumerate(values.tolist()):
        if v is not None:
            out[i] = Decimal128(v)
    return out


def amount_text(value: Any) -> Any:
    """The canonical text of a stored amount (Decimal128 or text), None for missing."""
    if isinstance(value, Decimal128):
        return str(value.to_decimal())
    return value


class BookingMapper:
    """Canonical typed frame rows <-> booking documents.

    ``decimal128``: store ``amount`` as Decimal128 (a server that has it: MongoDB, SecantusDB);
    otherwise as the exact canonical text (nx-27017 cannot store Decimal128 at all).
    """

    fields = STORED_FIELDS

    def __init__(self, decimal128: bool = False):
        self.decimal128 = decimal128

    def keys(self, typed: pd.DataFrame) -> list[str]:
        vendors = _column_objects(typed, "vendor")
        refs = _column_objects(typed, "booking_ref")
        return [booking_key(str(v), str(r)) for v, r in zip(vendors, refs)]

    def hashes(self, typed: pd.DataFrame) -> list[str]:
        """The ``content_hash`` each row's document would have."""
        return content_hashes(typed)

    def values(self, typed: pd.DataFrame) -> dict[str, np.ndarray]:
        """The stored canonical values, column by column (plain Python objects)."""
        cols = {name: _column_objects(typed, name) for name in STORED_FIELDS}
        if self.decimal128:
            cols["amount"] = _decimals(cols["amount"])
        return cols

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
        engine uses :meth:`replacement`, which keeps the stored ones.
        """
        now = now or datetime.now(UTC)
        cols = self.values(typed)
        names = ("_id", *STORED_FIELDS, "content_hash", "source", "created_import", "created_at", "updated_at")
        sources = [
            {
                "import_id": source.import_id,
                "file_name": source.file_name,
                "file_sha256": source.file_sha256,
                "record": r,
            }
            for r in np.asarray(records, dtype=np.int64).tolist()
        ]
        n = len(typed)
        docs = [
            dict(zip(names, vals))
            for vals in zip(
                self.keys(typed),
                *(cols[f] for f in STORED_FIELDS),
                self.hashes(typed),
                sources,
                [source.import_id] * n,
                [now] * n,
                [now] * n,
            )
        ]
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
        """Only the canonical fields that differ: (previous values, new values), as canonical values
        (dates UTC-aware, the amount as its exact text whatever the server stores), so that the
        audit log reads the same on every server."""
        b, a = {}, {}
        for name in STORED_FIELDS:
            old, new = before.get(name), after.get(name)
            if isinstance(old, datetime) and old.tzinfo is None:
                old = old.replace(tzinfo=UTC)
            if name == "amount":  # text and Decimal128 of the same amount are the same value
                old, new = amount_text(old), amount_text(new)
            if old != new:
                b[name], a[name] = old, new
        return b, a

    @staticmethod
    def from_document(doc: dict[str, Any]) -> dict[str, Any]:
        """Canonical values of a stored booking (dates as UTC-aware datetimes)."""
        out: dict[str, Any] = {}
        for name in STORED_FIELDS:
            v = doc.get(name)
            if isinstance(v, datetime) and v.tzinfo is None:
                v = v.replace(tzinfo=UTC)
            out[name] = amount_text(v) if name == "amount" else v
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
            frame[name] = pd.array(frame[name], dtype="Int64")  # type: ignore[call-overload]  # pandas-stubs lack it
        for name in STORED_FIELDS:
            if name not in DATE_FIELDS + DATETIME_FIELDS + INT_FIELDS:
                frame[name] = frame[name].astype("str")
        return frame
