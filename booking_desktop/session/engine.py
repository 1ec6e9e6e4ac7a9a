"""How a session talks to the core: re-validate rows, re-map from raw.

:class:`CoreEngine` calls the real mapping and validation packages (imported
lazily so the session imports fast and stays testable on its own).  Tests may
pass any object with the same two methods.

Two details the session relies on:

* ``validation.revalidate_rows`` needs the *previous* ``ValidationResult``
  (with its uniqueness-key state) to re-check only the edited rows and the
  rows sharing their booking reference.  It is kept on the result object as
  ``result.validation``; without it the first edit costs one full validation.
* Cell problems found by the *mapping* (code ``transform``, ...) are not
  reproduced by validation.  They are kept as ``result.mapping_problems`` and
  merged back by the session for every cell the operator has not edited.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Protocol

import numpy as np
import pandas as pd

from booking_desktop.errors import ProblemTable
from booking_desktop.pipeline import PipelineResult

if TYPE_CHECKING:
    from booking_desktop.mapping.profile import MappingProfile
    from booking_desktop.validation.validator import ValidationResult

MAPPING_CELL_CODES = frozenset(
    {
        "transform",
        "missing_column",
        "ambiguous_date_format",
        # money cells and row rules (mapping/money.py, mapping/rows.py)
        "ambiguous_number",
        "currency_symbol",
        "currency_mismatch",
        "not_a_booking",
    }
)


@dataclasses.dataclass
class Revalidated:
    typed: pd.DataFrame
    problems: ProblemTable
    error_rows: np.ndarray
    state: ValidationResult | None = None  # stored as result.validation


class Engine(Protocol):
    def revalidate(self, result: PipelineResult, text: pd.DataFrame, positions: np.ndarray) -> Revalidated: ...

    def remap(self, result: PipelineResult, profile: MappingProfile) -> PipelineResult: ...


def mapping_problems_of(result: PipelineResult) -> ProblemTable:
    """The mapping's own cell problems of ``result`` (cached on the object)."""
    mp = getattr(result, "mapping_problems", None)
    if mp is None:
        f = result.problems.frame
        mp = ProblemTable(f[f["code"].isin(MAPPING_CELL_CODES).to_numpy()])
        result.mapping_problems = mp  # type: ignore[attr-defined]  # a cache, not a field: replace() drops it
    return mp


class CoreEngine:
    """The production engine: ``validation.revalidate_rows`` and ``mapping.apply_mapping``."""

    def revalidate(self, result: PipelineResult, text: pd.DataFrame, positions: np.ndarray) -> Revalidated:
        from booking_desktop.validation import revalidate_rows

        vr = revalidate_rows(_previous_validation(result), text, positions, result.rules)
        return Revalidated(vr.typed, vr.problems, np.asarray(vr.error_rows, dtype=bool), vr)

    def remap(self, result: PipelineResult, profile: MappingProfile) -> PipelineResult:
        from booking_desktop.mapping import apply_mapping
        from booking_desktop.pipeline import vendor_known, vendor_unknown_problem, vendor_unknown_rules
        from booking_desktop.schema import load_schema
        from booking_desktop.validation import validate

        vendor = result.vendor if result.profile is None else None
        mapped = apply_mapping(result.raw, profile, vendor=vendor)
        overrides = getattr(profile, "rules", None) or None
        unknown = [] if vendor_known(profile, vendor) else [vendor_unknown_problem(result.raw.source.path.name)]
        if unknown:
            overrides = vendor_unknown_rules(overrides)
        rules = load_schema().rules(overrides)
        vr = validate(mapped.text, rules)
        problems = ProblemTable.concat([mapped.problems, vr.problems])
        out = dataclasses.replace(
            result,
            text=mapped.text,
            typed=vr.typed,
            problems=problems,
            error_rows=problems.error_row_mask(len(mapped.text)),
            profile=profile,
            vendor=getattr(profile, "vendor", None) or result.vendor,
            mapping=dict(mapped.mapping),
            file_problems=[*result.raw.problems, *mapped.file_problems, *unknown],
            rules=rules,
        )
        out.validation = vr
        out.mapping_problems = mapped.problems  # type: ignore[attr-defined]  # a cache, see mapping_problems_of
        return out


def _previous_validation(result: PipelineResult) -> ValidationResult:
    prev = result.validation
    if prev is not None:
        return prev
    from booking_desktop.schema import load_schema
    from booking_desktop.validation import ValidationResult

    # no rules on a hand-made result: the schema's, as validate() would use (None crashed revalidate_rows)
    rules = result.rules if result.rules is not None else load_schema().rules()
    from booking_desktop.validation.validator import _key_columns

    key_text = _key_columns(result.text, rules)  # the uniqueness-key state (else one full validation)
    f = result.problems.frame
    warn = np.zeros(len(result.text), dtype=bool)
    warn[f.loc[f["severity"] == "warning", "row"].to_numpy()] = True
    vr = ValidationResult(
        typed=result.typed,
        problems=ProblemTable(f[~f["code"].isin(MAPPING_CELL_CODES).to_numpy()]),
        error_rows=np.asarray(result.error_rows, dtype=bool),
        warning_rows=warn,
        rules=rules,
        key_text=key_text,
    )
    result.validation = vr
    return vr
