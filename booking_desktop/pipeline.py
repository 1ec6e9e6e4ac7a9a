"""read -> map -> validate, as a cancellable generator of progress events.

``run()`` yields :class:`Progress` and returns a :class:`PipelineResult`
(``result = yield from run(...)`` or :func:`run_to_end`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from booking_desktop.errors import Problem, ProblemTable, ProfileError
from booking_desktop.readers.base import RawTable

if TYPE_CHECKING:
    from booking_desktop.mapping.drift import ProfileMatch
    from booking_desktop.mapping.profile import MappingProfile
    from booking_desktop.mapping.suggest_model import MappingSuggestion
    from booking_desktop.schema import Rules
    from booking_desktop.validation.validator import ValidationResult


@dataclass(frozen=True)
class Progress:
    stage: str  # "read", "map", "validate", "done"
    done: int = 0
    total: int = 0
    message: str = ""


class NoMappingError(ProfileError):
    """The file was read but no column maps to a booking field.  ``raw`` and ``file_problems`` (the
    reader's findings) let a caller report what the file holds instead of only failing."""

    def __init__(self, raw: RawTable, file_problems: list[Problem], name: str):
        if len(raw) == 0:
            why = "the file has no records, so there is nothing to map"
        else:
            cols = ", ".join(raw.columns[:12]) + (f" and {len(raw.columns) - 12} more" if len(raw.columns) > 12 else "")
            why = (
                f"none of its columns ({cols}) could be mapped to a booking field; map them in a profile "
                "(--profile, see docs/PROFILES.md)"
            )
        super().__init__(Problem(code="no-mapping", message=f"{name}: {why}"))
        self.raw = raw
        self.file_problems = list(file_problems)


class Cancelled(Exception):
    """The caller asked to stop; nothing was half-applied."""


@dataclass
class PipelineResult:
    raw: RawTable
    text: pd.DataFrame  # canonical text frame (see docs/ARCHITECTURE.md), what operators edit
    typed: pd.DataFrame  # canonical typed frame (ValidationResult.typed)
    problems: ProblemTable  # mapping + validation problems, 0-based rows
    error_rows: np.ndarray  # bool per row
    vendor: str | None
    profile: MappingProfile | None  # None: suggested mapping
    mapping: dict[str, str]  # canonical field -> source column or transform description
    file_problems: list[Problem] = field(default_factory=list)  # reader + mapping file-level findings
    rules: Rules | None = None  # validation rules in force (schema + profile overrides)
    validation: ValidationResult | None = None  # the session re-validates edited rows from it
    record_numbers: np.ndarray | None = None  # 1-based record number per row when rows were dropped
    suggestion: MappingSuggestion | None = None  # when no profile matched (the mapping panel shows it)
    edited_records: np.ndarray | None = None  # 1-based records the operator edited (set by the session's commit)
    skipped_rows: dict[str, int] = field(default_factory=dict)  # profile row rules: reason -> records left out
    vendor_given: str | None = None  # the vendor the caller named (--vendor): wins over any profile's

    def record_numbers_array(self) -> np.ndarray:
        """The file's 1-based record number of each row (``position + 1`` unless rows were dropped)."""
        if self.record_numbers is not None:
            return self.record_numbers
        return np.arange(1, len(self.text) + 1, dtype=np.int64)

    @property
    def records(self) -> int:
        return len(self.text)

    @property
    def invalid(self) -> int:
        return int(self.error_rows.sum())

    @property
    def valid(self) -> int:
        return self.records - self.invalid


CancelCheck = Callable[[], bool]


def _never() -> bool:
    return False


def run(
    path: str | Path,
    profile: MappingProfile | str | Path | None = None,
    vendor: str | None = None,
    profiles_dir: Path | None = None,
    cancelled: CancelCheck = _never,
    reader_options: dict[str, Any] | None = None,
) -> Generator[Progress, None, PipelineResult]:
    """Read, map and validate one file.

    ``profile`` is a MappingProfile, a profile name or path, or None: then the
    profile is detected from the headers, and without a match a mapping is
    suggested.  Raises ReadError/ProfileError (one-line messages) and
    :class:`Cancelled` when ``cancelled()`` turns true between stages.
    """
    from booking_desktop.memory import tune_allocator
    from booking_desktop.readers import read_file

    tune_allocator()
    path = Path(path)
    file_problems: list[Problem] = []
    profile_obj = _resolve_profile(profile, profiles_dir)
    options = dict(reader_options or {})
    if profile_obj is not None:
        options = {**profile_obj.reader_options(), **options}

    yield Progress("read", 0, 3, f"reading {path.name}")
    raw = read_file(path, options or None)
    _check(cancelled)

    if profile_obj is None:
        match = _detect_profile(raw.columns, profiles_dir)
        if match is not None and match.profile is not None:  # an accepted match has a profile
            profile_obj = match.profile
            file_problems.extend(match.problems())
            extra = profile_obj.reader_options()
            if extra and any(raw.source.extra.get("options", {}).get(k) != v for k, v in extra.items()):
                raw = read_file(path, {**extra, **(reader_options or {})})
                _check(cancelled)
    file_problems.extend(raw.problems)

    yield Progress("map", 1, 3, f"mapping {len(raw):,} records")
    suggestion = None
    if profile_obj is None:
        from booking_desktop.mapping import suggest_mapping

        suggestion = suggest_mapping(raw, vendor=vendor)
        file_problems.extend(suggestion.problems())  # once per unknown status value, not per row
        try:
            mapping_profile = suggestion.to_profile(name=path.stem, vendor=vendor)
        except ProfileError as exc:
            raise NoMappingError(raw, file_problems, path.name) from exc
    else:
        mapping_profile = profile_obj
    record_numbers, skipped = None, {}
    if getattr(mapping_profile, "rows", None):  # records that are not bookings (mapping/rows.py)
        from booking_desktop.mapping.rows import skip_rows

        kept = skip_rows(raw, mapping_profile)
        raw, record_numbers, skipped = kept.raw, kept.record_numbers, kept.counts
        file_problems.extend(kept.notices)
    mv = yield from map_and_validate(raw, mapping_profile, vendor, path.name, cancelled)
    file_problems.extend(mv.file_problems)

    result = PipelineResult(
        raw=raw,
        text=mv.text,
        typed=mv.validation.typed,
        problems=mv.problems,
        error_rows=mv.error_rows,
        vendor=mv.vendor,
        profile=profile_obj,
        mapping=mv.mapping,
        file_problems=file_problems,
        rules=mv.rules,
        validation=mv.validation,
        suggestion=suggestion,
        record_numbers=record_numbers,
        skipped_rows=skipped,
        vendor_given=vendor or None,
    )
    yield Progress("done", 3, 3, f"{result.valid:,} valid, {result.invalid:,} invalid")
    return result


@dataclass
class MapValidated:
    """What :func:`map_and_validate` made of a raw table with one profile."""

    text: pd.DataFrame
    problems: ProblemTable  # mapping + validation problems, 0-based rows
    mapping_problems: ProblemTable  # the mapping's own (validation does not reproduce them)
    error_rows: np.ndarray
    vendor: str | None
    mapping: dict[str, str]
    file_problems: list[Problem]  # the mapping's file-level findings, and vendor-unknown
    rules: Rules
    validation: ValidationResult


def map_and_validate(
    raw: RawTable, profile: MappingProfile, vendor: str | None, file_name: str, cancelled: CancelCheck = _never
) -> Generator[Progress, None, MapValidated]:
    """Map ``raw`` with ``profile`` and validate it: the one place both happen, for the pipeline and for
    a session's remap, so the two agree on the vendor and the counts.

    The vendor is the one the caller named (``vendor``), else the profile's: the named one is what
    the mapping writes into the rows.  A row counts as an error when any mapping or validation
    problem of severity error is on it.  Row rules (``rows:``) are the caller's: the pipeline
    takes skipped records out before; a remap keeps the session's rows (their positions are the
    edits' keys) and the mapping flags a record a skip rule matches.  Yields the ``validate``
    progress event; raises :class:`Cancelled` between the two stages and after.
    """
    from booking_desktop.mapping import apply_mapping
    from booking_desktop.schema import load_schema
    from booking_desktop.validation import validate

    mapped = apply_mapping(raw, profile, vendor=vendor)
    _check(cancelled)
    yield Progress("validate", 2, 3, f"validating {len(raw):,} records")
    file_problems = list(mapped.file_problems)
    overrides = getattr(profile, "rules", None) or None
    if not vendor_known(profile, vendor):
        overrides = vendor_unknown_rules(overrides)
        file_problems.append(vendor_unknown_problem(file_name))
    rules = load_schema().rules(overrides)
    checked = validate(mapped.text, rules)
    _check(cancelled)
    problems = ProblemTable.concat([mapped.problems, checked.problems])
    return MapValidated(
        text=mapped.text,
        problems=problems,
        mapping_problems=mapped.problems,
        error_rows=problems.error_row_mask(len(mapped.text)),
        vendor=vendor or getattr(profile, "vendor", None) or None,
        mapping=dict(mapped.mapping),
        file_problems=file_problems,
        rules=rules,
        validation=checked,
    )


VENDOR_UNKNOWN = "vendor-unknown"


def vendor_known(profile: Any, vendor: str | None) -> bool:
    """Is there a vendor for the rows: given, the profile's, or a mapped vendor column?"""
    return bool(vendor or getattr(profile, "vendor", None) or "vendor" in (getattr(profile, "fields", None) or {}))


def vendor_unknown_rules(overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Validate without a vendor: the rows are checked, the vendor is asked for before a commit."""
    out = dict(overrides or {})
    out["vendor"] = {**out.get("vendor", {}), "required": False}
    return out


def vendor_unknown_problem(file_name: str) -> Problem:
    from booking_desktop.errors import Severity

    return Problem(
        code=VENDOR_UNKNOWN,
        severity=Severity.WARNING,
        field="vendor",
        location=file_name,
        message="no vendor: no profile matched this file and none was given; the rows are checked, but "
        "importing needs the vendor (--vendor CODE, a profile with a vendor, or the vendor asked before "
        "the commit)",
    )


def _check(cancelled: CancelCheck) -> None:
    if cancelled():
        raise Cancelled()


def _resolve_profile(profile: MappingProfile | str | Path | None, profiles_dir: Path | None) -> MappingProfile | None:
    if profile is None or not isinstance(profile, str | Path):
        return profile
    from booking_desktop.mapping import load_profile

    return load_profile(profile, dirs=[profiles_dir] if profiles_dir else None)


def _detect_profile(columns: list[str], profiles_dir: Path | None) -> ProfileMatch | None:
    from booking_desktop.mapping import find_profile

    return find_profile(columns, dirs=[profiles_dir] if profiles_dir else None)


def run_to_end(*args: Any, **kwargs: Any) -> PipelineResult:
    from booking_desktop.generators import drive

    return drive(run(*args, **kwargs))
