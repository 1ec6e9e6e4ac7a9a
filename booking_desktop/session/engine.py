"""How a session talks to the core: re-validate rows, re-map from raw.

:class:`CoreEngine` calls the real mapping and validation packages (imported
lazily so the session can be imported before they exist).  Tests may pass any
object with the same two methods.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

import numpy as np
import pandas as pd

from booking_desktop.errors import ProblemTable
from booking_desktop.pipeline import PipelineResult


@dataclasses.dataclass
class Revalidated:
    typed: pd.DataFrame
    problems: ProblemTable
    error_rows: np.ndarray


class Engine(Protocol):
    def revalidate(self, result: PipelineResult, text: pd.DataFrame, positions: np.ndarray) -> Revalidated: ...

    def remap(self, result: PipelineResult, profile: Any) -> PipelineResult: ...


class CoreEngine:
    """The production engine: ``validation.revalidate_rows`` and ``mapping.apply_mapping``."""

    def revalidate(self, result: PipelineResult, text: pd.DataFrame, positions: np.ndarray) -> Revalidated:
        from booking_desktop import validation

        vr = validation.revalidate_rows(_as_validation_result(result), text, positions, result.rules)
        return Revalidated(vr.typed, vr.problems, np.asarray(vr.error_rows, dtype=bool))

    def remap(self, result: PipelineResult, profile: Any) -> PipelineResult:
        from booking_desktop import pipeline

        remap = getattr(pipeline, "remap", None)
        if remap is not None:
            return remap(result.raw, profile, vendor=result.vendor)
        from booking_desktop import mapping, validation

        mapped = mapping.apply_mapping(result.raw, profile, vendor=result.vendor)
        rules = validation.rules_for(profile) if hasattr(validation, "rules_for") else result.rules
        vr = validation.validate(mapped.text, rules)
        mapping_problems = getattr(mapped, "problems", None)
        problems = vr.problems
        if isinstance(mapping_problems, ProblemTable):
            problems = ProblemTable.concat([mapping_problems, vr.problems])
        return dataclasses.replace(
            result,
            text=mapped.text,
            typed=vr.typed,
            problems=problems,
            error_rows=problems.error_row_mask(len(mapped.text)),
            profile=profile,
            vendor=getattr(profile, "vendor", None) or result.vendor,
            mapping=dict(getattr(mapped, "mapping", {}) or {}),
            rules=rules,
        )


def _as_validation_result(result: PipelineResult) -> Any:
    try:
        from booking_desktop.validation import ValidationResult
    except ImportError:
        return result
    try:
        return ValidationResult(typed=result.typed, problems=result.problems, error_rows=result.error_rows)
    except TypeError:
        return result
