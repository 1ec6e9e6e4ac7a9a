"""Re-validating queued rows: the same validator and the vendor's profile rules as the import, plus
the duplicate check against ``bookings`` that only the database can answer.

Rows are checked together (one frame per import), so two queued rows that now carry the same
reference are ``duplicate_ref`` as they would be in one file.  Against the database a row's
booking may exist already:

* committed from this very record (an earlier resubmit, or the operator's fix in the import
  session): nothing to say, a resubmit finds it and counts it as unchanged or updated;
* the fix changed the row's reference to one another booking of the vendor has: ``duplicate_ref``
  (an error: choose another reference);
* the row's own reference was committed meanwhile from another record (the vendor's corrected
  file): ``superseded`` (a warning: a resubmit resolves the row as superseded, nothing is inserted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pymongo.database import Database

from booking_desktop.errors import ProfileError
from booking_desktop.schema import CANONICAL_FIELDS, Rules, load_schema
from booking_desktop.storage.imports import problems_by_row, restored
from booking_desktop.storage.mapper import booking_key

SUPERSEDED = "superseded"


@dataclass
class RowCheck:
    """What re-validation says about one queued row."""

    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    existing: dict[str, Any] | None = None  # the booking with this row's key, when there is one
    same_record: bool = False  # that booking was committed from this very record

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def superseded(self) -> bool:
        return self.valid and self.existing is not None and not self.same_record


@dataclass
class CheckedRows:
    rules_from: str  # "profile NAME" or "the schema (profile NAME not found)"
    text: pd.DataFrame  # canonical text of the rows, in the order given
    typed: pd.DataFrame
    checks: list[RowCheck] = field(default_factory=list)


class RulesCache:
    """The validation rules of each import's profile, looked up once per import."""

    def __init__(self, db: Database, profiles_dir: Any = None):
        self.db = db
        self.profiles_dir = profiles_dir
        self._by_import: dict[str, tuple[Rules, str]] = {}
        self._profiles: dict[str, Any] = {}

    def rules(self, import_id: str | None) -> tuple[Rules, str]:
        key = import_id or ""
        if key not in self._by_import:
            doc = self.db.imports.find_one({"_id": import_id}, {"profile": 1}) if import_id else None
            name = (doc or {}).get("profile")
            self._by_import[key] = self._load(name)
        return self._by_import[key]

    def profile(self, import_id: str | None) -> Any:
        """The MappingProfile the import used, or None (no profile, or it is not found here)."""
        key = import_id or ""
        if key not in self._profiles:
            doc = self.db.imports.find_one({"_id": import_id}, {"profile": 1}) if import_id else None
            self._profiles[key] = self._find((doc or {}).get("profile"))
        return self._profiles[key]

    def _find(self, name: str | None) -> Any:
        if not name:
            return None
        from booking_desktop.mapping import load_profile
        from booking_desktop.mapping.registry import default_profile_dirs

        dirs = [*default_profile_dirs(), *([self.profiles_dir] if self.profiles_dir else [])]
        try:
            return load_profile(name, dirs=dirs)
        except (ProfileError, OSError, ValueError):
            return None

    def _load(self, name: str | None) -> tuple[Rules, str]:
        schema = load_schema()
        if not name:
            return schema.rules(), "the schema (the import had no profile)"
        profile = self._find(name)
        if profile is None:
            return schema.rules(), f"the schema (profile {name} not found)"
        try:
            return schema.rules(getattr(profile, "rules", None) or None), f"profile {name}"
        except ValueError:
            return schema.rules(), f"the schema (profile {name} has rules this version does not know)"


def text_frame(mapped: list[dict[str, Any]]) -> pd.DataFrame:
    """Canonical text frame (docs/ARCHITECTURE.md) of stored ``mapped`` values."""
    cols = {f: [_text(restored(m).get(f)) for m in mapped] for f in CANONICAL_FIELDS}
    return pd.DataFrame(cols, columns=list(CANONICAL_FIELDS)).astype("str")


def _text(v: Any) -> Any:
    return None if v is None else str(v)


def check_rows(db: Database, docs: list[dict[str, Any]], rules: Rules, rules_from: str) -> CheckedRows:
    """Validate the rows' current canonical values (``mapped``) as one frame, then against ``bookings``."""
    from booking_desktop.validation import validate

    text = text_frame([d.get("mapped") or {} for d in docs])
    vendors = [str(d.get("vendor") or "") for d in docs]
    fill = text["vendor"].isna()
    if fill.any():  # the queue knows the row's vendor even when the mapped values do not
        text.loc[fill, "vendor"] = [v or None for v, f in zip(vendors, fill) if f]
        text = text.astype("str")
    result = validate(text, rules)
    by_row = problems_by_row(result.problems.frame, np.arange(len(docs)))
    out = CheckedRows(rules_from, text, result.typed)
    for p in range(len(docs)):
        errs, warns = by_row.get(p, ([], []))
        out.checks.append(RowCheck([_in_the_file(e, docs) for e in errs], [_in_the_file(w, docs) for w in warns]))
    _check_database(db, docs, text, out)
    return out


_REPEATS = re.compile(r"repeats record (\d+)")


def _in_the_file(problem: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, Any]:
    """The validator numbers the rows of the frame it was given; a repeated reference names the
    record of the file that row is instead (the rows of the queue are not the file's)."""
    if problem.get("code") != "duplicate_ref" or not isinstance(problem.get("message"), str):
        return problem

    def record(m: re.Match[str]) -> str:
        p = int(m.group(1)) - 1
        return f"repeats record {docs[p].get('record')}" if 0 <= p < len(docs) else m.group(0)

    return {**problem, "message": _REPEATS.sub(record, problem["message"], count=1)}


def _check_database(db: Database, docs: list[dict[str, Any]], text: pd.DataFrame, out: CheckedRows) -> None:
    keys: dict[str, list[int]] = {}
    for p, ref in enumerate(text["booking_ref"].tolist()):
        vendor = text.at[p, "vendor"]
        if isinstance(ref, str) and ref and isinstance(vendor, str) and vendor:
            keys.setdefault(booking_key(vendor, ref), []).append(p)
    found: dict[str, dict[str, Any]] = {}
    ids = list(keys)
    for i in range(0, len(ids), 100):  # SecantusDB's $in costs O(n²): chunks of 100 (docs/STORAGE.md)
        for b in db.bookings.find({"_id": {"$in": ids[i : i + 100]}}, {"source": 1, "booking_ref": 1, "vendor": 1}):
            found[b["_id"]] = b
    for key, positions in keys.items():
        booking = found.get(key)
        if booking is None:
            continue
        src = booking.get("source") or {}
        for p in positions:
            d, check = docs[p], out.checks[p]
            check.existing = booking
            check.same_record = src.get("file_sha256") == d.get("file_sha256") and src.get("record") == d.get("record")
            if check.same_record:
                continue
            ref, vendor = str(text.at[p, "booking_ref"]), str(text.at[p, "vendor"])
            where = f"{src.get('file_name', 'an earlier import')} record {src.get('record', '?')}"
            original = ((d.get("original") or {}).get("mapped") or d.get("mapped") or {}).get("booking_ref")
            if original is not None and original != ref:
                check.errors.append(
                    {
                        "field": "booking_ref",
                        "code": "duplicate_ref",
                        "value": ref,
                        "message": f"booking_ref {ref!r} is already a booking of vendor {vendor} "
                        f"(from {where}); choose another reference",
                    }
                )
            else:
                check.warnings.append(
                    {
                        "field": "booking_ref",
                        "code": SUPERSEDED,
                        "value": ref,
                        "message": f"booking {ref!r} of vendor {vendor} was committed meanwhile "
                        f"(from {where}); a resubmit resolves this row as superseded and leaves that booking as it is",
                    }
                )
