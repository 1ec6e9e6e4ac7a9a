"""Amount and currency in one cell: ``Rp1,445,000.00``, ``€1.234,56``, ``US$ 120``, ``1 234,56 kr``,
``126.6314 EUR``, ``(€12.50)``, ``-$50.00``.

Channel exports often write the price and its currency as one text.  Reading it must never
guess: a symbol shared by several currencies (``$``, ``kr``, ``¥``) is only read when the
profile says which one it means (``money.symbols``) or a currency column of the same row
names one of its candidates; a number whose separators read two ways (``1.234``, ``1,234``)
is read in the decimal separator the profile declares, else in the one the *column* proves
(``1.234,56`` elsewhere in it proves ``,``), else it is a problem with the value left as
sent.  Whole-column pyarrow work: no Python per value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.mapping.dates import arrow_text

# currency marks -> the ISO 4217 codes they may mean (keys compared case-folded, spaces removed)
SYMBOLS: dict[str, tuple[str, ...]] = {
    "€": ("EUR",),
    "£": ("GBP",),
    "us$": ("USD",),
    "usd$": ("USD",),
    "$": ("USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "ARS", "CLP", "COP"),
    "a$": ("AUD",),
    "au$": ("AUD",),
    "c$": ("CAD",),
    "ca$": ("CAD",),
    "nz$": ("NZD",),
    "hk$": ("HKD",),
    "s$": ("SGD",),
    "sg$": ("SGD",),
    "nt$": ("TWD",),
    "mx$": ("MXN",),
    "r$": ("BRL",),
    "rm": ("MYR",),
    "rp": ("IDR",),
    "₹": ("INR",),
    "rs": ("INR", "PKR", "LKR", "NPR", "MUR"),
    "rs.": ("INR", "PKR", "LKR", "NPR", "MUR"),
    "₩": ("KRW",),
    "¥": ("JPY", "CNY"),
    "jp¥": ("JPY",),
    "cn¥": ("CNY",),
    "rmb": ("CNY",),
    "元": ("CNY",),
    "円": ("JPY",),
    "฿": ("THB",),
    "₱": ("PHP",),
    "₫": ("VND",),
    "₺": ("TRY",),
    "₪": ("ILS",),
    "₦": ("NGN",),
    "₴": ("UAH",),
    "₽": ("RUB",),
    "₡": ("CRC",),
    "₲": ("PYG",),
    "₭": ("LAK",),
    "₮": ("MNT",),
    "៛": ("KHR",),
    "₸": ("KZT",),
    "₾": ("GEL",),
    "₼": ("AZN",),
    "zł": ("PLN",),
    "kč": ("CZK",),
    "ft": ("HUF",),
    "lei": ("RON",),
    "kr": ("SEK", "NOK", "DKK", "ISK"),
    "kr.": ("SEK", "NOK", "DKK", "ISK"),
    "fr.": ("CHF",),
    "sfr.": ("CHF",),
    "r": ("ZAR",),
    "e£": ("EGP",),
}
DECIMALS = (".", ",")

_GROUP = "[ '\u00a0\u202f]"  # spaces (also no-break and narrow no-break) and apostrophes group digits
_SPLIT = f"^(?P<pre>.*?)(?P<num>[0-9](?:[0-9.,{_GROUP[1:-1]}]*[0-9])?)(?P<post>.*)$"
# the two readings of a number: "." decimal (",", spaces, "'" group), "," decimal ("." spaces "'" group)
_DOT = (
    f"^(?:[0-9]+|[0-9]{{1,3}}(?:[,{_GROUP[1:-1]}][0-9]{{3}})+|[0-9]{{1,2}}(?:,[0-9]{{2}})+,[0-9]{{3}})(?:\\.[0-9]+)?$"
)
_COMMA = f"^(?:[0-9]+|[0-9]{{1,3}}(?:[.{_GROUP[1:-1]}][0-9]{{3}})+)(?:,[0-9]+)?$"


@dataclass(frozen=True)
class MoneyParse:
    """One amount column read as money.  Text series are aligned with the input; masks are numpy."""

    amount: pd.Series  # plain decimal text ("-1234.56"); the source text where it is no number or ambiguous
    currency: pd.Series  # ISO code the cell names; NA where it names none or is ambiguous/unknown
    mark: pd.Series  # the currency mark as written ("US$", "kr", "EUR"); NA where none
    candidates: pd.Series  # "SEK, NOK, DKK, ISK" where the mark is ambiguous, else NA
    is_number: np.ndarray  # the cell reads as a number (whatever its mark)
    ambiguous_number: np.ndarray  # separators read two ways and nothing decides
    unknown_mark: np.ndarray  # a mark that is no currency symbol or code
    ambiguous_mark: np.ndarray  # a mark shared by several currencies, not settled by the profile
    decimal: str | None  # the separator the column proved or the profile declared (None: neither)
    decimal_conflict: bool  # the column proves both "." and "," decimals


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def _bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return _np(pc.fill_null(arr, False)).astype(bool)


def _series(arr: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.array(arr, dtype="str"), index=index, dtype="str")


def _lookup_table(symbols: Mapping[str, str] | None, codes: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(mark key -> ISO code for unambiguous marks, mark key -> "A, B, C" for ambiguous ones)."""
    unique: dict[str, str] = {c.casefold(): c for c in codes}
    ambiguous: dict[str, str] = {}
    for mark, options in SYMBOLS.items():
        if len(options) == 1:
            unique[mark] = options[0]
        else:
            ambiguous[mark] = ", ".join(options)
    for mark, code in (symbols or {}).items():
        key = _mark_key(mark)
        unique[key] = str(code).upper()
        ambiguous.pop(key, None)
    return unique, ambiguous


def _mark_key(mark: str) -> str:
    return "".join(str(mark).split()).casefold()


def parse_money(
    text: pd.Series,
    codes: Iterable[str],
    decimal: str | None = None,
    symbols: Mapping[str, str] | None = None,
) -> MoneyParse:
    """Read ``text`` as money.  ``codes`` are the ISO codes accepted as marks (the schema's),
    ``decimal`` the profile's decimal separator (None: proven by the column), ``symbols`` the
    profile's readings of marks (``{"$": "USD"}``).

    Prices repeat (``120.00 EUR`` on many rows), so each distinct text is read once and the
    results are spread back with one take per output."""
    encoded = pc.dictionary_encode(arrow_text(text))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    distinct = pd.Series(pd.array(encoded.dictionary, dtype="str"), dtype="str")
    if len(distinct) * 2 > len(text):
        return _parse_money(text, codes, decimal, symbols)
    one = _parse_money(distinct, codes, decimal, symbols)
    idx = pc.fill_null(encoded.indices, len(distinct))  # missing cells -> one past the end
    pos = np.asarray(idx.to_numpy(zero_copy_only=False), dtype=np.int64)

    def spread_text(s: pd.Series) -> pd.Series:
        arr = pa.concat_arrays([arrow_text(s), pa.nulls(1, pa.string())])
        return _series(pc.take(arr, pa.array(pos)), text.index)

    def spread_mask(m: np.ndarray) -> np.ndarray:
        return np.append(m, False)[pos]

    return MoneyParse(
        amount=spread_text(one.amount),
        currency=spread_text(one.currency),
        mark=spread_text(one.mark),
        candidates=spread_text(one.candidates),
        is_number=spread_mask(one.is_number),
        ambiguous_number=spread_mask(one.ambiguous_number),
        unknown_mark=spread_mask(one.unknown_mark),
        ambiguous_mark=spread_mask(one.ambiguous_mark),
        decimal=one.decimal,
        decimal_conflict=one.decimal_conflict,
    )


def _parse_money(
    text: pd.Series,
    codes: Iterable[str],
    decimal: str | None,
    symbols: Mapping[str, str] | None,
) -> MoneyParse:
    index = text.index
    arr = pc.utf8_trim_whitespace(pc.replace_substring(arrow_text(text), "\u2212", "-"))
    present = _bool(pc.not_equal(arr, ""))
    parts = pc.extract_regex(arr, _SPLIT)
    pre = pc.utf8_trim_whitespace(pc.struct_field(parts, [0]))
    num = pc.struct_field(parts, [1])
    post = pc.utf8_trim_whitespace(pc.struct_field(parts, [2]))
    found = _bool(pc.is_valid(parts))

    # signs and brackets around the number: -$5, $-5, 5-, ($5), (5 €)
    minus = _bool(pc.match_substring(pre, "-")) | _bool(pc.ends_with(post, "-"))
    minus |= _bool(pc.starts_with(post, "-"))
    paren = _bool(pc.match_substring(pre, "(")) & _bool(pc.match_substring(post, ")"))
    strip = "-+() "
    pre_mark = pc.utf8_trim(pre, strip)
    post_mark = pc.utf8_trim(post, strip)
    signs = pc.add(
        pc.utf8_length(pc.replace_substring_regex(pre, "[^-]", "")),
        pc.utf8_length(pc.replace_substring_regex(post, "[^-]", "")),
    )
    clean_signs = _bool(pc.less_equal(signs, 1)) & ~(paren & minus)
    has_pre = _bool(pc.not_equal(pre_mark, ""))
    has_post = _bool(pc.not_equal(post_mark, ""))
    mark = pc.if_else(pa.array(has_pre), pre_mark, post_mark)
    # a mark is one token: letters/symbols only, no digits, not on both sides
    mark_ok = ~(has_pre & has_post) & ~_bool(pc.match_substring_regex(mark, "[0-9]"))
    is_number = present & found & clean_signs & mark_ok

    # the number's two readings
    dot_ok = _bool(pc.match_substring_regex(num, _DOT)) & is_number
    comma_ok = _bool(pc.match_substring_regex(num, _COMMA)) & is_number
    digits_dot = pc.replace_substring_regex(num, "[,' \u00a0\u202f]", "")
    digits_comma = pc.replace_substring(pc.replace_substring_regex(num, "[.' \u00a0\u202f]", ""), ",", ".")
    same = _bool(pc.equal(digits_dot, digits_comma))
    only_dot = dot_ok & ~comma_ok
    only_comma = comma_ok & ~dot_ok
    both = dot_ok & comma_ok & ~same
    proven_dot, proven_comma = bool(only_dot.any()), bool(only_comma.any())
    conflict = proven_dot and proven_comma
    chosen = decimal or ("." if proven_dot and not proven_comma else "," if proven_comma and not proven_dot else None)
    read_dot = only_dot | (dot_ok & comma_ok & same)
    read_comma = only_comma.copy()
    ambiguous = both.copy()
    if chosen == ".":
        read_dot |= both
        ambiguous[:] = False
        if decimal:  # declared: a number only "," can read contradicts the profile
            ambiguous |= only_comma
            read_comma[:] = False
    elif chosen == ",":
        read_comma |= both
        ambiguous[:] = False
        if decimal:
            ambiguous |= only_dot
            read_dot[:] = False
    value = pc.if_else(
        pa.array(read_dot), digits_dot, pc.if_else(pa.array(read_comma), digits_comma, pa.nulls(len(arr), pa.string()))
    )
    value = pc.if_else(pa.array(minus | paren), pc.binary_join_element_wise("-", value, ""), value)
    readable = read_dot | read_comma
    amount = pc.if_else(pa.array(readable), value, arr)
    amount = pc.if_else(pa.array(present), amount, pa.nulls(len(arr), pa.string()))

    # the mark
    unique, ambiguous_marks = _lookup_table(symbols, codes)
    key = pc.utf8_lower(pc.replace_substring_regex(mark, "\\s", ""))
    has_mark = is_number & _bool(pc.not_equal(mark, ""))
    u_keys = pa.array(list(unique), pa.string())
    u_vals = pa.array(list(unique.values()), pa.string())
    code = pc.take(u_vals, pc.index_in(key, value_set=u_keys))
    a_keys = pa.array(list(ambiguous_marks) or [""], pa.string())
    a_vals = pa.array(list(ambiguous_marks.values()) or [""], pa.string())
    cands = pc.take(a_vals, pc.index_in(key, value_set=a_keys))
    known = _bool(pc.is_valid(code)) & has_mark
    amb_mark = _bool(pc.is_valid(cands)) & has_mark & ~known
    unknown = has_mark & ~known & ~amb_mark
    null = pa.nulls(len(arr), pa.string())
    # a mark that is no currency: the amount stays as sent too (12O is no "12 in currency O")
    amount = pc.if_else(pa.array(unknown), arr, amount)
    return MoneyParse(
        amount=_series(amount, index),
        currency=_series(pc.if_else(pa.array(known), code, null), index),
        mark=_series(pc.if_else(pa.array(has_mark), mark, null), index),
        candidates=_series(pc.if_else(pa.array(amb_mark), cands, null), index),
        is_number=is_number,
        ambiguous_number=ambiguous & is_number,
        unknown_mark=unknown,
        ambiguous_mark=amb_mark,
        decimal=chosen,
        decimal_conflict=conflict,
    )


def resolve_with_currency(parse: MoneyParse, currency: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Compare the amount's mark with a currency column of the same rows.

    Returns ``(mismatch, settled)``: ``mismatch`` where the mark names a currency other than the
    column's (or an ambiguous mark none of whose candidates is the column's); ``settled`` where
    an ambiguous mark is settled by the column (``$`` beside ``CAD``)."""
    cur = pc.utf8_upper(pc.utf8_trim_whitespace(arrow_text(currency)))
    have = _bool(pc.not_equal(cur, ""))
    named = _bool(pc.is_valid(arrow_text(parse.currency)))
    differs = _bool(pc.not_equal(arrow_text(parse.currency), cur))
    contains = np.zeros(len(cur), dtype=bool)
    amb = parse.ambiguous_mark & have
    if amb.any():
        rows = np.flatnonzero(amb)
        pairs = (
            pd.Series(parse.candidates.to_numpy(dtype=object)[rows], dtype="str")
            + "|"
            + pd.Series(np.asarray(cur.to_numpy(zero_copy_only=False), dtype=object)[rows], dtype="str")
        )
        codes, uniques = pd.factorize(pairs)
        inside = np.array([u.split("|")[1] in u.split("|")[0].split(", ") for u in uniques], dtype=bool)
        contains[rows] = inside[codes]
    settled = amb & contains
    mismatch = have & ((named & differs) | (parse.ambiguous_mark & ~contains))
    return mismatch, settled
