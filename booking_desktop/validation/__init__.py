"""Validation of the canonical text frame against the schema (plus profile rules).

``validate(text, rules)`` -> :class:`ValidationResult` (typed frame, problems,
error/warning rows); ``revalidate_rows`` re-checks edited rows.  Rules come
from ``booking_desktop.schema`` (the JSON schema file plus overrides).
"""

from booking_desktop.validation.validator import ValidationResult, revalidate_rows, validate

__all__ = ["ValidationResult", "revalidate_rows", "validate"]
