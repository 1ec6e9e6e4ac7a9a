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

from booking_desktop.mapping.dates import extract

_NUMBER = r"^(?P<sign>[+-]?)(?P<int>\d+)(?:\.(?P<frac>\d+))?$"
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


def parse_decimals(text: pd.Series) -> Decimals:
    """Plain decimal text (``-1234.50``; see ``normalize_number`` for locales) -> mantissa/scale."""
    s = text if text.dtype == "str" else text.astype("str")
    s = s.str.strip()
    present = s.notna().to_numpy() & (s.fillna("") != "").to_numpy()
    p = extract(s, _NUMBER)
    matched = p["int"].notna().to_numpy()
    frac = p["frac"].fillna("")
    digits = (p["int"].fillna("") + frac).str.lstrip("0")
    too_long = (digits.str.len().fillna(0) > MAX_DIGITS).to_numpy()
    ok = matched & ~too_long
    digits = digits.where(ok & (digits.fillna("") != ""), "0").fillna("0")
    mant = pc.cast(pa.array(digits.array), pa.int64()).to_numpy(zero_copy_only=False).astype("int64")
    neg = (p["sign"].fillna("") == "-").to_numpy()
    mant = np.where(neg, -mant, mant)
    scale = frac.str.len().fillna(0).to_numpy(dtype="int64")
    mant = np.where(ok, mant, 0)
    scale = np.where(ok, scale, 0)
    return Decimals(mant, scale, ok, present & ~ok)


def format_decimals(mantissa: np.ndarray, scale: np.ndarray, ok: np.ndarray, index: pd.Index) -> pd.Series:
    """mantissa/scale -> ``"-1234.50"`` text (NA where not ``ok``); vectorized per distinct scale."""
    out = pd.Series(pd.NA, index=index, dtype="str")
    digits_all = pa.array(np.abs(mantissa)).cast(pa.string())
    neg = mantissa < 0
    for k in np.unique(scale[ok]):
        sel = ok & (scale == k)
        digits = pc.filter(digits_all, pa.array(sel))
        k = int(k)
        if k:
            padded = pc.utf8_lpad(digits, k + 1, "0")
            digits = pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(padded, 0, -k), pc.utf8_slice_codeunits(padded, -k), "."
            )
        text = pd.Series(pd.array(digits, dtype="str"), dtype="str")
        text = text.where(~neg[sel], "-" + text)
        out.iloc[np.flatnonzero(sel)] = text.to_numpy()
    return out


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


_KEEP_CHARS = "0-9+\\-(),.' \u00a0\u202f"


def normalize_number(text: pd.Series, decimal: str = ".", thousands: str = "") -> tuple[pd.Series, np.ndarray]:
    """Locale numbers -> plain decimal text: ``1.234,56`` -> ``1234.56``, ``"1 234,56"``,
    ``"€ 12,50"`` -> ``12.50``, ``(12,50)`` -> ``-12.50``.  Returns the text (source text kept
    where it does not read as a number) and a mask of those failures."""
    s = text if text.dtype == "str" else text.astype("str")
    s = s.str.strip()
    present = s.notna().to_numpy() & (s.fillna("") != "").to_numpy()
    t = s.str.replace(f"[^{_KEEP_CHARS}]", "", regex=True)
    t = t.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    if thousands and thousands.strip():
        t = t.str.replace(thousands, "", regex=False)
    if decimal != ".":
        t = t.str.replace(".", "\x00", regex=False).str.replace(decimal, ".", regex=False)
    paren = t.str.fullmatch(r"\(([^()]*)\)").fillna(False)
    t = t.where(~paren, "-" + t.str.slice(1, -1))
    trailing_minus = t.str.fullmatch(r"[^-]+-").fillna(False)
    t = t.where(~trailing_minus, "-" + t.str.slice(0, -1))
    good = t.str.fullmatch(r"[+-]?\d+(?:\.\d+)?").fillna(False).to_numpy(dtype=bool)
    t = t.str.lstrip("+")
    out = t.where(good, s).where(present)
    return out.astype("str"), present & ~good
