"""Row-local checks per field kind, each over a whole column.

Every ``check_*`` takes the field's rules, its raw text column (arrow), the
"present" mask and the problem sink, reports problems and returns a
:class:`Checked`: the typed column (invalid cells NA) and the mask of cells
that passed.  Which check runs for a field is decided by the field's *kind*,
which comes from the schema file (type/format/enum), never from its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.civil import days_from_civil
from booking_desktop.schema import FieldSpec, Rules, normalize_token
from booking_desktop.validation._arrow import (
    DIGITS,
    STR,
    byte_from_end,
    byte_from_start,
    byte_lengths,
    byte_table,
    char_lengths,
    count_bytes_not_in,
    delete_chars,
    join,
    lower,
    matches,
    matches_some,
    parse_ymd,
    scatter,
    to_bool,
    to_int,
    to_series,
    upper,
    valid,
    where,
)
from booking_desktop.validation._problems import MessageFn, Sink

DATETIME_RE = (
    r"^\d{4}-\d{2}-\d{2}"
    r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4])(?::?[0-5]\d)?)?)?$"
)
INTEGER_RE = r"^[+-]?\d+(?:\.0+)?$"
DECIMAL_RE = r"^[+-]?\d+(?:\.\d+)?$"
EMAIL_RE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # when the schema gives no pattern
DIGITS_DOT = byte_table("0123456789.")
NOT_DOT = ~byte_table(".")
PHONE_STRIP = " .-()/\t"
# a negative number, or digits with one decimal point/comma that do not start with 0 + digit
# ("120069.2000", "0.0412"): an amount, never a phone ("0207.946" and "+44.20..." stay phones)
NUMBER_NOT_PHONE_RE = r"^(?:-|[1-9]\d*[.,]\d+$|0[.,]\d+$)"
_I64_MAX = np.iinfo(np.int64).max
_I64_MIN = np.iinfo(np.int64).min
_NS_PER_DAY = 86_400 * 10**9
_POW10 = 10 ** np.arange(19, dtype=np.int64)  # a gather is several times faster than an integer power per row


@dataclass
class Checked:
    typed: Any  # pandas Series / ExtensionArray / numpy array, one per row
    ok: np.ndarray  # present and valid
    aux: dict[str, Any] = field(default_factory=dict)


def _quoted(name: str, raw: pa.Array, text: str) -> MessageFn:
    """Message function: ``<name> '<raw value>' <text>``."""
    return lambda idx: join(f"{name} '", raw.take(pa.array(idx)), f"' {text}")


def _out_of_range(name: str, raw: pa.Array, text: str, bound: Decimal) -> MessageFn:
    """Message function: ``<name> <raw value> is <text> <bound>``."""
    return lambda idx: join(f"{name} ", raw.take(pa.array(idx)), f" is {text} {bound}")


def _num(arr: np.ndarray, idx: np.ndarray) -> pa.Array:
    return pa.array(arr[idx]).cast(STR)


def _sev(spec: FieldSpec, code: str) -> str:
    return spec.severity(code)


# -- text-like ------------------------------------------------------------


def _check_length(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, ok: np.ndarray) -> None:
    if spec.max_length is None and not spec.min_length:
        return
    n = byte_lengths(raw)  # characters <= bytes: count characters only where bytes say it matters
    if (n > (spec.max_length or 0)).any() or spec.min_length:
        n = char_lengths(raw)
    if spec.max_length is not None:
        bad = pres & (n > spec.max_length)
        sink.add(bad, spec.name, "length", _sev(spec, "length"), raw,
                 lambda idx: join(f"{spec.name} is ", _num(n, idx),
                                  f" characters long; at most {spec.max_length} allowed"))
        ok &= ~bad
    if spec.min_length:
        bad = pres & (n < spec.min_length)
        sink.add(bad, spec.name, "length", _sev(spec, "length"), raw,
                 lambda idx: join(f"{spec.name} is ", _num(n, idx),
                                  f" characters long; at least {spec.min_length} needed"))
        ok &= ~bad


def check_text(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    ok = pres.copy()
    _check_length(spec, raw, pres, sink, ok)
    if spec.pattern:
        bad = ok & ~matches(raw, spec.pattern)
        sink.add(bad, spec.name, "format", _sev(spec, "format"), raw,
                 _quoted(spec.name, raw, "does not have the expected form"))
        ok &= ~bad
    return Checked(to_series(where(ok, raw)), ok)


def check_email(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    ok = pres.copy()
    _check_length(spec, raw, pres, sink, ok)
    bad = ok & ~matches(raw, spec.pattern or EMAIL_RE)
    sink.add(bad, spec.name, "format", _sev(spec, "format"), raw,
             _quoted(spec.name, raw, "is not a valid e-mail address (expected name@domain.tld)"))
    ok &= ~bad
    return Checked(to_series(where(ok, lower(raw))), ok)


def check_phone(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    bounds = spec.extra.get("x-phone-digits", {})
    lo, hi = int(bounds.get("min", 6)), int(bounds.get("max", 15))
    clean = delete_chars(raw, PHONE_STRIP)
    intl = to_bool(pc.starts_with(clean, "00"))
    if intl.any():
        clean = pc.if_else(pa.array(intl), join("+", pc.utf8_slice_codeunits(clean, 2)), clean)
    plus = byte_from_start(clean, 0) == ord("+")
    digits = byte_lengths(clean) - plus
    ok = pres & (count_bytes_not_in(clean, DIGITS, ignore_first=plus) == 0) & (digits >= lo) & (digits <= hi)
    number = pres & matches_some(raw, pres, NUMBER_NOT_PHONE_RE)
    sink.add(number, spec.name, "format", _sev(spec, "format"), raw,
             _quoted(spec.name, raw, "is a decimal or negative number, not a phone number"))
    ok &= ~number
    bad = pres & ~ok & ~number
    sink.add(bad, spec.name, "format", _sev(spec, "format"), raw,
             _quoted(spec.name, raw, f"is not a phone number (expected {lo} to {hi} digits, optionally +country code)"))
    _check_length(spec, clean, ok.copy(), sink, ok)
    return Checked(to_series(where(ok, clean)), ok)


def status_lookup(rules: Rules, spec: FieldSpec) -> tuple[dict[str, str], dict[str, str]]:
    """(exact text -> canonical, normalized text -> canonical) for an enum field."""
    norm: dict[str, str] = {}
    for canonical, words in spec.extra.get("x-synonyms", {}).items():
        for w in (canonical, *words):
            norm[normalize_token(w)] = canonical
    for v in spec.enum or ():
        norm[normalize_token(v)] = v
    exact: dict[str, str] = {}
    for canonical, words in spec.extra.get("x-synonyms", {}).items():
        for w in (canonical, *words):
            for form in (w, w.lower(), w.upper(), w.title()):
                exact.setdefault(form, canonical)
    for v in spec.enum or ():
        exact[v] = v
    return exact, norm


def _lookup(arr: pa.Array, table: dict[str, str]) -> pa.Array:
    keys = pa.array(list(table), STR)
    vals = pa.array(list(table.values()), STR)
    return vals.take(pc.index_in(arr, value_set=keys))


def check_enum(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    exact, norm = status_lookup(rules, spec)
    canon = _lookup(raw, exact)
    miss = pres & ~to_bool(canon.is_valid())
    if miss.any():
        idx = np.flatnonzero(miss)
        sub = raw.take(pa.array(idx))
        sub = pc.utf8_trim(pc.replace_substring_regex(pc.utf8_lower(sub), r"[\s_\-]+", " "), " ")
        found = _lookup(sub, norm)
        full = np.full(len(raw), -1, dtype=np.int64)
        full[idx] = np.arange(idx.size)
        canon = pc.if_else(pa.array(full >= 0), found.take(pa.array(np.maximum(full, 0))), canon)
    allowed = pa.array(list(spec.enum or ()), STR)
    ok = pres & to_bool(pc.is_in(canon, value_set=allowed))
    bad = pres & ~ok
    sink.add(bad, spec.name, "enum", _sev(spec, "enum"), raw,
             _quoted(spec.name, raw, f"is not one of {', '.join(spec.enum or ())} (or a known synonym)"))
    return Checked(to_series(where(ok, canon)), ok)


# -- dates --------------------------------------------------------------------


def _real_dates(text: pa.Array, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days since 1970-01-01, is-a-real-date): rows of ``candidates`` whose text starts with a real
    ``YYYY-MM-DD`` date.

    The first ten bytes are read straight from the string buffer and the
    calendar is checked with integer arithmetic (2023-02-29 and 2024-04-31 are
    not dates); no string slicing, casting or regex.
    """
    n = len(text)
    rows = np.flatnonzero(candidates & (byte_lengths(text) >= 10))
    y, m, d, shaped = parse_ymd(text, rows)
    # first day of each (year, month) of years 0000-9999 from a table: two gathers instead of
    # the calendar arithmetic per row
    starts = _month_starts()
    at = np.where(shaped & (m >= 1) & (m <= 12), y * 12 + (m - 1), 0)
    first = starts[at]
    real_sub = shaped & (m >= 1) & (m <= 12) & (d >= 1) & (d <= starts[at + 1] - first)
    days = np.zeros(n, dtype=np.int64)
    real = np.zeros(n, dtype=bool)
    real[rows] = real_sub
    days[rows] = np.where(real_sub, first + d - 1, 0)
    return days, real


@cache
def _month_starts() -> np.ndarray:
    """Days since 1970-01-01 of the first of every month of 0000-01 .. 10000-01 (index ``y*12 + m-1``)."""
    k = np.arange(10000 * 12 + 1, dtype=np.int64)
    return days_from_civil(k // 12, k % 12 + 1, np.ones_like(k))


def _day_number(text: str | None) -> int | None:
    if not text:
        return None
    return int(np.datetime64(text[:10], "D").astype(np.int64))


# datetime64[ns] spans 1677-09-21 .. 2262-04-11; whole years inside it are safe whatever the schema says.
_NS_FIRST_DAY = int(np.datetime64("1678-01-01", "D").astype(np.int64))
_NS_LAST_DAY = int(np.datetime64("2261-12-31", "D").astype(np.int64))


def _check_date_range(spec: FieldSpec, raw: pa.Array, days: np.ndarray, ok: np.ndarray, sink: Sink) -> None:
    """formatMinimum/formatMaximum on the calendar date, and the years a timestamp can hold."""
    lo, hi = _day_number(spec.format_minimum), _day_number(spec.format_maximum)
    bounds = [
        (lo, spec.format_minimum, "is before"),
        (hi, spec.format_maximum, "is after"),
        (_NS_FIRST_DAY, "1678-01-01", "is before"),
        (_NS_LAST_DAY, "2261-12-31", "is after"),
    ]
    for day, text, words in bounds:
        if day is None or text is None:
            continue
        bad = ok & ((days < day) if words == "is before" else (days > day))
        sink.add(bad, spec.name, "range", _sev(spec, "range"), raw, _quoted(spec.name, raw, f"{words} {text[:10]}"))
        ok &= ~bad


def check_date(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    days, ok = _real_dates(raw, pres & (byte_lengths(raw) == 10))
    ok = ok.copy()
    sink.add(pres & ~ok, spec.name, "format", _sev(spec, "format"), raw,
             _quoted(spec.name, raw, "is not a real calendar date (expected YYYY-MM-DD)"))
    _check_date_range(spec, raw, days, ok, sink)
    typed = np.where(ok, days, 0).astype("datetime64[D]").astype("datetime64[ns]")
    typed[~ok] = np.datetime64("NaT", "ns")
    return Checked(typed, ok, {"days": days})


def _zoned(raw: pa.Array, has_time: np.ndarray) -> np.ndarray:
    """Rows (already shaped like DATETIME_RE) that end in ``Z``, ``±HH``, ``±HHMM`` or ``±HH:MM``."""
    if not has_time.any():
        return has_time.copy()
    zoned = byte_from_end(raw, 1) == ord("Z")
    for k in (3, 5, 6):
        b = byte_from_end(raw, k)
        zoned |= (b == ord("+")) | ((b == ord("-")) & (byte_lengths(raw) - k > 10))
    return zoned & has_time


def _timestamps(raw: pa.Array, ok: np.ndarray, zoned: np.ndarray) -> np.ndarray:
    """int64 ns since the epoch (UTC); naive text is UTC.  Raises ArrowInvalid on impossible values."""
    out = np.zeros(len(raw), dtype=np.int64)
    for mask, typ in ((ok & zoned, pa.timestamp("ns", "UTC")), (ok & ~zoned, pa.timestamp("ns"))):
        if mask.any():
            ns = pc.cast(where(mask, raw), typ).cast(pa.int64())
            out = np.where(mask, np.asarray(pc.fill_null(ns, 0).to_numpy(zero_copy_only=False)), out)
    return out


def check_datetime(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    ok = pres & matches(raw, DATETIME_RE) if pres.any() else pres.copy()  # an unmapped column: no regex pass
    zoned = _zoned(raw, byte_lengths(raw) > 10)
    local_days, ok = _real_dates(raw, ok)  # 2024-02-30T10:00 would make the cast below raise
    ok = ok.copy()
    sink.add(pres & ~ok, spec.name, "format", _sev(spec, "format"), raw,
             _quoted(spec.name, raw, "is not an ISO 8601 date-time (expected YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM])"))
    _check_date_range(spec, raw, local_days, ok, sink)  # before the cast: year 0001 does not fit in ns
    ns = _timestamps(raw, ok, zoned)
    days = np.floor_divide(ns, _NS_PER_DAY)
    stamps = np.where(ok, ns, np.iinfo(np.int64).min).view("datetime64[ns]")
    typed = pd.Series(pd.DatetimeIndex(stamps).tz_localize("UTC"))
    return Checked(typed, ok, {"ns": ns, "days": days})


# -- numbers ---------------------------------------------------------------------


def _bounds_in_units(bound: Decimal, scale: int, rounding: str) -> int:
    v = int((bound * (Decimal(10) ** scale)).to_integral_value(rounding=rounding))
    return max(min(v, _I64_MAX), _I64_MIN)


def _check_bounds(spec: FieldSpec, raw: pa.Array, value: np.ndarray, scale: np.ndarray, ok: np.ndarray,
                  sink: Sink) -> np.ndarray:
    """Exact bound checks of ``value / 10**scale`` (integers scaled per row); returns the failures."""
    failed = np.zeros(len(value), dtype=bool)
    if not ok.any():
        return failed
    ok = ok.copy()
    for bound, code_text, rounding in ((spec.minimum, "below the minimum", ROUND_CEILING),
                                       (spec.maximum, "above the maximum", ROUND_FLOOR)):
        if bound is None:
            continue
        limit = np.zeros(len(value), dtype=np.int64)
        for s in np.flatnonzero(np.bincount(scale[ok])) if ok.any() else ():
            limit[scale == s] = _bounds_in_units(bound, int(s), rounding)
        bad = ok & ((value < limit) if rounding == ROUND_CEILING else (value > limit))
        sink.add(bad, spec.name, "range", _sev(spec, "range"), raw, _out_of_range(spec.name, raw, code_text, bound))
        ok &= ~bad
        failed |= bad
    return failed


def check_integer(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    n = len(raw)
    plain = pres & (count_bytes_not_in(raw, DIGITS) == 0) & (byte_lengths(raw) <= 15)  # the usual case
    shape = plain | matches_some(raw, pres & ~plain, INTEGER_RE)
    sink.add(pres & ~shape, spec.name, "type", _sev(spec, "type"), raw,
             _quoted(spec.name, raw, "is not a whole number"))
    values = to_int(raw, plain)
    big = np.zeros(n, dtype=bool)
    odd = np.flatnonzero(shape & ~plain)  # signed, "2.0", or very long
    if odd.size:
        sub = pc.replace_substring_regex(pc.utf8_ltrim(raw.take(pa.array(odd)), "+"), r"\.0+$", "")
        sub_big = byte_lengths(pc.utf8_ltrim(sub, "-0")) > 15
        big[odd] = sub_big
        values[odd] = to_int(sub, ~sub_big & valid(sub))
    sink.add(big, spec.name, "range", _sev(spec, "range"), raw, _quoted(spec.name, raw, "is too large"))
    ok = shape & ~big
    ok &= ~_check_bounds(spec, raw, values, np.zeros(n, dtype=np.int64), ok, sink)
    typed = pd.arrays.IntegerArray(np.where(ok, values, 0), ~ok)
    return Checked(pd.Series(typed), ok, {"values": values})


def check_currency(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    codes = rules.schema.currencies
    upper_text = upper(raw)
    idx = pc.index_in(upper_text, value_set=pa.array(list(codes), STR))
    ok = pres & to_bool(idx.is_valid())
    sink.add(pres & ~ok, spec.name, "format", _sev(spec, "format"), raw,
             _quoted(spec.name, raw, "is not an active ISO 4217 currency code"))
    exps = np.asarray(pa.array(list(codes.values()), pa.int64()).take(idx).fill_null(-1).to_numpy(), dtype=np.int64)
    return Checked(to_series(where(ok, upper_text)), ok, {"exponent": np.where(ok, exps, -1)})


def _trimmed_parts(raw: pa.Array, rows: np.ndarray, negative: np.ndarray):
    """(integer digits, decimals, scaled value, fits) for long decimals after dropping
    leading zeros and trailing decimal zeros (rare rows only)."""
    sub = pc.utf8_ltrim(raw.take(pa.array(rows)), "+-")
    sub = pc.if_else(pc.match_substring(sub, "."), pc.utf8_rtrim(sub, "0"), sub)
    sub = pc.utf8_ltrim(sub, "0")
    length = byte_lengths(sub)
    dot = np.asarray(pc.fill_null(pc.find_substring(sub, "."), -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    int_len = np.where(dot >= 0, dot, length)
    frac_len = np.where(dot >= 0, length - dot - 1, 0)
    digits = pc.replace_substring(sub, ".", "")
    digits = pc.if_else(pc.equal(digits, ""), pa.scalar("0", STR), digits)
    fits = int_len + frac_len <= 18
    value = to_int(digits, fits)
    return int_len, frac_len, np.where(negative[rows], -value, value), fits


def check_decimal(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules,
                  currency: Checked | None = None, currency_raw: pa.Array | None = None) -> Checked:
    """Exact decimal text -> (canonical text, integer minor units); never through float.

    The value is the digits without the point, cast to int64, with the number
    of decimals kept beside it; precision, bounds and minor units are integer
    arithmetic on that pair.
    """
    n = len(raw)
    length = byte_lengths(raw)
    first, last = byte_from_start(raw, 0), byte_from_end(raw, 1)
    digits = delete_chars(raw, ".")  # the value's digits, and how many dots each value had
    dots = length - byte_lengths(digits)
    plain = pres & (count_bytes_not_in(raw, DIGITS_DOT) == 0) & (dots <= 1) & DIGITS[first] & DIGITS[last]
    shape = plain | matches_some(raw, pres & ~plain, DECIMAL_RE)
    sink.add(pres & ~shape, spec.name, "type", _sev(spec, "type"), raw,
             _quoted(spec.name, raw, "is not a decimal number (expected digits with an optional . and decimals)"))
    signed = shape & ((first == ord("+")) | (first == ord("-")))
    negative = shape & (first == ord("-"))
    dot = np.full(n, -1, dtype=np.int64)
    if (dots > 0).any():
        dot = np.asarray(pc.fill_null(pc.find_substring(raw, "."), -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    if (first == ord("+")).any():
        digits = pc.utf8_ltrim(digits, "+")
    int_len = np.where(dot >= 0, dot, length) - signed
    frac_len = np.where(dot >= 0, length - dot - 1, 0)
    fits = shape & (int_len + frac_len <= 18)
    value = to_int(digits, fits)
    long_rows = np.flatnonzero(shape & ~fits)
    if long_rows.size:
        int_len[long_rows], frac_len[long_rows], value[long_rows], fits[long_rows] = _trimmed_parts(
            raw, long_rows, negative)
    max_int = int(spec.extra.get("x-max-integer-digits", 14))
    limit_exp = max_int + frac_len
    big = (fits & (limit_exp <= 18) & (np.abs(value) >= _POW10[np.clip(limit_exp, 0, 18)])) | (
        shape & ~fits & (int_len > max_int))
    sink.add(big, spec.name, "range", _sev(spec, "range"), raw,
             _quoted(spec.name, raw, f"is too large (more than {max_int} digits before the decimal point)"))
    ok = shape & ~big
    ok &= ~_check_bounds(spec, raw, value, frac_len, ok & fits, sink)

    exp = currency.aux["exponent"] if currency is not None else np.full(n, -1, dtype=np.int64)
    known = ok & (exp >= 0)
    extra = np.clip(frac_len - exp, 0, 18)
    step = _POW10[extra]
    too_precise = known & (~fits | (value % step != 0))  # trailing decimal zeros are fine
    def cur_text(idx: np.ndarray) -> pa.Array:  # upper-cased for the flagged rows only
        return upper(currency_raw.take(pa.array(idx))) if currency_raw is not None else pa.nulls(idx.size, STR)

    sink.add(too_precise, spec.name, "precision", _sev(spec, "precision"), raw,
             lambda idx: join(f"{spec.name} ", raw.take(pa.array(idx)), " has ", _num(frac_len, idx),
                              " decimals; ", cur_text(idx), " allows ", _num(exp, idx)))
    ok &= ~too_precise
    has_minor = ok & known  # at most 14 + 4 digits: exact in int64
    up = _POW10[np.clip(exp - frac_len, 0, 18)]
    minor = np.where(has_minor, value // step * up, 0)

    canonical = where(ok, raw)
    already = (frac_len == exp) & ~signed & ((int_len == 1) | (first != ord("0")))
    redo = np.flatnonzero(has_minor & ~already)
    if redo.size:
        e, m = exp[redo], minor[redo]
        pow10 = (10 ** e).astype(np.int64)
        whole, part = np.divmod(np.abs(m), pow10)
        # part + 10**exp prints as "1" + exactly exp digits; its "1" becomes the decimal point
        frac = pc.utf8_replace_slice(pa.array(part + pow10).cast(STR), 0, 1, ".")
        frac = pc.if_else(pa.array(e > 0), frac, pa.scalar("", STR))
        text = join(pa.array(np.where(m < 0, "-", "")), pa.array(whole).cast(STR), frac)
        canonical = scatter(canonical, redo, text)
    minor_typed = pd.Series(pd.arrays.IntegerArray(minor, ~has_minor))
    return Checked(to_series(canonical), ok, {"minor": minor_typed})


def check_country(spec: FieldSpec, raw: pa.Array, pres: np.ndarray, sink: Sink, rules: Rules) -> Checked:
    table = rules.schema.country_codes
    alpha2 = _lookup(upper(raw), table)
    ok = pres & to_bool(alpha2.is_valid())
    accepted = " or ".join(a.replace("_", "-") for a in spec.extra.get("x-accept", ["alpha_2", "alpha_3"]))
    sink.add(pres & ~ok, spec.name, "unknown_country", _sev(spec, "unknown_country"), raw,
             _quoted(spec.name, raw, f"is not an ISO 3166-1 {accepted} country code"))
    return Checked(to_series(where(ok, alpha2)), ok)


CHECKS = {
    "text": check_text,
    "email": check_email,
    "phone": check_phone,
    "enum": check_enum,
    "date": check_date,
    "datetime": check_datetime,
    "integer": check_integer,
    "currency": check_currency,
    "country": check_country,
}
