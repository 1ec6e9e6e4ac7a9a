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
        """``result``'s raw rows mapped with ``profile``: what ``pipeline.run(path, profile=..., vendor=...)``
        gives for the same rows (one :func:`~booking_desktop.pipeline.map_and_validate`)."""
        from booking_desktop.generators import drive
        from booking_desktop.pipeline import map_and_validate

        raw = result.raw
        mv = drive(map_and_validate(raw, profile, result.vendor_given, raw.source.path.name))
        out = dataclasses.replace(
            result,
            text=mv.text,
            typed=mv.validation.typed,
            problems=mv.problems,
            error_rows=mv.error_rows,
            profile=profile,
            vendor=mv.vendor,
            mapping=mv.mapping,
            file_problems=[*raw.problems, *mv.file_problems],
            rules=mv.rules,
        )
        out.validation = mv.validation
        out.mapping_problems = mv.mapping_problems  # type: ignore[attr-defined]  # a cache, see mapping_problems_of
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
