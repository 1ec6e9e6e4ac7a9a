"""The buffer-level helpers behind the checks agree with plain Python on every kind of input."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from booking_desktop.validation import _arrow as A
from booking_desktop.validation._checks import DIGITS_DOT, NOT_DOT

ALPHABET = list("0123456789.+- ()/\tabZé@\u3000")
TABLES = {
    "digits": A.DIGITS,
    "digits-dot": DIGITS_DOT,
    "not-dot": NOT_DOT,
    "phone-strip": A.byte_table(" .-()/\t"),
    "letters": A.byte_table("ab"),
}


def _columns(seed: int, count: int = 60):
    rng = np.random.default_rng(seed)
    for trial in range(count):
        n = int(rng.integers(0, 40))
        vals: list[str | None] = []
        for _ in range(n):
            r = rng.random()
            if r < 0.1:
                vals.append(None)
            elif r < 0.2:
                vals.append("")
            elif r < 0.5:
                vals.append("".join(rng.choice(list("0123456789"), int(rng.integers(1, 12)))))
            else:
                vals.append("".join(rng.choice(ALPHABET, int(rng.integers(1, 12)))))
        arr = pa.array(vals, pa.large_string())
        yield arr.slice(2) if trial % 3 == 0 and n > 4 else arr


@pytest.mark.parametrize("name", sorted(TABLES))
def test_count_bytes_not_in_matches_python(name):
    table = TABLES[name]
    assert np.array_equal(A.byte_flags(np.arange(256, dtype=np.uint8), table), table)
    for arr in _columns(1):
        expected = [0 if v is None else sum(not table[b] for b in v.encode()) for v in arr.to_pylist()]
        assert A.count_bytes_not_in(arr, table).tolist() == expected


def test_leading_plus_can_be_left_uncounted():
    for arr in _columns(2):
        plus = A.byte_from_start(arr, 0) == ord("+")
        expected = [
            0 if v is None else sum(not A.DIGITS[b] and not (i == 0 and b == 43) for i, b in enumerate(v.encode()))
            for v in arr.to_pylist()
        ]
        assert A.count_bytes_not_in(arr, A.DIGITS, ignore_first=plus).tolist() == expected


def test_delete_chars_matches_python():
    for arr in _columns(3):
        expected = [None if v is None else "".join(c for c in v if c not in " .-()/\t") for v in arr.to_pylist()]
        assert A.delete_chars(arr, " .-()/\t").to_pylist() == expected


def test_parse_ymd_reads_dates_and_rejects_other_shapes():
    arr = pa.array(["2024-02-29", "x", "2024/01/01", "0001-01-01T10:00", None, "2024-0a-01", "1999-12-31"],
                   pa.large_string()).slice(0)
    rows = np.array([0, 2, 3, 5, 6])
    y, m, d, shaped = A.parse_ymd(arr, rows)
    assert shaped.tolist() == [True, False, True, False, True]
    assert [(int(a), int(b), int(c)) for a, b, c, s in zip(y, m, d, shaped) if s] == [
        (2024, 2, 29), (1, 1, 1), (1999, 12, 31)]


def test_case_mapping_uses_unicode_rules_for_non_ascii():
    arr = pa.array(["ÉCOLE@X.FR", "Ab", None], pa.large_string())
    assert A.lower(arr).to_pylist() == ["école@x.fr", "ab", None]
    assert A.upper(pa.array(["eur", "é"], pa.large_string())).to_pylist() == ["EUR", "É"]
    assert A.upper(pa.array(["eur", None], pa.large_string())).to_pylist() == ["EUR", None]


def test_real_dates_agree_with_the_calendar():
    import datetime as dt

    from booking_desktop.validation._checks import _real_dates

    rng = np.random.default_rng(4)
    values = [f"{rng.integers(1, 10000):04d}-{rng.integers(0, 14):02d}-{rng.integers(0, 33):02d}" for _ in range(3000)]
    values += ["2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "9999-12-31", "0001-01-01", "2024-02-29T10:00",
               "2024/02/29", None, ""]
    arr = pa.array(values, pa.large_string())
    days, real = _real_dates(arr, np.ones(len(values), dtype=bool))
    epoch = dt.date(1970, 1, 1).toordinal()
    for v, d, r in zip(values, days.tolist(), real.tolist()):
        try:
            expected = dt.date.fromisoformat(v[:10]).toordinal() - epoch if v and len(v) >= 10 else None
        except ValueError:
            expected = None
        assert r == (expected is not None), v
        if r:
            assert d == expected, v


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["R01", "R02", "R10"], True),
        (["R01", "R02", "R02"], False),  # a repeat right after
        (["R02", "R01"], False),
        (["R1", "R10"], False),  # different widths: not decided here
        (["R1", None], False),
        (["0123456789abcdef", "0123456789abcdeg"], True),  # 16 bytes: both halves compared
        (["0123456789abcdef0", "0123456789abcdeg0"], False),  # wider than 16
        (["é", "ê"], True),
    ],
)
def test_strictly_increasing(values, expected):
    assert A.strictly_increasing(pa.array(values, pa.large_string())) is expected


def test_repeats_in_fixed_width_references_are_still_reported():
    import pandas as pd

    from booking_desktop.validation import validate

    text = pd.DataFrame({"booking_ref": pd.Series(["R001", "R002", "R003", "R002"], dtype="str"),
                         "vendor": pd.Series(["V"] * 4, dtype="str")})
    frame = validate(text).problems.frame
    dups = frame[frame["code"] == "duplicate_ref"]
    assert dups["row"].tolist() == [3]
    assert "repeats record 2" in dups["message"].iloc[0]
