"""Exact decimal arithmetic: never through float, precision kept."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from booking_desktop.mapping.decimals import decimal_product, decimal_sum, normalize_number


def S(*v):
    return pd.Series(list(v), dtype="str")


def test_product_keeps_operand_precision():
    r = decimal_product([S("75.5", "75.50", "0.1", "-2.5", "1.25"), S("3", "3", "3", "4", "1.5")])
    assert r.text.tolist() == ["226.5", "226.50", "0.3", "-10.0", "1.875"]


def test_sum_is_exact_where_float_is_not():
    assert 0.1 + 0.2 != 0.3
    r = decimal_sum([S("0.1", "1.50", "-3"), S("0.2", "2", "1.25")])
    assert r.text.tolist() == ["0.3", "3.50", "-1.75"]


def test_bad_missing_and_overflowing_operands():
    r = decimal_product([S("abc", None, "99999999999", "1e3"), S("2", "2", "99999999999", "2")])
    assert r.text.isna().all()
    assert r.bad.tolist() == [True, False, False, True]
    assert r.overflow.tolist() == [False, False, True, False]


def test_matches_python_decimal_on_random_values():
    rng = np.random.default_rng(7)
    a = [f"{x:.2f}" for x in rng.uniform(-500, 5000, 2000)]
    b = [str(x) for x in rng.integers(0, 60, 2000)]
    for op, fn in ((decimal_product, lambda x, y: x * y), (decimal_sum, lambda x, y: x + y)):
        got = [Decimal(t) for t in op([S(*a), S(*b)]).text]
        want = [fn(Decimal(x), Decimal(y)) for x, y in zip(a, b)]
        assert got == want  # same value
        assert [g.as_tuple().exponent for g in got] == [w.as_tuple().exponent for w in want]  # same precision


def test_normalize_number_locales():
    text, bad = normalize_number(
        S("1.234,56", "1 234,56", "€ 12,50", "(12,50)", "12,50-", "abc", "1.234.567,8", None, "1\u00a0234,5"), ",", "."
    )
    assert text.tolist()[:7] == ["1234.56", "1234.56", "12.50", "-12.50", "-12.50", "abc", "1234567.8"]
    assert pd.isna(text[7]) and text[8] == "1234.5"
    assert bad.tolist() == [False, False, False, False, False, True, False, False, False]
    text, _ = normalize_number(S("1,234.56", "$12.50", "+7"), ".", ",")
    assert text.tolist() == ["1234.56", "12.50", "7"]
