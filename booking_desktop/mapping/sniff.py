"""Content sniffing: what do a column's values look like?

A header can lie or say nothing ("x1"); the values rarely do.  ``sniff``
looks at a *sample* of one column (a few thousand cells) with vectorized
regular expressions and returns the fraction of non-missing values that fit
each kind (e-mail, date, ISO currency code, ...).  The suggestion engine turns
those fractions into evidence for canonical fields; nothing here knows about
fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

EMAIL_RE = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
# dates without a time: ISO, d/m/y or m/d/y with / . -, "12 Mar 2024", "Mar 12, 2024", compact 20240312
_MONTH_WORD = r"\p{L}{3,10}\.?"  # "Jan", "janv.", "März": the mapping reads month names of several languages
DATE_RE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}\.?[ ./-]{_MONTH_WORD}[ ./,-]*\d{{2,4}}"
    rf"|{_MONTH_WORD} \d{{1,2}},? \d{{4}}"
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
)
TIME_RE = r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?"
INT_RE = r"[+-]?\d+"
CURRENCY_SIGNS = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₺": "TRY", "₽": "RUB", "₪": "ILS", "₫": "VND",
                  "฿": "THB", "₱": "PHP", "$": "", "¥": ""}  # fmt: skip  # "" : several currencies write it
CURRENCY_SIGN_RE = "[" + "".join(re.escape(c) for c in CURRENCY_SIGNS) + "]"
COUNT_RE = r"\d{1,3}"  # non-negative, small enough for adults/children/nights
DECIMAL_RE = r"[+-]?(?:\d{1,3}(?:[,.' ]\d{3})+|\d+)(?:[.,]\d{1,4})?"
HAS_DECIMALS_RE = r"[+-]?[\d,.' ]*\d[.,]\d{1,4}"
PHONE_RE = r"\+?[\d(][\d\s().\-/]{5,22}\d"
# an amount, never a phone: negative, or one decimal point/comma not after a leading 0 + digit
# (the validation's phone check rejects the same values)
NUMBER_NOT_PHONE_RE = r"-.*|[1-9]\d*[.,]\d+|0[.,]\d+"
REF_RE = r"[A-Za-z0-9][A-Za-z0-9_\-/#.]{2,63}"
PERSON_NAME_RE = r"\p{L}[\p{L}'.\-]*(?:[ ,]+\p{L}[\p{L}'.\-]*\.?){1,4}"
YEAR_RE = r"(?:19|20)\d{2}"
MONTH_NUM_RE = r"0?[1-9]|1[0-2]"
DAY_NUM_RE = r"0?[1-9]|[12]\d|3[01]"
MONTH_NAMES = (
    *("january", "february", "march", "april", "may", "june", "july"),
    *("august", "september", "october", "november", "december"),
    *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
)


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    from booking_desktop.schema import iso_currencies

    return frozenset(c["alpha_3"] for c in iso_currencies())


@lru_cache(maxsize=1)
def country_codes() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(alpha-2, alpha-3, lower-cased English names)."""
    from booking_desktop.schema import iso_countries

    countries = iso_countries()
    a2 = frozenset(c["alpha_2"] for c in countries)
    a3 = frozenset(c["alpha_3"] for c in countries)
    names = {c["name"].lower() for c in countries}
    names |= {c.get("common_name", c["name"]).lower() for c in countries}
    return a2, a3, frozenset(names)


@dataclass
class ColumnSniff:
    """Fractions (0..1) of the sampled non-missing values that fit each kind."""

    column: str
    n: int  # non-missing values in the sample
    n_distinct: int = 0
    uniqueness: float = 0.0  # n_distinct / n
    frac: dict[str, float] = field(default_factory=dict)
    int_mean: float | None = None  # mean of the values when they are integers
    int_max: int | None = None

    def get(self, kind: str) -> float:
        return self.frac.get(kind, 0.0)


STATUS_SNIFF_MAX_DISTINCT = 50  # status words are looked for only in low-cardinality columns


def sniff(column: str, sample: pd.Series, status_words: frozenset[str] = frozenset()) -> ColumnSniff:
    """:func:`sniff_frame` for one column."""
    return sniff_frame(pd.DataFrame({column: sample}), status_words)[column]


def sniff_frame(
    sample: pd.DataFrame, status_words: frozenset[str] = frozenset(), rows: np.ndarray | None = None
) -> dict[str, ColumnSniff]:
    """Describe every column of a sample.  ``status_words`` are normalized status
    synonyms (see :func:`normalize_text`); the fraction of values that are one of
    them is reported as ``status``.  ``rows``: the positions of the sampled rows when
    ``sample`` is the whole frame (taking them column by column in Arrow is far cheaper
    than ``frame.iloc[rows]`` for a frame of thousands of columns).

    Patterns run once over the *distinct* texts of all columns together, and each
    (column, text) pair is weighted by its count in its column: booking columns repeat a
    handful of values, columns repeat each other's ("0", "2", "EUR"), and one regex call
    over everything is far cheaper than one per column (compiling the pattern costs more
    than matching a few thousand strings)."""
    names = [str(c) for c in sample.columns]
    out = {c: ColumnSniff(column=c, n=0) for c in names}
    distinct = _distinct_per_column(sample, rows)
    if distinct is None:
        return out
    arr, code, col, counts = distinct
    n = np.bincount(col, weights=counts, minlength=len(names)).astype(np.int64)
    n_distinct = np.bincount(col, minlength=len(names))
    for j in np.flatnonzero(n).tolist():
        sn = out[names[j]]
        sn.n, sn.n_distinct = int(n[j]), int(n_distinct[j])
        sn.uniqueness = sn.n_distinct / sn.n
    weights = counts / n[col]
    fracs: dict[str, np.ndarray] = {}

    def put(kind: str, mask: np.ndarray) -> None:  # mask: per distinct text
        fracs[kind] = np.bincount(col, weights=weights * mask[code], minlength=len(names))

    def fullmatch(pattern: str) -> np.ndarray:
        return _np(pc.match_substring_regex(arr, f"^(?:{pattern})$"))

    lower = pc.utf8_lower(arr)
    upper = pc.utf8_upper(arr)
    length = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
    put("email", fullmatch(EMAIL_RE))
    date_only = fullmatch(DATE_RE)
    date_time = fullmatch(f"(?:{DATE_RE}){TIME_RE}")
    put("date", date_only)
    put("datetime", date_time)
    put("date_any", date_only | date_time)
    ints = fullmatch(INT_RE)
    put("int", ints)
    put("count", fullmatch(COUNT_RE))
    put("number", fullmatch(DECIMAL_RE))
    has_decimals = fullmatch(HAS_DECIMALS_RE)
    put("has_decimals", has_decimals)
    digits = pc.count_substring_regex(arr, r"\d").to_numpy(zero_copy_only=False)
    phone = fullmatch(PHONE_RE) & (digits >= 7) & (digits <= 15) & ~date_only & ~date_time
    put("phone", phone & ~fullmatch(NUMBER_NOT_PHONE_RE))
    letters = _np(pc.match_substring_regex(arr, r"\p{L}"))
    put("letters", letters)
    put("amount_code", fullmatch(f"(?:{DECIMAL_RE}) [A-Za-z]{{3}}"))  # "120.50 EUR"
    put("code_amount", fullmatch(f"[A-Za-z]{{3}} (?:{DECIMAL_RE})"))  # "EUR 120.50"
    put("amount_sign", fullmatch(f"-?{CURRENCY_SIGN_RE} ?-?(?:{DECIMAL_RE})|-?(?:{DECIMAL_RE}) ?{CURRENCY_SIGN_RE}"))
    put("ref", fullmatch(REF_RE) & (digits > 0) & ~date_only & ~has_decimals)
    put("person_name", fullmatch(PERSON_NAME_RE))
    put("currency", (length == 3) & _np(pc.is_in(upper, value_set=_set_array("currency"))))
    put("country_code", _np(pc.is_in(upper, value_set=_set_array("country_code"))))
    put("country_name", _np(pc.is_in(lower, value_set=_set_array("country_name"))))
    put("year", fullmatch(YEAR_RE))
    month_names = _np(pc.is_in(pc.utf8_rtrim(lower, "."), value_set=_set_array("month_name")))
    put("month", fullmatch(MONTH_NUM_RE) | month_names)
    put("month_name", month_names)
    put("day", fullmatch(DAY_NUM_RE))
    if status_words:
        low_card = (n_distinct <= STATUS_SNIFF_MAX_DISTINCT)[col]
        in_low_card = np.zeros(len(arr), dtype=bool)
        in_low_card[code[low_card]] = True
        status = np.zeros(len(arr), dtype=bool)
        maybe = np.flatnonzero(in_low_card & letters)
        if len(maybe):
            words = set(status_words)
            texts = arr.take(pa.array(maybe)).to_pylist()
            status[maybe] = [normalize_text(t) in words for t in texts]
        fracs["status"] = np.bincount(col, weights=weights * (status[code] & low_card), minlength=len(names))
    as_text = pd.Series(arr.to_numpy(zero_copy_only=False)).where(ints)
    nums = np.nan_to_num(pd.to_numeric(as_text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    ints, nums = ints[code], nums[code]
    wsum = np.bincount(col, weights=weights * ints, minlength=len(names))
    mean = np.bincount(col, weights=weights * ints * nums, minlength=len(names))
    top = np.full(len(names), -np.inf)
    np.maximum.at(top, col[ints], nums[ints])
    for i, c in enumerate(names):
        sn = out[c]
        if sn.n == 0:
            continue
        sn.frac = {k: float(v[i]) for k, v in fracs.items()}
        if sn.frac["int"] > 0.95 and wsum[i] > 0:
            sn.int_mean = float(mean[i] / wsum[i])
            sn.int_max = int(top[i])
    return out


def _column_arrays(frame: pd.DataFrame) -> Iterator[Any]:
    """The frame's column arrays in column order, without building a Series per column
    (90 us each: most of the time for a frame of 9,000 columns).  ``_iter_column_arrays``
    is pandas' own (private) iterator; a pandas without it gets the public, slower route."""
    it = getattr(frame, "_iter_column_arrays", None)
    if callable(it):
        yield from it()
    else:  # pragma: no cover - other pandas versions
        for _, s in frame.items():
            yield s.array


def _as_large_string(values: Any) -> pa.ChunkedArray:
    arrow = getattr(values, "__arrow_array__", None)
    if isinstance(getattr(values, "dtype", None), pd.StringDtype) and callable(arrow):
        return pa.chunked_array(arrow()).cast(pa.large_string())
    text = pd.Series(values, copy=False).astype("str")
    return pa.chunked_array(pa.array(text.array)).cast(pa.large_string())


def _distinct_per_column(
    sample: pd.DataFrame, rows: np.ndarray | None = None
) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray] | None:
    """(the distinct trimmed non-empty texts of the whole sample, and per distinct
    (column, text) pair: the text's index, the column's index, the count), pairs sorted
    by column.

    Whole-frame work: the columns are concatenated once and counted with one dictionary
    encoding, so that a file of 9,000 columns costs what one column of 9,000 times the
    rows costs (a ``value_counts`` per column cost 6 ms each, a minute for such a file)."""
    chunks: list[pa.Array] = []
    lengths = np.zeros(sample.shape[1], dtype=np.int64)
    take = pa.array(rows) if rows is not None else None
    for i, column in enumerate(_column_arrays(sample)):
        values = _as_large_string(column)
        if take is not None:
            values = values.take(take)
        chunks.extend(values.chunks)
        lengths[i] = len(values)
    if not chunks or not lengths.sum():
        return None
    cells = pa.chunked_array(chunks, type=pa.large_string()).combine_chunks()
    cells = pc.utf8_trim_whitespace(cells)
    col = np.repeat(np.arange(sample.shape[1], dtype=np.int64), lengths)
    keep = _np(pc.and_(pc.is_valid(cells), pc.not_equal(pc.utf8_length(cells), 0)))
    if not keep.any():
        return None
    cells = cells.filter(pa.array(keep))
    col = col[keep]
    encoded = pc.dictionary_encode(cells)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    width = max(1, len(encoded.dictionary))
    keys, counts = np.unique(col * width + codes, return_counts=True)
    return encoded.dictionary.cast(pa.string()), keys % width, keys // width, counts.astype("float64")


def _np(mask: pa.Array) -> np.ndarray:
    return np.asarray(mask.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


@lru_cache(maxsize=8)
def _set_array(kind: str) -> pa.Array:
    if kind == "currency":
        values: frozenset[str] | tuple[str, ...] = currency_codes()
    elif kind == "country_code":
        a2, a3, _ = country_codes()
        values = a2 | a3
    elif kind == "country_name":
        values = country_codes()[2]
    else:
        values = tuple(MONTH_NAMES)
    return pa.array(sorted(values), type=pa.string())


def normalize_text(text: str) -> str:
    """Lower-case words: camelCase split, punctuation/underscores to spaces.

    ``"checkInDate"`` -> ``"check in date"``, ``"Not_Canceled"`` -> ``"not canceled"``,
    ``"Booking-ID "`` -> ``"booking id"``.  Used for headers and for status values."""
    text = str(text).replace("(s)", "")  # "Guest name(s)"
    text = _CAMEL.sub(" ", text)
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


# Each alternative looks at a fixed number of characters around one position, so the scan is
# linear: "([A-Z]+)([A-Z][a-z])" backtracked through every run of capitals (a 100 KB upper-case
# status cell took 258 s).  "checkIn" -> "check In", "HTMLParser" -> "HTML Parser".
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[\W_]+")
