"""What the operator types is read in the file's own formats, by the code that mapped the column.

An operator fixing ``check_in`` of a file written ``01.03.2024`` types it the way the file has it;
an amount of a file with decimal commas as ``1.250,00``.  :class:`InputFormats` sends such input
through :func:`~booking_desktop.mapping.apply_mapping` itself, with the field's own format options
from the profile (``date_format``, ``datetime_format``, ``date_order``, ``number_locale``,
``money``; for a date column without a declared format, the day/month order the mapping detects
in the source column), so a typed value becomes exactly what the same text in the file became.

The rules, in order, per value:

1. a value already in the canonical form (``2024-03-01``, ``1250.00``, ``2``) is kept as typed
   -- the grid shows canonical values, and re-typing one must never change its meaning
   (``1250.00`` read with thousands ``.`` would be 125000);
2. otherwise the file's format reads it (``01.03.2024`` -> ``2024-03-01``), and a note says so;
3. a value the file's format cannot read either stays exactly as typed (validation reports it on
   the cell), and a note says which formats were tried.

Only dates, date-times, decimals and integers mapped from a source column are read this way;
value maps, defaults, splits, case changes and country names are not applied to typed input
(the operator types the final value).  Qt-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMAT_KEYS = ("date_format", "datetime_format", "date_order", "number_locale", "money")
CANONICAL = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime": re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"),
    "decimal": re.compile(r"[+-]?\d+(?:\.\d+)?"),
    "integer": re.compile(r"[+-]?\d+"),
}
CANONICAL_SHOWN = {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DDTHH:MM:SS", "decimal": "1234.50", "integer": "12"}
# typed numbers are read only when they hold nothing but a number: the mapping drops letters and
# currency marks from a vendor's cells (``EUR 12,50``), but from typed input that would silently
# change what the operator wrote (``1O0`` -> 10; ``$12`` in a EUR row -> 12 EUR)
NUMBER_TEXT = re.compile(r"[\d.,'+\-() \u00a0\u202f]+")
# likewise a date read by its day/month order: the mapping ignores whatever follows the date
# (``05/03/2024, late``); typed, only a date and perhaps a time is read
ORDERED_DATE_TEXT = re.compile(r"\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?")


@dataclass(frozen=True)
class FieldFormat:
    field: str
    kind: str  # date | datetime | decimal | integer
    spec: dict[str, Any]  # the profile's spec reduced to its format options, source column renamed
    described: str  # "the file's date format %d.%m.%Y"
    auto_column: str | None = None  # a date column without a declared format: its order is still to detect


@dataclass
class ReadInputs:
    values: list[str | None]
    notes: list[str]


def _describe(kind: str, spec: Mapping[str, Any], detected: str | None) -> str:
    if "date_format" in spec:
        return f"the file's date format {spec['date_format']}"
    if "datetime_format" in spec:
        return f"the file's date-time format {spec['datetime_format']}"
    if "date_order" in spec:
        how = "detected in the column" if detected else "of the profile"
        return f"the file's date order ({spec['date_order']}, {how})"
    if "number_locale" in spec:
        loc = spec["number_locale"]
        thousands = loc.get("thousands") or ""
        return f"the file's number format (decimal {loc.get('decimal', '.')!r}" + (
            f", thousands {thousands!r})" if thousands else ")"
        )
    if "money" in spec:
        decimal = (spec.get("money") or {}).get("decimal")
        return f"the file's money format (decimal {decimal!r})" if decimal else "the file's money format"
    return "the file's dates"


class InputFormats:
    """The formats in which typed values of each field are read, for one mapped result."""

    def __init__(self, formats: dict[str, FieldFormat], vendor: str = "", raw: Any = None):
        self.formats = formats
        self.vendor = vendor
        self.raw = raw

    @classmethod
    def of(cls, profile: Any, raw: Any) -> InputFormats:
        """From the mapping ``profile`` (None: canonical input only) and the file's raw table."""
        if profile is None or not getattr(profile, "fields", None):
            return cls({})
        from booking_desktop.mapping.profile import spec_source
        from booking_desktop.schema import load_schema

        schema = load_schema()
        out: dict[str, FieldFormat] = {}
        for name, spec in profile.fields.items():
            if name not in schema.field_names:
                continue
            kind = schema.field(name).kind
            if kind not in CANONICAL or spec_source(spec) != "column":
                continue
            kept = {k: spec[k] for k in FORMAT_KEYS if k in spec}
            auto = kind in ("date", "datetime") and not kept
            if not kept and not auto:
                continue  # no format of the file's own: canonical input only
            kept["column"] = "typed"
            out[name] = FieldFormat(
                name, kind, kept, _describe(kind, kept, None), str(spec["column"]) if auto else None
            )
        return cls(out, str(getattr(profile, "vendor", "") or ""), raw)

    def _resolved(self, fmt: FieldFormat) -> FieldFormat:
        """A date column without a declared format is read in the order the mapping detects in the
        whole source column (looked at once, when the first such value is typed)."""
        if fmt.auto_column is None:
            return fmt
        order = _detected_order(self.raw, fmt.auto_column)
        spec = dict(fmt.spec, date_order=order) if order else fmt.spec
        done = FieldFormat(fmt.field, fmt.kind, spec, _describe(fmt.kind, spec, order), None)
        self.formats[fmt.field] = done
        return done

    def read(self, fields: Sequence[str], values: Sequence[str | None]) -> ReadInputs:
        """``values`` (trimmed, None for empty) as the mapping would have made them."""
        out = list(values)
        notes: list[str] = []
        by_field: dict[str, list[int]] = {}
        for i, (f, v) in enumerate(zip(fields, values)):
            fmt = self.formats.get(f)
            if v is not None and fmt is not None and not CANONICAL[fmt.kind].fullmatch(v):
                by_field.setdefault(f, []).append(i)
        for f, idx in by_field.items():
            fmt = self._resolved(self.formats[f])
            typed = [values[i] for i in idx]
            read = self._map(fmt, typed)
            ok = [r is not None and CANONICAL[fmt.kind].fullmatch(r) is not None for r in read]
            marked: list[str] = []
            plain_text = NUMBER_TEXT if fmt.kind in ("decimal", "integer") else None
            if "date_order" in fmt.spec:
                plain_text = ORDERED_DATE_TEXT
            if plain_text is not None:
                plain = [plain_text.fullmatch(str(t)) is not None for t in typed]
                marked = [str(t) for t, good, p in zip(typed, ok, plain) if good and not p]
                ok = [good and p for good, p in zip(ok, plain)]
            for i, r, good in zip(idx, read, ok):
                if good:
                    out[i] = r
            done = [(t, r) for t, r, good in zip(typed, read, ok) if good]
            kept = [t for t, good in zip(typed, ok) if not good and t not in marked]
            if done:
                t, r = done[0]
                more = f" and {len(done) - 1:,} more" if len(done) > 1 else ""
                notes.append(f"{f}: {t!r} read as {r}{more} ({fmt.described})")
            if marked:
                more = f" and {len(marked) - 1:,} more" if len(marked) > 1 else ""
                what = "a plain number is read (no letters or currency signs)"
                if plain_text is ORDERED_DATE_TEXT:
                    what = "a date (and a time) is read, nothing after it"
                notes.append(f"{f}: {marked[0]!r}{more} kept as typed: in {fmt.described} only {what}")
            if kept:
                more = f" and {len(kept) - 1:,} more" if len(kept) > 1 else ""
                notes.append(
                    f"{f}: {kept[0]!r}{more} kept as typed: neither {fmt.described} "
                    f"nor {CANONICAL_SHOWN[fmt.kind]} reads it"
                )
        return ReadInputs(out, notes)

    def _map(self, fmt: FieldFormat, typed: list[str | None]) -> list[str | None]:
        """The typed values through ``apply_mapping`` as a one-column file mapped with the field's spec."""
        from booking_desktop.mapping import MappingProfile, apply_mapping
        from booking_desktop.readers.base import Locations, RawTable, SourceInfo

        n = len(typed)
        raw = RawTable(
            pd.DataFrame({"typed": pd.Series(typed, dtype="str")}),
            Locations("typed value {}", np.arange(1, n + 1)),
            SourceInfo(Path("typed input"), "typed", sha256="0" * 64),
        )
        profile = MappingProfile(name="typed input", vendor=self.vendor or "typed", fields={fmt.field: fmt.spec})
        mapped = apply_mapping(raw, profile)
        col = mapped.text[fmt.field].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
        return [None if v is None else str(v) for v in col]


def _detected_order(raw: Any, column: str) -> str | None:
    """The day/month order the mapping finds in the source column (None when it cannot tell)."""
    from booking_desktop.mapping.dates import detect_date_order
    from booking_desktop.mapping.drift import header_key

    frame = getattr(raw, "frame", None)
    if frame is None:
        return None
    if column not in frame.columns:
        keyed = {header_key(str(c)): str(c) for c in frame.columns}
        found = keyed.get(header_key(column))
        if found is None:
            return None
        column = found
    decision = detect_date_order(frame[column])
    order = getattr(decision, "order", None)
    return str(order) if order and not getattr(decision, "ambiguous", False) else None
