"""Proleptic Gregorian calendar arithmetic on numpy arrays, shared by mapping and validation.

No parsing here: callers hand in year/month/day integer arrays.
"""

from __future__ import annotations

import numpy as np

_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm), vectorized."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Length of each month (leap years included); months outside 1-12 are clipped."""
    m = np.clip(month, 1, 12) - 1
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return _DAYS_IN_MONTH[m] + ((m == 1) & leap)


def real_date(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """True where (y, m, d) is a real calendar date (year >= 1)."""
    return (m >= 1) & (m <= 12) & (d >= 1) & (d <= days_in_month(y, m)) & (y >= 1)
