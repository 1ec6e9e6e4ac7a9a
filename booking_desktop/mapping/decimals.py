"""Exact decimal arithmetic on whole text columns (sums and products for the mapping).

Money must never pass through binary floating point (``75.5 * 3`` is fine in
float, ``0.1 + 0.2`` is not).  A value like ``"75.50"`` is held as an integer
mantissa (``7550``) and a scale (``2``) in numpy ``int64`` arrays; a sum aligns
scales, a product multiplies mantissas and adds scales.  The result keeps the
precision of its operands (``"75.50" × 3 = "226.50"``, ``"75.5" × 3 = "226.5"``).

Values beyond 18 significant digits do not fit ``int64``; they are reported
as failures rather than silently rounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from booking_desktop.mapping.dates import arrow_text

MAX_DIGITS = 18
_LIMIT = 9_000_000_000_000_000_000  # a little under 2**63


@dataclass(frozen=True)
class Decimals:
    """A column of exact decimals.  ``ok`` is False where the text was missing or not a plain
    number (``bad`` says which of those were present but unreadable)."""

    mantissa: np.ndarray  # int64
    scale: np.ndarray  # int64, digits after the point
    ok: np.ndarray  # bool
    bad: np.ndarray  # bool: present but not a plain decimal (or too long)


def _arrow(text: pd.Series) -> pa.Array:
    return arrow_text(text)


def _np(arr: pa.Array, dtype: str) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=dtype).copy()


def parse_decimals(text: pd.Series) -> Decimals:
    """Plain decimal text (``-1234.50``; see ``normalize_number`` for locales) -> mantissa/scale.

    No capturing regex (the slow part on a million rows): a match test, then the point
    is removed and the digits are cast to int64; the scale is the distance to the point."""
    arr = pc.utf8_trim_whitespace(_arrow(text))
    present = _np(pc.fill_null(pc.not_equal(arr, ""), False), "bool")
    unsigned = pc.utf8_ltrim(arr, "+-")
    signs = pc.subtract(pc.utf8_length(arr), pc.utf8_length(unsigned))
    point = _np(pc.fill_null(pc.find_substring(unsigned, "."), -1), "int64")
    length = _np(pc.fill_null(pc.utf8_length(unsigned), 0), "int64")
    has_point = point >= 0
    if has_point.any():
        # digits-only after removing the one point; the point neither first nor last
        digits = pc.replace_substring(unsigned, ".", "", max_replacements=1)
    else:
        digits = unsigned
    ok = _np(pc.fill_null(pc.utf8_is_decimal(digits), False), "bool")
    ok &= _np(pc.fill_null(pc.less_equal(signs, 1), False), "bool")
    ok &= ~has_point | ((point > 0) & (point < length - 1))
    significant = _np(pc.fill_null(pc.utf8_length(pc.utf8_ltrim(digits, "0")), 0), "int64")
    ok &= significant <= MAX_DIGITS
    minus = pc.fill_null(pc.starts_with(arr, "-"), False)
    signed = (
        pc.if_else(minus, pc.binary_join_element_wise("-", digits, ""), digits) if pc.any(minus).as_py() else digits
    )
    mant = _np(pc.cast(pc.if_else(pa.array(ok), signed, "0"), pa.int64()), "int64")
    scale = np.where(ok & has_point, length - point - 1, 0)
    return Decimals(np.where(ok, mant, 0), scale, ok, present & ~ok)


def format_decimals(mantissa: np.ndarray, scale: np.ndarray, ok: np.ndarray, index: pd.Index) -> pd.Series:
    """mantissa/scale -> ``"-1234.50"`` text (NA where not ``ok``); one pass per distinct scale."""
    digits = pc.cast(pa.array(np.abs(mantissa)), pa.string())
    result = digits
    for k in np.unique(scale[ok]):
        k = int(k)
        if k == 0:
            continue
        padded = pc.utf8_lpad(digits, k + 1, "0")
        shifted = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(padded, 0, -k), pc.utf8_slice_codeunits(padded, -k), "."
        )
        result = pc.if_else(pa.array(scale == k), shifted, result)
    neg = mantissa < 0
    if neg.any():
        result = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", result, ""), result)
    if not ok.all():
        result = pc.if_else(pa.array(ok), result, pa.scalar(None, pa.string()))
    return pd.Series(pd.array(result, dtype="str"), index=index, dtype="str")


@dataclass(frozen=True)
class ArithmeticResult:
    text: pd.Series  # exact decimal text, NA where an operand was missing or bad
    bad: np.ndarray  # an operand was present but not a number
    overflow: np.ndarray  # the result does not fit 18 digits


def _align(values: list[Decimals]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    scale = np.max(np.stack([v.scale for v in values]), axis=0)
    mants = []
    overflow = np.zeros(len(scale), dtype=bool)
    for v in values:
        shift = scale - v.scale
        factor = np.power(10, shift, dtype="int64")
        approx = np.abs(v.mantissa.astype("float64")) * factor.astype("float64")
        overflow |= approx >= _LIMIT
        mants.append(v.mantissa * np.where(approx >= _LIMIT, 1, factor))
    return mants, scale, overflow


def decimal_sum(columns: list[pd.Series]) -> ArithmeticResult:
    values = [parse_decimals(c) for c in columns]
    index = columns[0].index
    ok = np.logical_and.reduce([v.ok for v in values])
    bad = np.logical_or.reduce([v.bad for v in values])
    mants, scale, overflow = _align(values)
    total = np.zeros(len(index), dtype="int64")
    approx = np.zeros(len(index), dtype="float64")
    for m in mants:
        approx += m.astype("float64")
        with np.errstate(over="ignore"):
            total = total + m
    overflow |= np.abs(approx) >= _LIMIT
    good = ok & ~overflow
    return ArithmeticResult(format_decimals(total, scale, good, index), bad, ok & overflow)


def decimal_product(columns: list[pd.Series]) -> ArithmeticResult:
    values = [parse_decimals(c) for c in columns]
    index = columns[0].index
    ok = np.logical_and.reduce([v.ok for v in values])
    bad = np.logical_or.reduce([v.bad for v in values])
    prod = np.ones(len(index), dtype="int64")
    approx = np.ones(len(index), dtype="float64")
    scale = np.zeros(len(index), dtype="int64")
    for v in values:
        approx *= v.mantissa.astype("float64")
        with np.errstate(over="ignore"):
            prod = prod * v.mantissa
        scale = scale + v.scale
    overflow = np.abs(approx) >= _LIMIT
    overflow |= scale > MAX_DIGITS
    good = ok & ~overflow
    return ArithmeticResult(format_decimals(prod, scale, good, index), bad, ok & overflow)


_DROP = "[^0-9+\\-(),.' \u00a0\u202f]"  # letters, currency signs, anything not part of a number
_SPACES = "[ \u00a0\u202f]"


def normalize_number(text: pd.Series, decimal: str = ".", thousands: str = "") -> tuple[pd.Series, np.ndarray]:
    """Locale numbers -> plain decimal text: ``1.234,56`` -> ``1234.56``, ``"1 234,56"``,
    ``"€ 12,50"`` -> ``12.50``, ``(12,50)`` -> ``-12.50``.  Returns the text (source text kept
    where it does not read as a number) and a mask of those failures."""
    arr = pc.utf8_trim_whitespace(arrow_text(text))
    present = _np(pc.fill_null(pc.not_equal(arr, ""), False), "bool")
    t = pc.replace_substring_regex(pc.replace_substring_regex(arr, _DROP, ""), _SPACES, "")
    if thousands and thousands.strip():
        t = pc.replace_substring(t, thousands, "")
    if decimal != ".":
        t = pc.replace_substring(pc.replace_substring(t, ".", "\x00"), decimal, ".")
    paren = pc.fill_null(pc.match_substring_regex(t, r"^\([^()]*\)$"), False)
    t = pc.if_else(paren, pc.binary_join_element_wise("-", pc.utf8_slice_codeunits(t, 1, -1), ""), t)
    trailing = pc.fill_null(pc.match_substring_regex(t, r"^[^-]+-$"), False)
    t = pc.if_else(trailing, pc.binary_join_element_wise("-", pc.utf8_slice_codeunits(t, 0, -1), ""), t)
    good = _np(pc.fill_null(pc.match_substring_regex(t, r"^[+-]?\d+(?:\.\d+)?$"), False), "bool")
    t = pc.if_else(pc.fill_null(pc.starts_with(t, "+"), False), pc.utf8_slice_codeunits(t, 1), t)
    out = pc.if_else(pa.array(good), t, arr)
    out = pc.if_else(pa.array(present), out, pa.scalar(None, pa.string()))
    return pd.Series(pd.array(out, dtype="str"), index=text.index, dtype="str"), present & ~good
