"""The suggester's result types: what :func:`~booking_desktop.mapping.suggest.suggest_mapping`
returns and the candidates it weighs.

Kept apart from the engine so that the evidence, composite and refinement modules can
build and edit candidates without importing the engine (which imports them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from booking_desktop.errors import Problem, Severity
from booking_desktop.schema import CANONICAL_FIELDS

if TYPE_CHECKING:
    from booking_desktop.mapping.profile import MappingProfile

PROFILE_FORMATS = ("csv", "xlsx", "json", "xml")  # the profile's optional ``format:`` values
EXCEL_FORMATS = ("xlsx", "xlsm", "xlsb", "xls", "ods")  # SourceInfo.format of workbooks
# ``vendor`` comes from the profile (or the operator), never from a column guess.
SUGGESTED_FIELDS = tuple(f for f in CANONICAL_FIELDS if f != "vendor")
DATE_FIELDS = ("check_in", "check_out", "booked_at")
DOUBTFUL_BELOW = 0.75  # a suggestion below this confidence is shown as doubtful


def pct(x: float) -> str:
    """A share as the reasons show it ("87%")."""
    return f"{round(100 * x)}%"


@dataclass
class Candidate:
    """One way to fill a field: a profile field spec plus the evidence for it."""

    field: str
    spec: dict[str, Any]
    confidence: float
    reasons: list[str]
    columns: tuple[str, ...]
    ambiguous: bool = False
    requires: tuple[str, ...] = ()  # canonical fields that must be mapped too ("@nights")
    rank: int = 0  # tie-break at equal confidence: position of the matched synonym in the schema
    doubts: list[str] = dataclasses.field(default_factory=list)  # evidence against (suggest_semantics)

    def describe(self) -> str:
        return f"{self.field} <- {self.spec} ({self.confidence:.2f})"


@dataclass
class ValueMapping:
    """A suggested translation of one distinct source value (status)."""

    source: str
    target: str | None  # None: no canonical value matched
    confidence: float
    reason: str
    count: int  # rows with this value in the whole column


@dataclass
class FieldSuggestion:
    spec: dict[str, Any]
    confidence: float
    reasons: list[str]
    alternatives: list[Candidate] = field(default_factory=list)
    ambiguous: bool = False
    columns: tuple[str, ...] = ()
    value_map: list[ValueMapping] = field(default_factory=list)
    unmatched_values: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)  # evidence against the suggestion

    @property
    def doubtful(self) -> bool:
        """Low confidence or evidence against it: the operator should look before saving."""
        return bool(self.doubts) or self.ambiguous or self.confidence < DOUBTFUL_BELOW


@dataclass
class MappingSuggestion:
    """What :func:`suggest_mapping` proposes; the GUI shows it, the operator edits and saves it."""

    fields: dict[str, FieldSuggestion]
    unmapped_columns: list[str]
    unmapped_fields: list[str]
    candidates: dict[str, list[Candidate]]  # every field's ranked candidates, mapped or not
    columns: list[str]
    source: Any = None  # readers.base.SourceInfo
    vendor: str | None = None

    @property
    def ambiguous_fields(self) -> list[str]:
        return [f for f, s in self.fields.items() if s.ambiguous]

    def problems(self) -> list[Problem]:
        """What the operator should know before importing with this suggestion, once per
        distinct value: a status value that maps to no canonical status (``unmapped_status``,
        a warning with its row count; its rows then fail the status check)."""
        out: list[Problem] = []
        fs = self.fields.get("status")
        if fs is None:
            return out
        column = fs.spec.get("column")
        for vm in fs.value_map:
            if vm.target is None:
                rows = f"{vm.count:,} row{'s' if vm.count != 1 else ''}"
                out.append(Problem(
                    code="unmapped_status", severity=Severity.WARNING, field=column, value=vm.source,
                    message=f"status value {vm.source!r} in column {column!r} ({rows}) matches no canonical status; "
                            "add it to the profile's status value map",
                ))  # fmt: skip
        return out

    def mapping_summary(self) -> dict[str, str]:
        """field -> short description of the source ("Booking_ID", "date_parts(...)")."""
        return {f: _describe_spec(s.spec) for f, s in self.fields.items()}

    def to_profile_dict(self, name: str, vendor: str | None = None) -> dict[str, Any]:
        """The profile YAML structure (see mappings/*.yaml) for this suggestion."""
        # never the file name: two exports of one vendor named differently must not become two vendors
        d: dict[str, Any] = {"version": 1, "name": name, "vendor": vendor or self.vendor or ""}
        src = self.source
        d["description"] = f"suggested from {Path(src.path).name}" if src is not None else "suggested mapping"
        if src is not None and src.format in PROFILE_FORMATS:
            d["format"] = src.format
        reader = _reader_options(src)
        if reader:
            d["reader"] = reader
        d["signature"] = {"columns": list(self.columns), "min_match": 0.8}
        d["fields"] = {f: dict(self.fields[f].spec) for f in CANONICAL_FIELDS if f in self.fields}
        return d

    def to_profile(self, name: str, vendor: str | None = None) -> MappingProfile:
        """A :class:`~booking_desktop.mapping.profile.MappingProfile` (can be ``.save()``-d once it has a
        vendor).  Without a vendor its ``vendor`` is empty: the rows get none until the operator names it."""
        import dataclasses

        from booking_desktop.mapping.profile import MappingProfile

        d = self.to_profile_dict(name, vendor)
        if d["vendor"]:
            return MappingProfile.from_dict(d)
        return dataclasses.replace(MappingProfile.from_dict({**d, "vendor": "UNSET"}), vendor="")


def _reader_options(src: Any) -> dict[str, Any]:
    if src is None:
        return {}
    out: dict[str, Any] = {}
    fmt = getattr(src, "format", None)
    if fmt == "csv":
        for key in ("delimiter", "encoding"):
            if getattr(src, key, None):
                out[key] = getattr(src, key)
    if fmt in EXCEL_FORMATS and getattr(src, "sheet", None):
        out["sheet"] = src.sheet
    if fmt in ("json", "xml") and getattr(src, "record_path", None):
        out["record_path"] = src.record_path
    if (fmt == "csv" or fmt in EXCEL_FORMATS) and (getattr(src, "header_row", None) or 1) > 1:
        out["header_row"] = int(src.header_row)
    return out


def _describe_spec(spec: dict[str, Any]) -> str:
    if "column" in spec:
        return str(spec["column"])
    key, value = next(iter(spec.items()))
    if isinstance(value, dict):
        value = ", ".join(f"{k}={v}" for k, v in value.items())
    elif isinstance(value, list):
        value = ", ".join(map(str, value))
    return f"{key}({value})"
