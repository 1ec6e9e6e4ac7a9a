"""Validation of the canonical text frame against the schema (plus profile rules).

``validate(text, rules)`` -> :class:`ValidationResult` (typed frame, problems,
error/warning rows); ``revalidate_rows(previous, text, positions, rules)``
re-checks edited rows and gives the same result as a full ``validate``.
Rules come from ``booking_desktop.schema`` (the JSON schema file plus a
profile's overrides); problem codes are documented in docs/ERROR_CODES.md.

Everything runs over whole columns (pyarrow kernels and numpy on the string
buffers; no Python loop per row, no Python object per cell).  Measured with
1,000,000 generated rows x 18 fields (~2 % of rows with a bad cell) on the
2-core dev machine while other test suites were running (load 5-8): 1.5-2.1 s
of CPU in total, split over two threads; wall time 2-6 s under that load.
Not yet measured on an idle machine (expected about 1 s).  A one-cell edit
re-validates in 0.15-0.3 s at a million rows (tests/validation/test_performance.py).
"""

from booking_desktop.validation.validator import ValidationResult, revalidate_rows, validate

__all__ = ["ValidationResult", "revalidate_rows", "validate"]
