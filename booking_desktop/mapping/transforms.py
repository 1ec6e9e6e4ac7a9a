"""``apply_mapping``: a RawTable and a profile -> the canonical *text* frame.

Every transform works on whole columns (pandas ``str`` / pyarrow compute); no
Python code runs per row except the digest of synthetic references (see
:func:`_hash_refs`).  A value the mapping cannot normalize keeps its source
text so that validation reports it as the operator sees it in the file; a
transform that can produce no value at all (a sum with a non-number) leaves
the cell empty and records a ``transform`` problem with the raw values.  A
source column the file lacks is a file-level ``missing_column`` problem, never
an exception.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.errors import Problem, ProblemTable, Severity
from booking_desktop.mapping import dates
from booking_desktop.mapping.decimals import decimal_product, decimal_sum, normalize_number
from booking_desktop.mapping.drift import header_key, match_profile
from booking_desktop.mapping.money import MoneyParse, parse_money, resolve_with_currency
from booking_desktop.mapping.profile import MappingProfile, canonical_fields, field_ref, spec_refs, spec_source
from booking_desktop.readers.base import RawTable
from booking_desktop.readers.cleaning import is_clean_text

HASH_SEP = "\x1f"  # between the values of one synthetic reference (never in a cell)
DEFAULT_HASH_LENGTH = 16


@dataclass
class MappedTable:
    """The mapping's output: ``text`` is the canonical text frame (docs/ARCHITECTURE.md),
    ``problems`` the cell problems (0-based rows), ``mapping`` canonical field -> where it
    came from, ``file_problems`` header drift, missing columns, ambiguous dates."""

    text: pd.DataFrame
    problems: ProblemTable
    mapping: dict[str, str]
    file_problems: list[Problem] = field(default_factory=list)


def _na(n: int) -> pd.Series:
    return pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str"), dtype="str")


def _constant(value: str, n: int) -> pd.Series:
    """``value`` in every row, built by arrow (no million-element object array on the way)."""
    arr = pa.repeat(pa.scalar(value, pa.large_string()), n)
    return pd.Series(pd.array(arr, dtype="str"), index=pd.RangeIndex(n), dtype="str")


def _clean(s: pd.Series, known_clean: bool = False) -> pd.Series:
    """Trimmed ``str``; blank -> NA.  Reader columns are usually clean already
    (the reader trims and nulls blanks): then ``s`` itself, no copy."""
    s = s if s.dtype == "str" else s.astype("str")
    if known_clean or is_clean_text(pa.array(s.array)):
        return s
    s = s.str.strip()
    return s.where(s != "")


class _Mapper:
    def __init__(self, raw: RawTable, profile: MappingProfile):
        self.raw = raw
        self.profile = profile
        self.n = len(raw.frame)
        self.frame = raw.frame.reset_index(drop=True)
        self.by_key: dict[str, str] = {}
        for c in self.frame.columns:
            self.by_key.setdefault(header_key(str(c)), str(c))
        self.drift = match_profile(raw.columns, profile)
        self.out: dict[str, pd.Series] = {}
        self.described: dict[str, str] = {}
        self.problems: list[ProblemTable] = []
        self.file_problems: list[Problem] = []
        self._cache: dict[str, pd.Series] = {}
        self._money_cache: dict[tuple, MoneyParse] = {}
        self.money: dict[str, tuple[str, MoneyParse]] = {}  # field -> (column, parse) of money fields

    # -- inputs ---------------------------------------------------------
    def column(self, name: str, field_name: str, allow_ref: bool = True) -> pd.Series | None:
        """A source column, trimmed; ``@field`` is an already-mapped canonical field."""
        ref = field_ref(name) if allow_ref else None
        if ref is not None:
            return self.out.get(ref)
        if name in self._cache:
            return self._cache[name]
        actual = name if name in self.frame.columns else self.by_key.get(header_key(name))
        if actual is None:
            self._missing(name, field_name)
            return None
        s = _clean(self.frame[actual], known_clean=self.raw.cells_clean)
        self._cache[name] = s
        return s

    def _missing(self, name: str, field_name: str) -> None:
        spec = self.profile.fields.get(field_name, {})
        guess = self.drift.renamed_to(name)
        hint = f" (renamed to {guess!r}? update the profile)" if guess else ""
        filled = f"; filled with the default {spec['default']!r}" if "default" in spec else "; left empty"
        self.file_problems.append(
            Problem(
                code="missing_column",
                severity=Severity.WARNING if "default" in spec else Severity.ERROR,
                field=field_name,
                value=name,
                message=(
                    f"profile {self.profile.name!r} maps {field_name} from column {name!r}, "
                    f"which the file does not have{hint}{filled}"
                ),
            )
        )

    def transform_problem(self, mask: np.ndarray, field_name: str, message: str | pd.Series, values: pd.Series):
        if mask.any():
            self.problems.append(ProblemTable.from_mask(mask, field_name, "transform", message, values))

    # -- fields -----------------------------------------------------------
    def run(self, vendor: str | None) -> MappedTable:
        for name in _order(self.profile.fields):
            if name == "vendor" and vendor:
                continue
            spec = self.profile.fields[name]
            value, how = self.field(name, spec)
            self.out[name] = value
            self.described[name] = how
        if self.money:
            self._money_checks()
        if self.profile.rows:
            from booking_desktop.mapping.rows import flag_rows

            flags, missing = flag_rows(self.raw, self.profile)
            self.problems.append(flags)
            self.file_problems.extend(missing)
        vendor_value = vendor or (None if "vendor" in self.profile.fields else self.profile.vendor)
        if vendor_value:
            self.out["vendor"] = _constant(vendor_value, self.n)
            self.described["vendor"] = f"constant {vendor_value}"
        elif "vendor" in self.out:
            self._vendor_missing(self.out["vendor"])
        fields = canonical_fields()
        empty = _na(self.n)  # one all-missing column shared by every unmapped field
        text = pd.DataFrame(
            {f: (self.out[f].reset_index(drop=True) if f in self.out else empty) for f in fields},
            index=pd.RangeIndex(self.n),
        )
        for f in fields:
            if text[f].dtype != "str":
                text[f] = text[f].astype("str")
        problems = self.drift.drift_problems() + self.file_problems
        described = {f: self.described[f] for f in fields if f in self.described}
        return MappedTable(text, ProblemTable.concat(self.problems), described, problems)

    def _vendor_missing(self, vendors: pd.Series) -> None:
        """Rows whose own vendor column is empty (an OTA message without a sender): one warning with
        the count, never a made-up vendor.  Committing them needs the vendor (the engine refuses)."""
        missing = int(vendors.isna().sum())
        if not missing:
            return
        source = self.described.get("vendor", "its column")
        self.file_problems.append(
            Problem(
                code="vendor-missing",
                severity=Severity.WARNING,
                field="vendor",
                message=f"{missing:,} of {self.n:,} rows have no vendor ({source} is empty there); they are "
                "checked, but importing them needs the vendor (--vendor CODE, or the vendor asked before the commit)",
            )
        )

    def field(self, name: str, spec: Mapping[str, Any]) -> tuple[pd.Series, str]:
        kind = spec_source(spec)
        arg = spec[kind]
        handler = getattr(self, f"_src_{kind}")
        value, how = handler(name, arg, spec)
        if value is None:
            value = _na(self.n)
        if "map" in spec:
            value = _value_map(value, spec["map"])
            how += " (value map)"
        case = spec.get("case")
        if case:
            value = getattr(value.str, case)()
        if "default" in spec:
            value = value.fillna(spec["default"])
            how += f" (default {spec['default']})"
        return value.astype("str"), how

    def _src_column(self, name: str, col: str, spec: Mapping[str, Any]):
        s = self.column(col, name, allow_ref=False)
        how = f"column {col}"
        if s is None:
            return None, how + " (missing)"
        if "split" in spec:
            sep, index = spec["split"]["sep"], int(spec["split"].get("index", 0))
            s = _split(s, sep, index)
            how += f" (part {index} split on {sep!r})"
        if "money" in spec:
            s, how = self._money(name, col, s, spec, how)
        if "number_locale" in spec:
            loc = spec["number_locale"]
            s, _ = normalize_number(s, loc.get("decimal", "."), loc.get("thousands", ""))
            how += " (number)"
        if spec.get("country_names"):
            from booking_desktop.mapping.countries import names_to_codes

            s = names_to_codes(s)
            how += " (country names read as codes)"
        if name in ("check_in", "check_out", "booked_at"):
            s, how = self._dates(name, col, s, spec, how)
        return s, how

    def _money(self, name: str, col: str, s: pd.Series, spec: Mapping[str, Any], how: str):
        """Amount or currency read from a money cell (``Rp1,445,000.00``); problems come later
        (:meth:`_money_checks`), once every field is known."""
        from booking_desktop.schema import load_schema

        opts = spec.get("money") or {}
        symbols = dict(opts.get("symbols") or {})
        key = (col, opts.get("decimal"), tuple(sorted(symbols.items())))
        parse = self._money_cache.get(key)
        if parse is None:
            parse = parse_money(s, load_schema().currencies, opts.get("decimal"), symbols)
            self._money_cache[key] = parse
        self.money[name] = (col, parse)
        if name == "currency":
            # the code the mark names; an ambiguous or unknown mark stays as written
            return parse.currency.fillna(parse.mark), how + " (currency named in the money cell)"
        read = f", decimal {parse.decimal!r}" if parse.decimal else ""
        return parse.amount, how + f" (money{read})"

    def _money_checks(self) -> None:
        """Problems of money cells: separators that read two ways, marks that name no currency or
        several, and marks that contradict the row's currency column."""
        cur_entry = self.money.get("currency")
        for name, (col, parse) in self.money.items():
            if name == "currency":
                continue
            raw = self._cache.get(col)
            shown = raw if raw is not None else parse.amount
            if (self.profile.fields.get(name, {}).get("money") or {}).get("round") and "currency" in self.out:
                self._round_excess(name, col, shown)
            if parse.ambiguous_number.any():
                why = (
                    "the column has both 1.234,56 and 1,234.56 forms"
                    if parse.decimal_conflict
                    else "nothing in the column shows which separator is the decimal one"
                )
                msg = (
                    f"{col} " + shown.fillna("") + f": the separators read two ways (1.234 is 1234 or 1.234); {why}; "
                    'set money: {decimal: "."} or {decimal: ","} for ' + name + " in the profile"
                )
                self.problems.append(
                    ProblemTable.from_mask(parse.ambiguous_number, name, "ambiguous_number", msg.astype("str"), shown)
                )
            if cur_entry is not None and cur_entry[0] == col:
                continue  # the currency field reports this cell's mark
            current = self.out.get("currency")
            if current is not None:
                mismatch, settled = resolve_with_currency(parse, current)
                named = parse.currency.fillna("'" + parse.mark.fillna("") + "' (" + parse.candidates.fillna("") + ")")
                msg = f"{col} " + shown.fillna("") + " is in " + named + ", but currency is " + current.fillna("")
                self.problems.append(
                    ProblemTable.from_mask(mismatch, name, "currency_mismatch", msg.astype("str"), shown)
                )
                lone = parse.ambiguous_mark & ~settled & ~mismatch
            else:
                lone = np.zeros(len(shown), dtype=bool)
            self._mark_problems(name, col, parse, shown, parse.unknown_mark, lone)
        if cur_entry is not None:
            col, parse = cur_entry
            raw = self._cache.get(col)
            shown = raw if raw is not None else parse.mark
            self._mark_problems("currency", col, parse, shown, parse.unknown_mark, parse.ambiguous_mark)

    def _round_excess(self, name: str, col: str, shown: pd.Series) -> None:
        """``money: {round: true}``: an amount with more decimals than its currency has (Booking.com's
        Excel export writes ``126.6314 EUR``) is rounded half-even to the currency's minor unit, and
        every such cell gets a ``rounded`` warning quoting what the file says -- reported, never
        silent.  Without the option such an amount is a ``precision`` error, left as sent."""
        from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

        from booking_desktop.schema import load_schema

        amounts, currencies = self.out[name], self.out["currency"]
        exponents = load_schema().currencies
        pairs = pd.DataFrame({"a": amounts.astype(object), "c": currencies.astype(object)})
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(pairs.fillna("\x00")), use_na_sentinel=True)
        rounded: list[str | None] = []
        for amount, currency in uniques:
            exp = exponents.get(str(currency).upper()) if currency != "\x00" else None
            frac = amount.partition(".")[2] if isinstance(amount, str) and amount != "\x00" else ""
            if exp is None or len(frac) <= exp or not frac.isdigit():
                rounded.append(None)
                continue
            try:
                value = Decimal(amount).quantize(Decimal(1).scaleb(-exp), rounding=ROUND_HALF_EVEN)
            except InvalidOperation:
                rounded.append(None)
                continue
            rounded.append(f"{value:f}")
        looked = np.array([*rounded, None], dtype=object)
        new = looked[np.where(codes >= 0, codes, len(looked) - 1)]
        mask = pd.notna(new)
        if not mask.any():
            return
        out = amounts.astype(object).to_numpy(copy=True)
        out[mask] = new[mask]
        self.out[name] = pd.Series(out, index=amounts.index, dtype="str")
        msg = (
            f"{col} " + shown.fillna("") + " has more decimals than " + currencies.fillna("") + " has: rounded to "
            + pd.Series(np.where(mask, new, ""), index=amounts.index, dtype="str").fillna("")
            + " (money: round in the profile)"
        )  # fmt: skip
        self.problems.append(
            ProblemTable.from_mask(mask, name, "rounded", msg.astype("str"), shown, severity=Severity.WARNING)
        )

    def _mark_problems(self, name: str, col: str, parse: MoneyParse, shown: pd.Series, unknown, ambiguous) -> None:
        if unknown.any():
            msg = f"{col} " + shown.fillna("") + ": '" + parse.mark.fillna("") + "' is no currency symbol or ISO code"
            self.problems.append(ProblemTable.from_mask(unknown, name, "currency_symbol", msg.astype("str"), shown))
        if ambiguous.any():
            msg = (
                f"{col} "
                + shown.fillna("")
                + ": '"
                + parse.mark.fillna("")
                + "' may be "
                + parse.candidates.fillna("")
                + "; say which in the profile (money: {symbols: {'"
                + parse.mark.fillna("")
                + "': CODE}})"
                + " or map currency from a column"
            )
            self.problems.append(ProblemTable.from_mask(ambiguous, name, "currency_symbol", msg.astype("str"), shown))

    def _dates(self, name: str, col: str, s: pd.Series, spec: Mapping[str, Any], how: str):
        want_time = name == "booked_at"
        if "date_format" in spec:
            return dates.parse_dates(s, spec["date_format"]).text, how + f" (date {spec['date_format']})"
        if "datetime_format" in spec:
            text = dates.parse_datetimes(s, spec["datetime_format"]).text
            if not want_time:
                stamped = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}T.*").fillna(False)
                text = text.where(~stamped, text.str.slice(0, 10))
            return text, how + f" (date-time {spec['datetime_format']})"
        if "date_order" in spec:
            return dates.parse_by_order(s, spec["date_order"]).text, how + f" (date, {spec['date_order']})"
        if want_time:
            parsed, decision = dates.normalize_datetimes_ordered(s)
        else:
            parsed, decision = dates.normalize_dates_auto(s)
        if decision is not None and decision.ambiguous:
            self.file_problems.append(
                Problem(
                    code="ambiguous_date_format",
                    severity=Severity.ERROR,
                    field=name,
                    value=col,
                    message=(
                        f"cannot tell the date order of column {col!r} ({name}): {decision.explain()}; "
                        f'set date_format (e.g. "%d/%m/%Y") or date_order (dmy/mdy) for {name} in the profile'
                    ),
                )
            )
            return parsed.text, how + " (date order unknown)"
        if decision is not None:
            how += f" (date, {decision.order} detected)"
        return parsed.text, how

    def _src_constant(self, name: str, value: str, spec: Mapping[str, Any]):
        return _constant(str(value), self.n), f"constant {value}"

    def _src_concat(self, name: str, cols: list[str], spec: Mapping[str, Any]):
        sep = spec.get("sep", " ")
        parts = [p for p in (self.column(c, name) for c in cols) if p is not None]
        how = f"concat of {' + '.join(cols)}"
        if not parts:
            return None, how
        out = parts[0]
        for p in parts[1:]:
            both = out.notna() & p.notna()
            out = (out + sep + p).where(both, out.fillna(p))
        return out, how

    def _src_date_parts(self, name: str, parts: Mapping[str, str], spec: Mapping[str, Any]):
        cols = [parts["year"], parts["month"], parts["day"]]
        how = f"date from {'/'.join(cols)}"
        found = [self.column(c, name) for c in cols]
        series = [s for s in found if s is not None]
        if len(series) < len(found):
            return None, how + " (missing)"
        text = dates.assemble_date_parts(*series).text
        if name == "booked_at":
            how += " (date only)"
        return text, how

    def _arith(self, name: str, cols: list[str], spec: Mapping[str, Any], op: str):
        sign = " + " if op == "sum" else " × "
        how = f"{op} of {sign.join(cols)}"
        found = [self.column(c, name) for c in cols]
        series = [s for s in found if s is not None]
        if len(series) < len(found):
            return None, how + " (missing)"
        if "number_locale" in spec:
            loc = spec["number_locale"]
            series = [
                normalize_number(s, loc.get("decimal", "."), loc.get("thousands", ""))[0] if field_ref(c) is None else s
                for c, s in zip(cols, series)
            ]
        result = (decimal_sum if op == "sum" else decimal_product)(series)
        if not (result.bad.any() or result.overflow.any()):
            return result.text, how
        shown = pd.Series("", index=series[0].index, dtype="str")
        for i, s in enumerate(series):
            shown = shown + ("" if i == 0 else sign) + s.fillna("<empty>")
        if result.bad.any():
            self.transform_problem(
                result.bad, name, f"{how}: an operand is not a number, so {name} cannot be computed", shown
            )
        if result.overflow.any():
            self.transform_problem(result.overflow, name, f"{how}: the result has more than 18 digits", shown)
        return result.text, how

    def _src_sum(self, name: str, cols: list[str], spec: Mapping[str, Any]):
        return self._arith(name, cols, spec, "sum")

    def _src_product(self, name: str, cols: list[str], spec: Mapping[str, Any]):
        return self._arith(name, cols, spec, "product")

    def _src_date_add(self, name: str, arg: Mapping[str, Any], spec: Mapping[str, Any]):
        sign = -1 if arg.get("subtract") else 1
        how = f"{arg['date']} {'-' if sign < 0 else '+'} {arg['days']} days"
        base = self.column(str(arg["date"]), name)
        days = self.column(str(arg["days"]), name)
        if base is None or days is None:
            return None, how + " (missing)"
        base_days, base_ok = dates.iso_to_days(base)
        n_days, days_ok = dates.int_values(days)
        ok = base_ok & days_ok
        delta = np.where(ok, n_days, 0) * sign
        d = base_days
        out = dates.iso_from_days(np.where(ok, d + delta, 0), ok, base.index)
        bad = days.notna().to_numpy() & ~days_ok
        self.transform_problem(bad, name, f"{how}: {arg['days']} is not a whole number of days", days)
        return out, how

    def _src_hash(self, name: str, cols: list[str], spec: Mapping[str, Any]):
        how = f"hash of {', '.join(cols)}"
        found = [self.column(c, name) for c in cols]
        series = [s for s in found if s is not None]
        if len(series) < len(found):
            return None, how + " (missing)"
        arrays = [pc.fill_null(dates.arrow_text(s), "") for s in series]
        joined_arr = pc.utf8_lower(pc.binary_join_element_wise(*arrays, HASH_SEP))
        joined = pd.Series(pd.array(joined_arr, dtype="str"), index=series[0].index, dtype="str")
        if spec.get("number_duplicates"):
            occurrence = joined.groupby(joined, sort=False).cumcount()
            dup = (occurrence > 0).to_numpy()
            if dup.any():
                joined = joined.where(~dup, joined + "\x1e" + occurrence.astype("str"))
            how += " (identical rows numbered)"
        refs = _hash_refs(joined, spec.get("prefix", ""), int(spec.get("length", DEFAULT_HASH_LENGTH)))
        return refs, how


def _order(fields: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Field names so that ``@field`` references come after the fields they read."""
    done: list[str] = []
    pending = list(fields)
    while pending:
        progressed = False
        for name in list(pending):
            refs = [r for r in spec_refs(fields[name]) if r in fields]
            if all(r in done for r in refs):
                done.append(name)
                pending.remove(name)
                progressed = True
        if not progressed:  # a cycle (profile checking rejects these); map the rest as they come
            done.extend(pending)
            break
    return done


def _value_map(s: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """Case-insensitive match on the trimmed value; unmatched values pass through."""
    table = {str(k).strip().lower(): str(v) for k, v in mapping.items()}
    keys = pa.array(list(table), pa.string())
    targets = pa.array(list(table.values()), pa.string())
    arr = dates.arrow_text(s)
    # Mapped columns hold few distinct values: map those, then spread them with one take.
    encoded = pc.dictionary_encode(arr)
    distinct = encoded.dictionary
    pos = pc.index_in(pc.utf8_lower(distinct), value_set=keys)
    mapped = pc.coalesce(pc.take(targets, pos), distinct)
    out = pc.take(mapped, encoded.indices)
    return pd.Series(pd.array(out, dtype="str"), index=s.index, dtype="str")


def _split(s: pd.Series, sep: str, index: int) -> pd.Series:
    """Part ``index`` (negative from the end) of each value split on ``sep``; NA when there is
    no such part."""
    arr = dates.arrow_text(s)
    lists = pc.split_pattern(arr, sep)
    lengths = pc.list_value_length(lists).fill_null(0).to_numpy(zero_copy_only=False).astype("int64")
    offsets = lists.offsets.to_numpy()[:-1].astype("int64")
    pos = index if index >= 0 else lengths + index
    pos = np.broadcast_to(pos, lengths.shape)
    ok = (pos >= 0) & (pos < lengths) & ~np.asarray(pc.is_null(lists).to_numpy(zero_copy_only=False))
    flat = lists.values
    take = np.where(ok, offsets + pos, 0)
    if len(flat) == 0:
        return _na(len(s)).set_axis(s.index)
    parts = pc.take(flat, pa.array(take))
    out = pd.Series(pd.array(parts, dtype="str"), index=s.index, dtype="str")
    return _clean(out.where(ok))


def _hash_refs(joined: pd.Series, prefix: str, length: int) -> pd.Series:
    """Stable references: blake2b of each distinct joined value, hex, cut to ``length``.

    No vectorized cryptographic hash exists in numpy/pyarrow (pandas' ``hash_pandas_object``
    is 64-bit and tied to pandas internals, so not stable across versions); hashing the
    distinct values with hashlib costs about 0.6 s per million (measured, see PROFILES.md)."""
    codes, uniques = pd.factorize(joined, use_na_sentinel=False)
    blake = hashlib.blake2b
    digests = np.array(
        [blake(u.encode("utf-8"), digest_size=32).hexdigest()[:length] for u in np.asarray(uniques, dtype=object)],
        dtype=object,
    )
    out = pd.Series(digests[codes] if len(codes) else [], index=joined.index, dtype="str")
    return prefix + out if prefix else out


def apply_mapping(raw: RawTable, profile: MappingProfile, vendor: str | None = None) -> MappedTable:
    """Map ``raw`` with ``profile`` into the canonical text frame.  ``vendor`` (when given)
    overrides the profile's vendor code and fills the ``vendor`` column."""
    return _Mapper(raw, profile).run(vendor)
